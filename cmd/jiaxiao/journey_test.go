package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

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
	login(t, parent, "13900000004", "parent-2026")
	// Made on the command line, the parent has not agreed to the privacy
	// notice: asked first, then brought back to the join form.
	err := chromedp.Do(parent,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="consent-page"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="consent-agree"]`)),
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

// A head teacher posts and a parent sees it live; the head teacher removes
// the parent, whose open page loses the group at once.
func TestModerationJourney(t *testing.T) {
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	out, _, _ := jiaxiao(t, dir, env, "group", "list")
	var groupID string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Split(l, "\t"); len(f) == 5 && f[2] == "三年级(2)班家校群" {
			groupID = f[0]
		}
	}
	p := serve(t, dir, env)
	feed := p.base + "/groups/" + groupID

	parent := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(parent, chromedp.Navigate(feed)); err != nil {
		t.Fatal(err)
	}
	login(t, parent, "13900000001", "jiaxiao2026")
	if err := chromedp.Do(parent, chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose"]`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, parent, "1-parent-feed")

	teacher := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(teacher, chromedp.Navigate(feed)); err != nil {
		t.Fatal(err)
	}
	login(t, teacher, "13800000002", "jiaxiao2026")
	err := chromedp.Do(teacher,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compose"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="compose-body"]`), "请各位家长周五前交回安全责任书。"),
		chromedp.Click(chromedp.CSS(`[data-testid="compose-send"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The parent's open page shows it without a reload.
	live := chromedp.JSPath(`[...document.querySelectorAll('[data-testid="message-body"]')].find(p => p.textContent.includes('安全责任书'))`)
	if err := chromedp.Do(parent, chromedp.WaitVisible(live)); err != nil {
		t.Fatalf("live message: %v", err)
	}
	apptest.Screenshot(t, parent, "2-live-message")

	// A banned message is refused with its category, the text kept.
	err = chromedp.Do(parent,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="compose-body"]`), "兼职刷单日结，加微信"),
		chromedp.Click(chromedp.CSS(`[data-testid="compose-send"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#composer [data-testid="alert-error"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	alert, _ := chromedp.Run(parent, chromedp.Text(chromedp.CSS(`#composer [data-testid="alert-error"]`)))
	kept, _ := chromedp.Run(parent, chromedp.Value(chromedp.CSS(`[data-testid="compose-body"]`)))
	if !strings.Contains(alert, "商业广告") || kept != "兼职刷单日结，加微信" {
		t.Fatalf("refusal: %q, kept %q", alert, kept)
	}
	apptest.Screenshot(t, parent, "3-refused")

	row := `[...document.querySelectorAll('[data-testid="member"]')].find(r => r.textContent.includes('张小明爸爸'))`
	err = chromedp.Do(teacher,
		chromedp.Navigate(feed+"/members"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="members"]`)),
		chromedp.Click(chromedp.JSPath(row+`.querySelector('summary')`)),
		chromedp.SendKeys(chromedp.JSPath(row+`.querySelector('input[name="reason"]')`), "多次发布与教学无关的内容"),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, teacher, "4-remove-form")
	if err := chromedp.Do(teacher, chromedp.Click(chromedp.JSPath(row+`.querySelector('[data-testid="remove"]')`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="members"]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(parent, chromedp.WaitVisible(chromedp.CSS(`[data-testid="removed-notice"]`))); err != nil {
		t.Fatalf("the removed parent's page kept the feed: %v", err)
	}
	apptest.Screenshot(t, parent, "5-removed")
	// Reloading confirms it: the group is gone for them, the reason is in their notices.
	if err := chromedp.Do(parent, chromedp.Navigate(feed), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error"]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(parent, chromedp.Navigate(p.base+"/notifications"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notification"]`))); err != nil {
		t.Fatal(err)
	}
	notes, _ := chromedp.Run(parent, chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(notes, "多次发布与教学无关的内容") {
		t.Fatalf("notifications: %q", notes)
	}
	apptest.Screenshot(t, parent, "6-notification")
}

// fetchText downloads a URL inside the page (with its cookies) and returns
// the status, the Content-Disposition and the body.
func fetchText(t *testing.T, ctx context.Context, url string) (int, string, string) {
	t.Helper()
	type result struct {
		Status      int    `json:"status"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"`
	}
	js := `fetch(` + strconvQuote(url) + `).then(async r => ({status: r.status, disposition: r.headers.get('content-disposition') || '', body: await r.text()}))`
	res, err := chromedp.Run(ctx, chromedp.Evaluate[result](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return res.Status, res.Disposition, res.Body
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// A teacher publishes a notice with an attachment to a class; a parent
// opens it, downloads the attachment and taps 收到; the teacher sees 1 / N
// read and acknowledged and downloads the CSV.
func TestNoticeJourney(t *testing.T) {
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	p := serve(t, dir, env)
	pdf := filepath.Join(dir, "秋游须知.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n秋游须知：带好水杯。\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	teacher := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(teacher, chromedp.Navigate(p.base+"/notices/new")); err != nil {
		t.Fatal(err)
	}
	login(t, teacher, "13800000002", "jiaxiao2026")
	classBox := chromedp.JSPath(`[...document.querySelectorAll('input[name="group_id"]')].find(i => i.parentElement.textContent.includes('三年级(2)班'))`)
	err := chromedp.Do(teacher,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="notice-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "秋游通知"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="body"]`), "本周五秋游，请阅读附件并点“收到”。"),
		chromedp.Click(classBox),
		chromedp.Click(chromedp.CSS(`input[name="requires_ack"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{pdf}),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, teacher, "1-compose")
	if err := chromedp.Do(teacher, chromedp.Click(chromedp.CSS(`[data-testid="notice-submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notice"]`))); err != nil {
		t.Fatal(err)
	}
	noticeURL, err := chromedp.Run(teacher, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	parent := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(parent, chromedp.Navigate(p.base+"/notices")); err != nil {
		t.Fatal(err)
	}
	login(t, parent, "13900000001", "jiaxiao2026")
	row := chromedp.JSPath(`[...document.querySelectorAll('[data-testid="notice-row"] a')].find(a => a.textContent.includes('秋游通知'))`)
	if err := chromedp.Do(parent, chromedp.WaitVisible(row), chromedp.Click(row), chromedp.WaitVisible(chromedp.CSS(`[data-testid="ack"]`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, parent, "2-parent-notice")
	href, err := chromedp.Run(parent, chromedp.Evaluate[string](`document.querySelector('[data-testid="notice-attachment"]').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	status, disp, body := fetchText(t, parent, href)
	if status != 200 || !strings.Contains(disp, "filename*=UTF-8''%E7%A7%8B%E6%B8%B8") || !strings.Contains(body, "带好水杯") {
		t.Fatalf("attachment download: %d %q %q", status, disp, body)
	}
	if err := chromedp.Do(parent, chromedp.Click(chromedp.CSS(`[data-testid="ack"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="acked"]`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, parent, "3-acknowledged")

	if err := chromedp.Do(teacher, chromedp.Navigate(noticeURL+"/receipts"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="read-count"]`))); err != nil {
		t.Fatal(err)
	}
	read, _ := chromedp.Run(teacher, chromedp.Text(chromedp.CSS(`[data-testid="read-count"]`)))
	acked, _ := chromedp.Run(teacher, chromedp.Text(chromedp.CSS(`[data-testid="ack-count"]`)))
	// 三年级(2)班's recipients: 陈志强 and the three admitted parents.
	if read != "已读 1 / 4" || acked != "已确认 1 / 4" {
		t.Fatalf("progress: %q %q", read, acked)
	}
	apptest.Screenshot(t, teacher, "4-receipts")
	status, disp, body = fetchText(t, teacher, noticeURL+"/receipts.csv")
	if status != 200 || !strings.HasPrefix(strings.TrimPrefix(body, "\ufeff"), "姓名,手机,身份,学生,已读时间,确认时间") || !strings.Contains(body, "张伟,13900000001,家长,张小明（三年级(2)班）") {
		t.Fatalf("csv: %d %q\n%s", status, disp, body)
	}
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func setPosition(t *testing.T, ctx context.Context, origin string, lat, lng, acc float64) {
	t.Helper()
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted, Origin: origin}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
}

// A teacher punches inside the geofence, then outside it with a note; the
// principal sees both on the daily board and downloads the month as .xlsx.
func TestAttendanceJourney(t *testing.T) {
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	p := serve(t, dir, env)

	principal := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(principal, chromedp.Navigate(p.base+"/admin/settings")); err != nil {
		t.Fatal(err)
	}
	login(t, principal, "13800000001", "jiaxiao2026")
	err := chromedp.Do(principal,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="settings-form"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="school_lat"]`), "31.2304"),
		chromedp.SetValue(chromedp.CSS(`input[name="school_lng"]`), "121.4737"),
		chromedp.Submit(chromedp.CSS(`[data-testid="settings-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}

	// Whatever day the test runs on, the school makes it a work day.
	today := time.Now().In(shanghai).Format(time.DateOnly)
	err = chromedp.Do(principal,
		chromedp.Navigate(p.base+"/admin/calendar"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="calendar-form"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="day"]`), today),
		chromedp.SetValue(chromedp.CSS(`select[name="work"]`), "1"),
		chromedp.SetValue(chromedp.CSS(`input[name="note"]`), "测试上课日"),
		chromedp.Submit(chromedp.CSS(`[data-testid="calendar-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="calendar-days"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	days, _ := chromedp.Run(principal, chromedp.Text(chromedp.CSS(`[data-testid="calendar-days"]`)))
	if !strings.Contains(days, today) {
		t.Fatalf("calendar days: %q", days)
	}

	before := monthRow(t, principal, p.base, "李芳")

	teacher := apptest.Browser(t, 120*time.Second)
	if err := chromedp.Do(teacher, chromedp.Navigate(p.base+"/attendance")); err != nil {
		t.Fatal(err)
	}
	login(t, teacher, "13800000002", "jiaxiao2026")
	setPosition(t, teacher, p.base, 31.2305, 121.4738, 15) // about 15 m from the school point
	err = chromedp.Do(teacher,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="punch-form"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="punch"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, teacher, "1-punched-inside")
	// Outside the fence: refused without a note, taken with one.
	setPosition(t, teacher, p.base, 31.2504, 121.4737, 30) // about 2.2 km away
	err = chromedp.Do(teacher,
		chromedp.Click(chromedp.CSS(`[data-testid="punch"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="field-error"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, teacher, "2-outside-needs-note")
	err = chromedp.Do(teacher,
		chromedp.SendKeys(chromedp.CSS(`input[name="note"]`), "在区教育局参加教研活动"),
		chromedp.Click(chromedp.CSS(`[data-testid="punch"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The field punch is listed once its answer loads (the first punch's
	// message stays on the page until then).
	if err := chromedp.Do(teacher, chromedp.WaitVisible(chromedp.CSS(`[data-testid="today-punch"].field`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, teacher, "3-field-punch")

	err = chromedp.Do(principal, chromedp.Navigate(p.base+"/attendance/daily"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="daily-board"]`)))
	if err != nil {
		t.Fatal(err)
	}
	row, err := chromedp.Run(principal, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="board-row"]')].find(r => r.textContent.includes('李芳')).innerText`))
	if err != nil || !strings.Contains(row, "外勤 1 次") || strings.Count(row, ":") < 4 {
		t.Fatalf("board row of 李芳: %q %v", row, err)
	}
	apptest.Screenshot(t, principal, "4-daily-board")
	if err := chromedp.Do(principal, chromedp.Navigate(p.base+"/attendance/monthly"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart"]`))); err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, principal, "5-monthly")
	after := monthRow(t, principal, p.base, "李芳")
	if len(after) != 11 || len(before) != 11 {
		t.Fatalf("李芳's rows: %v, %v", before, after)
	}
	b, _ := strconv.Atoi(before[8])
	a, _ := strconv.Atoi(after[8])
	if a != b+1 {
		t.Fatalf("field punches this month: %d before, %d after (want one more)", b, a)
	}
}

// monthRow downloads the month as .xlsx in the browser, checks the header
// with excelize and returns one teacher's row.
func monthRow(t *testing.T, ctx context.Context, base, name string) []string {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/attendance/monthly"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="monthly-xlsx"]`)))
	if err != nil {
		t.Fatal(err)
	}
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch(document.querySelector('[data-testid="monthly-xlsx"]').href).then(r => r.arrayBuffer()).then(b => { let s = ''; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || strings.Join(rows[0], ",") != "姓名,手机,应出勤天数,出勤天数,迟到次数,早退次数,缺卡次数,旷工天数,外勤次数,请假天数,补卡次数" {
		t.Fatalf("header: %v %v", rows, err)
	}
	for _, r := range rows[1:] {
		if r[0] == name {
			return r
		}
	}
	return nil
}
