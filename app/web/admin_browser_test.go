package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
)

// adminBrowser opens a 360×740 phone logged in as the school's admin of s.
func adminBrowser(t *testing.T, s *school32) context.Context {
	t.Helper()
	ctx := apptest.Browser(t, 120*time.Second)
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	token := s.clients["admin"].Cookie("jx_session")
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "jx_session", Value: token, Domain: u.Hostname(), Path: "/"}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// pageWidth opens path, waits for ready and returns the page's scroll
// width and the layout viewport's width. (Under mobile emulation
// window.innerWidth grows with content wider than the screen, so it
// cannot tell.)
func pageWidth(t *testing.T, ctx context.Context, base, path, ready string) (scroll, inner int) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return w[0], w[1]
}

// TestAdminPagesOnAPhone opens the admin pages on a 360×740 phone: none
// is wider than the screen; the audit log is cards of sentences; the
// school point is filled from the phone's position and the distance
// check measures from it; the role change hides behind 管理.
func TestAdminPagesOnAPhone(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	w := s.world
	ctx := context.Background()
	head := w.ByPhone("13800000002")
	member := w.ByPhone("13900000001")
	if err := w.Groups.MuteMember(ctx, head, s.c32.ID, member.ID, 60); err != nil {
		t.Fatal(err)
	}
	if err := w.Groups.Remove(ctx, head, s.c32.ID, member.ID, "多次发布广告，提醒两次仍未改正", false); err != nil {
		t.Fatal(err)
	}
	if err := w.School.SetRole(ctx, w.ByPhone("13800000001"), w.ByPhone("13800000004").ID, auth.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	b := adminBrowser(t, s)
	var classURL string
	for _, p := range []struct{ name, path, ready string }{
		{"admin", "/admin", "[data-testid=admin-link]"},
		{"audit", "/admin/audit", "[data-testid=audit-entry]"},
		{"settings", "/admin/settings", "[data-testid=settings-form]"},
		{"users", "/admin/users", "[data-testid=user-row]"},
		{"roster", "/admin/roster", "[data-testid=classes]"},
		{"departments", "/admin/departments", "[data-testid=department]"},
		{"words", "/admin/words", "[data-testid=word-form]"},
	} {
		sw, cw := pageWidth(t, b, s.URL, p.path, p.ready)
		if sw > cw || cw > 360 {
			t.Errorf("%s is %d px wide on a %d px screen", p.path, sw, cw)
		}
		apptest.Screenshot(t, b, "after-"+p.name+"-360")
		if p.name == "roster" {
			href, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('[data-testid=classes] a').getAttribute('href')`))
			if err != nil {
				t.Fatal(err)
			}
			classURL = href
		}
	}
	if sw, cw := pageWidth(t, b, s.URL, classURL, "[data-testid=student]"); sw > cw {
		t.Errorf("%s is %d px wide on a %d px screen", classURL, sw, cw)
	}
	apptest.Screenshot(t, b, "after-class-360")

	// The audit log: a card per entry, the removal with its reason.
	if err := chromedp.Do(b, chromedp.Navigate(s.URL+"/admin/audit?kind=remove"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit-entry]`))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`[data-testid=audit]`)))
	if err != nil || !strings.Contains(text, "将 张伟 移出 三年级(2)班家校群，理由：多次发布广告，提醒两次仍未改正") || !strings.Contains(text, "禁言 1 小时") {
		t.Errorf("the removals on the phone: %q %v", text, err)
	}
	apptest.Screenshot(t, b, "after-audit-removals-360")

	// The users page: 管理 opens the role change with a confirmation.
	if err := chromedp.Do(b, chromedp.Navigate(s.URL+"/admin/users?role=teacher"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=user-actions] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid=user-actions] summary`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=set-role-admin]`))); err != nil {
		t.Fatal(err)
	}
	if sw, err := chromedp.Run(b, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)); err != nil || sw[0] > sw[1] {
		t.Errorf("the users page with a menu open: %v %v", sw, err)
	}
	apptest.Screenshot(t, b, "after-users-menu-360")

	// The school point from the phone's position, then the distance.
	u, _ := url.Parse(s.URL)
	if _, err := chromedp.CallBrowser(b, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted, Origin: u.Scheme + "://" + u.Host}); err != nil {
		t.Fatal(err)
	}
	lat, lng, acc := 31.2304, 121.4737, 12.0
	if _, err := chromedp.Call(b, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(b,
		chromedp.Navigate(s.URL+"/admin/settings"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=use-my-location]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=use-my-location]`)),
	)
	if err == nil {
		_, err = chromedp.Run(b, chromedp.Poll[bool](`document.querySelector('[name=school_lat]').value !== ''`))
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(b, chromedp.Evaluate[[]string](`[document.querySelector('[name=school_lat]').value, document.querySelector('[name=school_lng]').value, document.getElementById('point-status').textContent]`))
	if err != nil || got[0] != "31.230400" || got[1] != "121.473700" || !strings.Contains(got[2], "已填入您现在的位置（定位误差约 12 米）") {
		t.Fatalf("use my location: %q %v", got, err)
	}
	// The phone walks 450 m north: outside the 300 m radius.
	north := lat + 450/111195.0
	if _, err := chromedp.Call(b, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &north, Longitude: &lng, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`[data-testid=check-distance]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b, chromedp.Poll[bool](`document.getElementById('point-status').textContent.indexOf('您现在距离学校位置约') >= 0`)); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`[data-testid=point-status]`)))
	if err != nil || !strings.Contains(status, "约 450 米，在 300 米打卡范围外") {
		t.Errorf("distance check: %q %v", status, err)
	}
	me, err := chromedp.Run(b, chromedp.Evaluate[[]string](`(e => [e.getAttribute('visibility'), e.getAttribute('cy'), e.getAttribute('class')])(document.getElementById('point-me'))`))
	if err != nil || me[0] != "visible" || me[1] != "-112.0" || me[2] != "me outside" {
		t.Errorf("the phone on the map: %q %v", me, err)
	}
	apptest.Screenshot(t, b, "after-settings-point-360")
	err = chromedp.Do(b, chromedp.Submit(chromedp.CSS(`[data-testid=settings-form]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Settings.Get(ctx); got.SchoolLat != 31.2304 || got.SchoolLng != 121.4737 {
		t.Errorf("saved point: %v, %v", got.SchoolLat, got.SchoolLng)
	}
	apptest.Screenshot(t, b, "after-settings-saved-360")

	// And at a desk.
	if err := chromedp.Do(b, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ name, path, ready string }{
		{"audit", "/admin/audit", "[data-testid=audit-entry]"},
		{"settings", "/admin/settings", "[data-testid=settings-form]"},
		{"users", "/admin/users", "[data-testid=user-row]"},
	} {
		if sw, cw := pageWidth(t, b, s.URL, p.path, p.ready); sw > cw {
			t.Errorf("%s is %d px wide on a %d px screen", p.path, sw, cw)
		}
		apptest.Screenshot(t, b, "after-"+p.name+"-1280")
	}
}
