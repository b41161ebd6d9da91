package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
)

// attScene is a school on Wednesday 2026-11-18 at 10:00:05 (Shanghai) with
// the school point set and a few weeks of punches: 陈志强 (teacher-class) has
// normal days, an absent day (the 10th, out of the make-up window), a late
// day (12th), a missing clock-out (13th), a field day (16th), one punch on
// Sunday the 15th, nothing on the 17th and a clock-in today; 李芳 (owner)
// punched today far from school with a poor accuracy and a note; 赵敏
// (teacher-other) never punched.
func attScene(t *testing.T, s *school32) {
	t.Helper()
	ctx := context.Background()
	admin := s.world.ByPhone("13800000001")
	if _, err := s.world.Settings.Update(ctx, admin, map[string]string{"school_lat": "31.2304", "school_lng": "121.4737"}); err != nil {
		t.Fatal(err)
	}
	s.world.Clock.Set(attAt("2026-11-18 10:00:05"))
	chen, li := s.world.ByPhone("13800000003"), s.world.ByPhone("13800000002")
	add := func(u uint64, when string, field bool, dist, acc float64, note string) {
		at := attAt(when)
		p := attendance.Punch{UserID: u, At: at, Source: attendance.SourceGPS, Lat: 31.2304, Lng: 121.4737, Accuracy: acc, DistanceM: dist,
			Field: field, Flagged: acc > 100, Note: note, CreatedAt: at}
		if err := s.world.DB.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"02", "03", "04", "05", "06", "09", "11"} { // the 10th: absent
		add(chen.ID, "2026-11-"+d+" 08:12:00", false, 20, 15, "")
		add(chen.ID, "2026-11-"+d+" 17:41:00", false, 20, 15, "")
	}
	add(chen.ID, "2026-11-12 08:42:10", false, 30, 15, "") // late
	add(chen.ID, "2026-11-12 17:35:00", false, 30, 15, "")
	add(chen.ID, "2026-11-13 08:05:00", false, 25, 15, "") // no clock-out
	add(chen.ID, "2026-11-15 09:30:00", false, 25, 15, "") // Sunday: one punch
	add(chen.ID, "2026-11-16 08:20:00", true, 2215, 30, "在区教育局参加教研活动")
	add(chen.ID, "2026-11-16 17:45:00", false, 20, 15, "")
	add(chen.ID, "2026-11-18 08:20:00", false, 18, 12, "") // today
	add(li.ID, "2026-11-18 08:25:00", true, 2215, 450, "带学生参加区运动会")
}

func attAt(v string) time.Time {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	t, err := time.ParseInLocation("2006-01-02 15:04:05", v, sh)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// attBrowser is a phone's browser at width × height, signed in as the
// actor's client.
func attBrowser(t *testing.T, s *school32, actor string, width, height int64) context.Context {
	t.Helper()
	ctx := apptest.Browser(t, 120*time.Second)
	attViewport(t, ctx, width, height)
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "jx_session", Value: s.clients[actor].Cookie("jx_session"), URL: s.URL}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func attViewport(t *testing.T, ctx context.Context, width, height int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
}

// attPosition puts the phone at lat, lng with the accuracy, location allowed.
func attPosition(t *testing.T, ctx context.Context, origin string, lat, lng, acc float64) {
	t.Helper()
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted, Origin: origin}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
}

