package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/notice"
)

// browserAs opens a phone browser (390×844) signed in as the client's user:
// its session cookies are handed over.
func browserAs(t *testing.T, c *apptest.Client) context.Context {
	t.Helper()
	ctx := apptest.Browser(t, 120*time.Second)
	u, _ := url.Parse(c.Base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: ck.Name, Value: ck.Value, URL: c.Base}); err != nil {
			t.Fatal(err)
		}
	}
	return ctx
}

// narrow makes the page 360 px wide (the narrowest phone we serve).
func narrow(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
}

// fits fails if the page is wider than the screen.
func fits(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if over > 0 {
		t.Errorf("%s is %d px wider than the screen", what, over)
	}
}

func text(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return strings.TrimSpace(s)
}

// A parent has the home page open in one tab and opens the notice from
// 待处理 in another: the first tab's badge drops, without a reload.
func TestBrowserReadingDropsBadge(t *testing.T) {
	s := newSchool(t, apptest.SQLite(t))
	n := s.notice(t, true)
	parent := s.clients["parent-member"]
	want := unreadOf(t, s.world.DB, "13900000001")
	waitFor(t, "the badge to count the notice", func() bool { return badgeOf(t, parent.Get("/")) == want })

	home := browserAs(t, parent)
	err := chromedp.Do(home,
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="todo"]`)),
		// A mark that a reload would wipe.
		chromedp.Evaluate[chromedp.Void](`window.stayed = true`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, home, `document.querySelector('#badge').textContent`); got != fmt.Sprint(want) {
		t.Fatalf("home badge %q, want %d", got, want)
	}
	if got := text(t, home, `document.querySelector('[data-testid="todo-state"]').textContent`); got != "未读" {
		t.Fatalf("待处理 says %q", got)
	}
	// The home page's live stream is open before the other tab reads.
	waitFor(t, "the home page's live stream", func() bool { return s.hub.Subscribers() == 1 })

	tab, cancel := chromedp.NewContext(home)
	defer cancel()
	row := chromedp.JSPath(`[...document.querySelectorAll('[data-testid="todo"] a')].find(a => a.textContent.includes('家长会通知'))`)
	err = chromedp.Do(tab,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(row),
		chromedp.Click(row),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="ack"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, tab, `location.pathname`); got != fmt.Sprintf("/notices/%d", n.ID) {
		t.Fatalf("the row opened %q", got)
	}
	// The first tab hears it.
	drop := fmt.Sprintf(`document.querySelector('#badge').textContent.trim() === %q && window.stayed === true`, badgeText(want-1))
	if _, err := chromedp.Run(home, chromedp.Poll[bool](drop, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("the home tab's badge still says %q: %v", text(t, home, `document.querySelector('#badge').textContent`), err)
	}
	apptest.Screenshot(t, home, "home-badge-dropped")
	// 收到 in the second tab: it leaves 待处理 there.
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`[data-testid="ack"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, tab, "acknowledged")
	if err := chromedp.Do(tab, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="todo-empty"]`))); err != nil {
		t.Fatal(err)
	}
}

func badgeText(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// A teacher DINGs at 22:00: the page says the parents' reminders wait
// until 07:00, and the button waits out the five minutes.
func TestBrowserDingInQuietHours(t *testing.T) {
	s := newSchool(t, apptest.SQLite(t))
	n := s.notice(t, true)
	s.clients["parent-member"].Get(fmt.Sprintf("/notices/%d", n.ID)) // read, not acknowledged
	s.world.Clock.Set(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 22:00 in Shanghai
	owner := browserAs(t, s.clients["owner"])
	err := chromedp.Do(owner,
		chromedp.Navigate(s.URL+fmt.Sprintf("/notices/%d/receipts", n.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="ding"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, owner, `document.querySelector('[data-testid="ding"]').textContent`); got != "DING 未读和未确认的 3 人" {
		t.Fatalf("the DING button says %q", got)
	}
	err = chromedp.Do(owner,
		chromedp.Click(chromedp.CSS(`[data-testid="ding"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// 陈志强 (staff) now; 张伟 (read, not acknowledged) and 王强 (unread) at 07:00.
	flash := text(t, owner, `document.querySelector('[data-testid="flash"]').textContent`)
	if flash != "已 DING 1 位未读或未确认的接收人。2 位家长正处于免打扰时段，提醒将于 07:00 发出。" {
		t.Fatalf("flash %q", flash)
	}
	disabled, err := chromedp.Run(owner, chromedp.Evaluate[bool](`document.querySelector('[data-testid="ding"]').disabled`))
	if err != nil || !disabled || !strings.Contains(text(t, owner, `document.querySelector('[data-testid="ding-wait"]').textContent`), "5 分钟后") {
		t.Fatalf("after the DING the button is disabled=%v and says %q", disabled, text(t, owner, `document.querySelector('[data-testid="ding-wait"]').textContent`))
	}
	narrow(t, owner)
	fits(t, owner, "the receipts page after a DING")
	apptest.Screenshot(t, owner, "after-ding-quiet-hours")
}

// TestBrowserPhoneScreens: the notice screens at 360 px: nothing wider
// than the screen; the compose form counts the audience as groups are
// ticked. Screenshots for the before/after.
func TestBrowserPhoneScreens(t *testing.T) {
	s := newSchool(t, apptest.SQLite(t))
	ctx := context.Background()
	head := s.world.ByPhone("13800000002")
	var ids []uint64
	for i, title := range []string{"期中考试安排", "春游通知", "家长会通知"} {
		n, err := s.world.Notices.Compose(ctx, head, notice.ComposeInput{Title: title, Body: "请家长周知。", Category: "通知", GroupIDs: []uint64{s.c32.ID}, RequiresAck: i != 1})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
		s.world.Clock.Advance(time.Minute)
	}
	s.clients["parent-member"].Get(fmt.Sprintf("/notices/%d", ids[0]))
	s.clients["moderator"].Post(fmt.Sprintf("/notices/%d/ack", ids[2]), nil)
	if _, err := s.world.Worker().RunDue(ctx); err != nil { // archive the notices
		t.Fatal(err)
	}

	owner := browserAs(t, s.clients["owner"])
	narrow(t, owner)
	box := chromedp.JSPath(`[...document.querySelectorAll('input[name="group_id"]')].find(i => i.parentElement.textContent.includes('三年级(2)班'))`)
	err := chromedp.Do(owner,
		chromedp.Navigate(s.URL+"/notices/new"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="notice-form"]`)),
		chromedp.Click(box),
		chromedp.Poll[chromedp.Void](`document.querySelector('#audience').textContent.includes('将发送给')`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if err != nil {
		t.Fatalf("the audience line: %v (%q)", err, text(t, owner, `document.querySelector('#audience').textContent`))
	}
	if got := text(t, owner, `document.querySelector('#audience').textContent`); got != "将发送给 3 人（家长 2 · 教职工 1）" {
		t.Fatalf("audience %q", got)
	}
	// The same count again beside 发布.
	same := `document.querySelector('#audience-confirm').textContent === document.querySelector('#audience').textContent`
	if _, err := chromedp.Run(owner, chromedp.Poll[bool](same, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("audience beside 发布 %q: %v", text(t, owner, `document.querySelector('#audience-confirm').textContent`), err)
	}
	// Unticking says so.
	if err := chromedp.Do(owner, chromedp.Click(box), chromedp.Poll[chromedp.Void](`document.querySelector('#audience').textContent.includes('选择发送对象后')`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(owner, chromedp.Click(box), chromedp.Poll[chromedp.Void](`document.querySelector('#audience').textContent.includes('将发送给')`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	fits(t, owner, "the notice form")
	apptest.Screenshot(t, owner, "after-notice-form")

	for _, sh := range []struct{ who, path, wait, name string }{
		{"owner", fmt.Sprintf("/notices/%d/receipts", ids[2]), `[data-testid="section-unread"]`, "after-receipts"},
		{"parent-member", "/", `[data-testid="todo"]`, "after-home"},
		{"parent-member", "/notices", `[data-testid="notice-row"]`, "after-notices"},
		{"parent-member", "/notifications", `[data-testid="notification"]`, "after-notifications"},
		{"parent-member", fmt.Sprintf("/notices/%d", ids[1]), `[data-testid="notice"]`, "after-notice"},
		{"parent-member", "/archive", `[data-testid="archive-hit"]`, "after-archive"},
		{"admin", fmt.Sprintf("/notices/%d/receipts", ids[2]), `[data-testid="tel"]`, "after-receipts-admin"},
	} {
		b := owner
		if sh.who != "owner" {
			b = browserAs(t, s.clients[sh.who])
			narrow(t, b)
		}
		if err := chromedp.Do(b, chromedp.Navigate(s.URL+sh.path), chromedp.WaitVisible(chromedp.CSS(sh.wait))); err != nil {
			t.Fatalf("%s: %v", sh.name, err)
		}
		fits(t, b, sh.path)
		apptest.Screenshot(t, b, sh.name)
	}
	// The archive entry, with its files' long hashes.
	parent := browserAs(t, s.clients["parent-member"])
	narrow(t, parent)
	hit := chromedp.JSPath(`document.querySelector('[data-testid="archive-hit"] a')`)
	if err := chromedp.Do(parent, chromedp.Navigate(s.URL+"/archive"), chromedp.WaitVisible(hit), chromedp.Click(hit), chromedp.WaitVisible(chromedp.CSS(`[data-testid="archive-entry"]`))); err != nil {
		t.Fatal(err)
	}
	fits(t, parent, "an archive entry")
	apptest.Screenshot(t, parent, "after-archive-entry")
}
