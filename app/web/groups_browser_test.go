package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
)

// phoneLogin opens a phone browser logged in as phone, on the home page.
func phoneLogin(t *testing.T, base, phone string) context.Context {
	t.Helper()
	ctx := apptest.Browser(t, 40*time.Second)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "secret-123"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
	)
	if err != nil {
		t.Fatalf("log in %s: %v", phone, err)
	}
	return ctx
}

// pageErrors are the console errors and uncaught exceptions of a tab.
type pageErrors struct {
	mu   sync.Mutex
	list []string
}

func (e *pageErrors) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.list...)
}

// watchScriptErrors starts collecting the tab's script errors.
func watchScriptErrors(t *testing.T, ctx context.Context) *pageErrors {
	t.Helper()
	e := &pageErrors{}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			for _, a := range ev.Args {
				msg += a.Description + string(a.Value) + " "
			}
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		default:
			return
		}
		e.mu.Lock()
		e.list = append(e.list, msg)
		e.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// jsValue runs a JavaScript expression and returns its value.
func jsValue[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// jsWait waits until a JavaScript expression is true.
func jsWait(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("%s (%s): %v", what, js, err)
	}
}

// noSideScroll fails the test if the page is wider than the screen.
func noSideScroll(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	w := jsValue[[2]int](t, ctx, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if w[0] > w[1] {
		t.Errorf("%s: the page is %d px wide on a %d px screen", page, w[0], w[1])
	}
}

func phone360(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
}

// tapJS scrolls the element a JavaScript expression gives to the middle of
// the screen, clear of the sticky header and the tab bar, and clicks it.
func tapJS(js string) chromedp.Action[chromedp.Void] {
	scroll := chromedp.Evaluate[bool](`(e => { e.scrollIntoView({block: 'center'}); return true })(` + js + `)`)
	click := chromedp.Click(chromedp.JSPath(js))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := scroll(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return click(ctx, t)
	}
}

// memberRow is a JavaScript expression for the member card holding text.
func memberRow(text string) string {
	return `[...document.querySelectorAll('[data-testid="member"]')].find(r => r.textContent.includes(` + strconv.Quote(text) + `))`
}

// TestMembersJourney: on a phone, a head teacher opens the members page
// and removes a parent without a reason: the answer comes on the same
// page, the member's menu open, the message beside the reason and the
// list still there. With a reason typed the parent goes, the page says so
// once and the member count drops, while a parent moderator's open 我的群
// page follows the numbers live. Nothing is wider than a 360 px screen;
// the removed parent's old link says 您已被移出本群.
func TestMembersJourney(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	target := s.freshMember(t)
	s.pendingRequest(t)
	s.pendingRequest(t)
	id := s.c32.ID
	members := fmt.Sprintf("%s/groups/%d/members", s.URL, id)

	// The parent moderator's 我的群, left open.
	mod := phoneLogin(t, s.URL, "13900000003")
	modErrors := watchScriptErrors(t, mod)
	pending := fmt.Sprintf(`document.querySelector('#g%d-pending')`, id)
	memberCount := fmt.Sprintf(`document.querySelector('#g%d-members [data-testid="member-count"]')`, id)
	if err := chromedp.Do(mod, chromedp.Navigate(s.URL+"/groups"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="group-list"]`))); err != nil {
		t.Fatal(err)
	}
	startMembers := jsValue[string](t, mod, memberCount+`.textContent`)
	if got := jsValue[string](t, mod, pending+`.textContent`); !strings.Contains(got, "2 条入群申请待审核") {
		t.Fatalf("the moderator's card says %q", got)
	}

	owner := phoneLogin(t, s.URL, "13800000002")
	if err := chromedp.Do(owner, chromedp.Navigate(members), chromedp.WaitVisible(chromedp.CSS(`[data-testid="members"]`))); err != nil {
		t.Fatal(err)
	}
	before := jsValue[int](t, owner, `document.querySelectorAll('[data-testid="member"]').length`)
	header := jsValue[string](t, owner, `document.querySelector('.group-head [data-testid="member-count"]').textContent`)
	if header != strconv.Itoa(before) || header != startMembers {
		t.Fatalf("header says %s members, the list has %d, the moderator's card %s", header, before, startMembers)
	}
	row := memberRow(target.Name)
	err := chromedp.Do(owner,
		tapJS(row+`.querySelector('summary')`),
		chromedp.WaitVisible(chromedp.JSPath(row+`.querySelector('[data-testid="remove"]')`)),
		tapJS(row+`.querySelector('[data-testid="remove"]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="field-error"]`)),
	)
	if err != nil {
		t.Fatalf("removal without a reason: %v", err)
	}
	// In place: that member's menu open, the message beside the reason
	// (and named by it for screen readers), the list whole.
	if n := jsValue[int](t, owner, `document.querySelectorAll('[data-testid="member"]').length`); n != before {
		t.Fatalf("%d members listed after the refusal, %d before", n, before)
	}
	if open := jsValue[bool](t, owner, row+`.querySelector('details.member-menu').open`); !open {
		t.Fatal("the member's menu is closed after the refusal")
	}
	if n := jsValue[int](t, owner, `document.querySelectorAll('details[open]').length`); n != 1 {
		t.Fatalf("%d menus open", n)
	}
	msg := jsValue[string](t, owner, `(() => { const i = `+row+`.querySelector('input[name="reason"]'); return document.getElementById(i.getAttribute('aria-describedby')).textContent.trim(); })()`)
	if !strings.Contains(msg, "理由") {
		t.Fatalf("beside the reason: %q", msg)
	}
	noSideScroll(t, owner, "members after a refusal (390 px)")

	err = chromedp.Do(owner,
		chromedp.SendKeys(chromedp.JSPath(row+`.querySelector('input[name="reason"]')`), "多次发布与教学无关的广告"),
		tapJS(row+`.querySelector('[data-testid="remove"]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if err != nil {
		t.Fatalf("removal with a reason: %v", err)
	}
	if got := jsValue[string](t, owner, `document.querySelector('[data-testid="flash"]').textContent`); !strings.Contains(got, "已移出 1 位成员") {
		t.Fatalf("flash: %q", got)
	}
	want := strconv.Itoa(before - 1)
	if got := jsValue[string](t, owner, `document.querySelector('.group-head [data-testid="member-count"]').textContent`); got != want {
		t.Fatalf("the header says %s members, want %s", got, want)
	}
	if jsValue[bool](t, owner, row+` !== undefined`) {
		t.Fatal("the removed parent is still listed")
	}
	// The moderator's open page followed without a reload.
	jsWait(t, mod, "the moderator's member count drops", memberCount+`.textContent === `+strconv.Quote(want))

	// Approving a request: the moderator's pending number drops live.
	if err := chromedp.Do(owner, chromedp.Navigate(fmt.Sprintf("%s/groups/%d/requests", s.URL, id)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="request"]`))); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(owner,
		tapJS(`document.querySelector('[data-testid="request"] [data-testid="approve"]')`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-ok"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The owner's own tab and header took the new numbers with the answer.
	tab := fmt.Sprintf(`document.querySelector('#g%d-pending-tab')`, id)
	if got := jsValue[string](t, owner, tab+`.textContent`); got != "1" {
		t.Fatalf("the tab says 入群申请 %s after an approval, want 1", got)
	}
	jsWait(t, mod, "the moderator's pending number drops", pending+`.textContent.includes('1 条入群申请待审核')`)
	jsWait(t, mod, "the moderator's member count grows", memberCount+`.textContent === `+strconv.Quote(strconv.Itoa(before)))
	if errs := modErrors.all(); len(errs) > 0 {
		t.Fatalf("script errors on the moderator's page: %q", errs)
	}

	// On a 360 px phone nothing is wider than the screen.
	phone360(t, owner)
	if err := chromedp.Do(owner, chromedp.Navigate(members), chromedp.WaitVisible(chromedp.CSS(`[data-testid="members"]`))); err != nil {
		t.Fatal(err)
	}
	noSideScroll(t, owner, "members (360 px)")
	names := jsValue[[][2]float64](t, owner, `[...document.querySelectorAll('.member-name')].map(n => [n.getBoundingClientRect().height, parseFloat(getComputedStyle(n).lineHeight)])`)
	for i, n := range names {
		if n[0] > n[1]*1.5 {
			t.Errorf("name %d takes %.0f px for %.0f px lines: it wraps", i, n[0], n[1])
		}
	}
	parent := memberRow("张伟")
	if err := chromedp.Do(owner, tapJS(parent+`.querySelector('summary')`), chromedp.WaitVisible(chromedp.JSPath(parent+`.querySelector('[data-testid="remove"]')`))); err != nil {
		t.Fatal(err)
	}
	noSideScroll(t, owner, "members with a menu open (360 px)")
	jsValue[bool](t, owner, `window.scrollTo(0, 0), true`)
	apptest.Screenshot(t, owner, "after-members-menu-open-360")

	if err := chromedp.Do(owner, chromedp.Navigate(fmt.Sprintf("%s/groups/%d/requests", s.URL, id)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="request"]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(owner, tapJS(`document.querySelector('details.reject > summary')`), chromedp.WaitVisible(chromedp.CSS(`[data-testid="reject"]`))); err != nil {
		t.Fatal(err)
	}
	noSideScroll(t, owner, "requests (360 px)")
	jsValue[bool](t, owner, `window.scrollTo(0, 0), true`)
	apptest.Screenshot(t, owner, "after-requests-360")

	// The other group screens fit too.
	for _, path := range []string{"/groups", fmt.Sprintf("/groups/%d/moderation", id), fmt.Sprintf("/groups/%d/invite", id)} {
		if err := chromedp.Do(owner, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatal(err)
		}
		noSideScroll(t, owner, path+" (360 px)")
		apptest.Screenshot(t, owner, "after-"+strings.NewReplacer("/", "-", fmt.Sprint(id), "id").Replace(strings.TrimPrefix(path, "/"))+"-360")
	}
	qr := jsValue[[2]float64](t, owner, `[document.querySelector('img.qr').getBoundingClientRect().right, window.innerWidth]`)
	if qr[0] > qr[1] {
		t.Errorf("the invite QR code ends at %.0f px on a %.0f px screen", qr[0], qr[1])
	}

	// The removed parent's old link.
	gone := phoneLogin(t, s.URL, target.Phone)
	phone360(t, gone)
	if err := chromedp.Do(gone, chromedp.Navigate(fmt.Sprintf("%s/groups/%d", s.URL, id)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error"]`))); err != nil {
		t.Fatal(err)
	}
	text := jsValue[string](t, gone, `document.querySelector('[data-testid="error"]').textContent`)
	if !strings.Contains(text, "您已被移出本群") || !strings.Contains(text, "多次发布与教学无关的广告") || !strings.Contains(text, "返回首页") {
		t.Fatalf("the removed parent sees %q", text)
	}
	noSideScroll(t, gone, "removed (360 px)")
	apptest.Screenshot(t, gone, "after-removed-parent-360")
	if err := chromedp.Do(gone, chromedp.Navigate(s.URL+"/join/"+s.c33.InviteCode), chromedp.WaitVisible(chromedp.CSS(`[data-testid="join-form"]`))); err != nil {
		t.Fatal(err)
	}
	noSideScroll(t, gone, "join (360 px)")
	apptest.Screenshot(t, gone, "after-join-360")
}