// attText waits until the element's text contains want and returns it.
func attText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	js := `(() => { const e = document.querySelector(` + jsString(sel) + `); return e && !e.hidden && e.textContent.includes(` + jsString(want) + `) ? e.textContent : ""; })()`
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	got, err := chromedp.Run(wait, chromedp.Poll[string](js))
	if err != nil {
		now, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {}).textContent || "(none)"`))
		t.Fatalf("%s never said %q; it says %q (%v)", sel, want, now, err)
	}
	return strings.TrimSpace(got)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// attFits fails when the page is wider than the screen.
func attFits(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil || len(w) != 2 || w[0] > w[1] {
		t.Errorf("%s: page %v wide on a screen of that width (scrollWidth, innerWidth) %v", what, w, err)
	}
}

// attShot saves a picture of one element beside apptest.Screenshot's.
func attShot(t *testing.T, ctx context.Context, sel, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(apptest.ArtifactsDir(t), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, t.Name()+"-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// On a phone the punch page says where the phone is before the punch:
// in range near the school, how far and 外勤 far from it, a warning when
// the accuracy is poor; a field punch asks for its note in place and is
// then taken with 外勤 in the answer. At 360 px nothing is wider than the
// screen.
func TestAttendancePhoneBrowser(t *testing.T) {
	s := newSchool(t, apptest.SQLite(t))
	attScene(t, s)
	teacher := attBrowser(t, s, "teacher-class", 390, 844)
	attPosition(t, teacher, s.URL, 31.2305, 121.4738, 15) // about 15 m from the school point
	if err := chromedp.Do(teacher, chromedp.Navigate(s.URL+"/attendance"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="punch-form"]`))); err != nil {
		t.Fatal(err)
	}
	if got := attText(t, teacher, `[data-testid="punch-status"]`, "在范围内"); !strings.Contains(got, "距学校 14 米") && !strings.Contains(got, "距学校 15 米") {
		t.Errorf("near the school: %q", got)
	}
	// The clock runs from the server's time (10:00:05 on the test's clock),
	// not the phone's.
	clock := attText(t, teacher, `[data-testid="clock-time"]`, "10:0")
	if clock < "10:00:05" || clock > "10:01:05" {
		t.Errorf("clock: %q", clock)
	}
	if b := attText(t, teacher, `[data-testid="punch"]`, "打卡"); b != "下班打卡" {
		t.Errorf("the button after a clock-in: %q", b)
	}
	apptest.Screenshot(t, teacher, "1-in-range")

	attPosition(t, teacher, s.URL, 31.2504, 121.4737, 30) // about 2.2 km north
	if err := chromedp.Do(teacher, chromedp.Click(chromedp.CSS(`[data-testid="relocate"]`))); err != nil {
		t.Fatal(err)
	}
	if got := attText(t, teacher, `[data-testid="punch-status"]`, "超出打卡范围"); got != "距学校 2224 米，超出打卡范围（将记为外勤）" {
		t.Errorf("far from the school: %q", got)
	}
	// Punching there without a note: asked for in place, nothing sent.
	if err := chromedp.Do(teacher, chromedp.Click(chromedp.CSS(`[data-testid="punch"]`))); err != nil {
		t.Fatal(err)
	}
	attText(t, teacher, `[data-testid="field-error"]`, "外勤打卡请填写说明")
	var n int64
	s.world.DB.Model(&attendance.Punch{}).Where("user_id = ?", s.world.ByPhone("13800000003").ID).Count(&n)
	apptest.Screenshot(t, teacher, "2-field-needs-note")

	attPosition(t, teacher, s.URL, 31.2305, 121.4738, 450)
	if err := chromedp.Do(teacher, chromedp.Click(chromedp.CSS(`[data-testid="relocate"]`))); err != nil {
		t.Fatal(err)
	}
	attText(t, teacher, `[data-testid="punch-accuracy"]`, "定位精度 450 米，结果可能不准，建议到室外或打开 Wi-Fi 后重试")
	apptest.Screenshot(t, teacher, "3-poor-accuracy")

	// Location refused: the page says so and what to do.
	if _, err := chromedp.CallBrowser(teacher, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingDenied, Origin: s.URL}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(teacher, chromedp.Click(chromedp.CSS(`[data-testid="relocate"]`))); err != nil {
		t.Fatal(err)
	}
	if got := attText(t, teacher, `[data-testid="punch-status"]`, "定位失败"); !strings.Contains(got, "允许本网站使用位置信息") {
		t.Errorf("location refused: %q", got)
	}
	if hidden, err := chromedp.Run(teacher, chromedp.Evaluate[bool](`document.querySelector('[data-testid="punch-accuracy"]').hidden`)); err != nil || !hidden {
		t.Errorf("the accuracy warning outlives the position: hidden=%v %v", hidden, err)
	}
	apptest.Screenshot(t, teacher, "3b-location-refused")

	// The field punch, with its note.
	attPosition(t, teacher, s.URL, 31.2504, 121.4737, 30)
	if err := chromedp.Do(teacher, chromedp.Click(chromedp.CSS(`[data-testid="relocate"]`))); err != nil {
		t.Fatal(err)
	}
	attText(t, teacher, `[data-testid="punch-status"]`, "超出打卡范围")
	s.world.Clock.Advance(7 * time.Hour) // 17:00:05
	err := chromedp.Do(teacher,
		chromedp.SendKeys(chromedp.CSS(`input[name="note"]`), "在区教育局参加教研活动"),
		chromedp.Click(chromedp.CSS(`[data-testid="punch"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := attText(t, teacher, `[data-testid="flash"]`, "外勤"); !strings.Contains(got, "下班打卡成功（17:00:05）") || !strings.Contains(got, "距学校 2224 米") {
		t.Errorf("after the field punch: %q", got)
	}
	var after int64
	s.world.DB.Model(&attendance.Punch{}).Where("user_id = ?", s.world.ByPhone("13800000003").ID).Count(&after)
	if after != n+1 {
		t.Errorf("punches: %d before the note, %d after the punch", n, after)
	}
	apptest.Screenshot(t, teacher, "4-field-punched")

	// 360 px: the punch page and its calendar fit.
	attViewport(t, teacher, 360, 740)
	if err := chromedp.Do(teacher, chromedp.Navigate(s.URL+"/attendance"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="my-calendar"]`))); err != nil {
		t.Fatal(err)
	}
	attText(t, teacher, `[data-testid="punch-status"]`, "米")
	attFits(t, teacher, "punch page at 360 px")
	apptest.Screenshot(t, teacher, "punch-360")
	attShot(t, teacher, `.my-month`, "calendar-360")

	// A request waiting for the principal.
	if r := s.clients["teacher-other"].Post("/attendance/makeup", url.Values{"date": {"2026-11-17"}, "which": {"in"}, "reason": {"去区里开会，忘记打卡"}}); r.StatusCode != 303 {
		t.Fatalf("make-up request: %d", r.StatusCode)
	}
	admin := attBrowser(t, s, "admin", 360, 740)
	for _, p := range []struct{ path, wait, name string }{
		{"/attendance/daily?date=2026-11-18", `[data-testid="daily-board"]`, "daily-360"},
		{"/attendance/monthly?month=2026-11", `[data-testid="monthly"]`, "monthly-360"},
		{"/approvals", `[data-testid="approval"]`, "approvals-360"},
		{"/admin/calendar", `[data-testid="calendar-form"]`, "admin-calendar-360"},
	} {
		if err := chromedp.Do(admin, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
			t.Fatal(err)
		}
		attFits(t, admin, p.path+" at 360 px")
		apptest.Screenshot(t, admin, p.name)
	}
	// And on a desk.
	attViewport(t, admin, 1280, 800)
	for _, p := range []struct{ path, wait, name string }{
		{"/attendance", `[data-testid="my-calendar"]`, "punch-1280"},
		{"/attendance/daily?date=2026-11-18", `[data-testid="daily-board"]`, "daily-1280"},
	} {
		if err := chromedp.Do(admin, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
			t.Fatal(err)
		}
		attFits(t, admin, p.path+" at 1280 px")
		apptest.Screenshot(t, admin, p.name)
	}
}
