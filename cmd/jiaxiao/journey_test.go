package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
)

func login(t *testing.T, ctx context.Context, phone, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// A parent opens the class's invite link, asks to join for their child,
// the head teacher approves, and the parent sees the class group.
func TestJoinJourney(t *testing.T) {
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := jiaxiao(t, dir, env, "user", "add", "--role", "parent", "--name", "刘敏", "--phone", "13900000004", "--password", "parent-2026"); code != 0 {
		t.Fatal(errOut)
	}
	out, _, _ := jiaxiao(t, dir, env, "group", "list")
	var code, groupID string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Split(l, "\t"); len(f) == 5 && f[2] == "三年级(2)班家校群" {
			groupID, code = f[0], f[3]
		}
	}
	if code == "" {
		t.Fatalf("no class group in %q", out)
	}
	p := serve(t, dir, env)

	parent := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(parent, chromedp.Navigate(p.base+"/join/"+code)); err != nil {
		t.Fatal(err)
	}
	login(t, parent, "13900000004", "parent-2026") // the login page brings the parent back to the join form
	err := chromedp.Do(parent,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="join-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="student_no"]`), "20230203"),
		chromedp.SendKeys(chromedp.CSS(`input[name="student_name"]`), "刘洋"),
		chromedp.SetValue(chromedp.CSS(`select[name="relation"]`), "母亲"),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, parent, "1-join-form")
	if err := chromedp.Do(parent, chromedp.Click(chromedp.CSS(`[data-testid="join-submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="join-done"]`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, parent, "2-join-submitted")

	teacher := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(teacher, chromedp.Navigate(p.base+"/groups/"+groupID+"/requests")); err != nil {
		t.Fatal(err)
	}
	login(t, teacher, "13800000002", "jiaxiao2026")
	if err := chromedp.Do(teacher, chromedp.WaitVisible(chromedp.CSS(`[data-testid="requests"]`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, teacher, "3-requests")
	// Approve 刘敏's request (the demo has others waiting too).
	approve := chromedp.JSPath(`[...document.querySelectorAll('[data-testid="request"]')].find(a => a.textContent.includes('刘敏')).querySelector('[data-testid="approve"]')`)
	err = chromedp.Do(teacher,
		chromedp.Click(approve),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-ok"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	left, err := chromedp.Run(teacher, chromedp.Text(chromedp.CSS(`[data-testid="requests"]`)))
	if err != nil || strings.Contains(left, "刘敏") {
		t.Fatalf("刘敏's request still listed: %q %v", left, err)
	}
	apptest.Screenshot(t, teacher, "4-approved")

	err = chromedp.Do(parent,
		chromedp.Navigate(p.base+"/groups"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="group-card"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	cards, err := chromedp.Run(parent, chromedp.Text(chromedp.CSS(`[data-testid="group-list"]`)))
	if err != nil || !strings.Contains(cards, "三年级(2)班家校群") || !strings.Contains(cards, "学校家校群") {
		t.Fatalf("parent's groups: %q %v", cards, err)
	}
	err = chromedp.Do(parent,
		chromedp.Navigate(p.base+"/groups/"+groupID+"/members"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="members"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	members, _ := chromedp.Run(parent, chromedp.Text(chromedp.CSS(`[data-testid="members"]`)))
	if !strings.Contains(members, "刘洋妈妈") || strings.Contains(members, "13900000001") {
		t.Fatalf("members as the parent sees them: %q", members)
	}
	apptest.Screenshot(t, parent, "5-class-group")
}
