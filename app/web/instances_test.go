package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/notify"
)

// waitFor polls cond until it holds or two seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitForWithin(t, what, 5*time.Second, cond)
}

// waitForWithin polls cond until it holds or d passes.
func waitForWithin(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCachesFollowOtherInstances runs two instances on one database, each
// with its own caches and hub: a logout on one ends the session on the
// other, and a notification written anywhere shows in the other's badge,
// both through the events table alone (no broker).
func TestCachesFollowOtherInstances(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		a, b := newApp(t, g), newApp(t, g)
		u := a.user(t, auth.RoleParent, "张伟", "13900139000")
		ca := apptest.NewClient(t, a.URL)
		ca.Login("13900139000", "secret-123")
		token := ca.Cookie("jx_session")
		// The same browser's cookie, sent to the other instance.
		onB := func(path string) *apptest.Response {
			return apptest.NewClient(t, b.URL).Get(path, "Cookie", "jx_session="+token)
		}
		if r := onB("/"); r.StatusCode != http.StatusOK || r.TestID("badge") != "" {
			t.Fatalf("home on b: %d badge %q", r.StatusCode, r.TestID("badge"))
		}
		// A notification written by some other process: b's cached count
		// of 0 gives way when b's hub reads the badge event.
		if err := db.InTx(context.Background(), g, func(tx *gorm.DB) error {
			return notify.Add(context.Background(), tx, time.Now(), notify.Notification{UserID: u.ID, Kind: "test", Title: "新提醒"})
		}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "badge on b", func() bool { return onB("/").TestID("badge") == "1" })

		if r := ca.Post("/logout", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout on a: %d", r.StatusCode)
		}
		waitFor(t, "logout reaching b", func() bool { return onB("/").StatusCode == http.StatusSeeOther })
	})
}
