package web_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
)

// calCell is one dated cell of the month calendar as the page shows it.
type calCell struct {
	row, col int
	sel      *goquery.Selection
}

// calendarOf reads the month calendar: its weekday row and its dated
// cells by date, checking every week row has seven cells.
func calendarOf(t *testing.T, r *apptest.Response) ([]string, map[string]calCell) {
	t.Helper()
	cal := r.Doc.Find(`[data-testid="my-calendar"]`)
	if cal.Length() != 1 {
		t.Fatalf("no calendar on the page (%d)", r.StatusCode)
	}
	var head []string
	cal.Find(`thead th`).Each(func(_ int, s *goquery.Selection) { head = append(head, strings.TrimSpace(s.Text())) })
	cells := map[string]calCell{}
	cal.Find(`tbody tr`).Each(func(i int, tr *goquery.Selection) {
		if n := tr.Find("td").Length(); n != 7 {
			t.Errorf("week %d has %d cells", i+1, n)
		}
		tr.Find("td").Each(func(j int, td *goquery.Selection) {
			if d, ok := td.Attr("data-day"); ok {
				cells[d] = calCell{row: i, col: j, sel: td}
			}
		})
	})
	return head, cells
}

func linkedDays(cells map[string]calCell, testid string) []string {
	var out []string
	for d, c := range cells {
		if c.sel.Find(`[data-testid="`+testid+`"]`).Length() > 0 {
			out = append(out, d[8:])
		}
	}
	slices.Sort(out)
	return out
}

// The calendar has a weekday row from Monday and puts each day in its
// weekday's column, whatever weekday the month starts on.
func TestAttendanceCalendarColumns(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	s.world.Clock.Set(attAt("2026-11-18 10:00:05"))
	teacher := s.clients["teacher-other"]
	for _, c := range []struct {
		month string
		first int // the 1st's column, Monday 0
		weeks int
	}{
		{"2026-11", 6, 6}, // starts on a Sunday
		{"2026-12", 1, 5}, // a Tuesday
		{"2026-06", 0, 5}, // a Monday
		{"2027-02", 0, 4}, // a Monday, 28 days: four full weeks
		{"2026-08", 5, 6}, // a Saturday, 31 days
		{"2026-10", 3, 5}, // a Thursday, with the National Day holiday
	} {
		r := teacher.Get("/attendance?month=" + c.month)
		head, cells := calendarOf(t, r)
		if strings.Join(head, "") != "一二三四五六日" {
			t.Fatalf("%s: weekday row %v", c.month, head)
		}
		start, _ := time.Parse("2006-01", c.month)
		days := start.AddDate(0, 1, -1).Day()
		if len(cells) != days {
			t.Errorf("%s: %d dated cells, want %d", c.month, len(cells), days)
		}
		if n := r.Doc.Find(`[data-testid="my-calendar"] tbody tr`).Length(); n != c.weeks {
			t.Errorf("%s: %d weeks, want %d", c.month, n, c.weeks)
		}
		if first := cells[c.month+"-01"]; first.row != 0 || first.col != c.first {
			t.Errorf("%s: the 1st in row %d column %d, want column %d", c.month, first.row, first.col, c.first)
		}
		for d, cell := range cells {
			day, _ := time.Parse(time.DateOnly, d)
			if want := (int(day.Weekday()) + 6) % 7; cell.col != want {
				t.Errorf("%s in column %d, want %d (%s)", d, cell.col, want, day.Weekday())
			}
			if got := strings.TrimSpace(cell.sel.Find(".num").Text()); got != strconv.Itoa(day.Day()) {
				t.Errorf("%s labelled %q", d, got)
			}
		}
		if c.month == "2026-10" {
			if m := cells["2026-10-01"].sel.Find(".mark").Text(); m != "国庆节" {
				t.Errorf("1 October marked %q", m)
			}
			if m := cells["2026-10-10"].sel.Find(".mark").Text(); m != "班" { // a 调休 Saturday
				t.Errorf("10 October marked %q", m)
			}
		}
	}
}

// Today is marked; the days to come say nothing (no 未打卡 for tomorrow);
// a rest day is marked and says no status.
func TestAttendanceCalendarToday(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	attScene(t, s)
	r := s.clients["teacher-class"].Get("/attendance")
	_, cells := calendarOf(t, r)
	today := cells["2026-11-18"].sel
	if today.AttrOr("aria-current", "") != "date" || !today.HasClass("today") || r.Doc.Find(`[aria-current="date"]`).Length() != 1 {
		t.Errorf("today not marked: %q", today.AttrOr("class", ""))
	}
	for d := 19; d <= 30; d++ {
		c := cells[fmt.Sprintf("2026-11-%02d", d)].sel
		if _, has := c.Attr("data-status"); has || strings.Contains(c.Text(), "未打卡") || c.Find("a").Length() > 0 || !c.HasClass("future") {
			t.Errorf("11-%d, still to come, says %q", d, strings.TrimSpace(c.Text()))
		}
	}
	if c := cells["2026-11-17"].sel; c.AttrOr("data-status", "") != "旷工" {
		t.Errorf("yesterday without punches: %q", c.AttrOr("data-status", ""))
	}
	sun := cells["2026-11-22"].sel
	if sun.Find(".mark").Text() != "休" || !sun.HasClass("future") {
		t.Errorf("Sunday 22nd: %q %q", sun.Find(".mark").Text(), sun.AttrOr("class", ""))
	}
	// Next month is all to come.
	_, next := calendarOf(t, s.clients["teacher-class"].Get("/attendance?month=2026-12"))
	for d, c := range next {
		if _, has := c.sel.Attr("data-status"); has || c.sel.HasClass("today") {
			t.Errorf("%s, next month, has a status or is today", d)
		}
	}
}

// 补卡 is offered on exactly the flagged days a make-up would be accepted
// for: within five work days, while the month's quota lasts and until the
// month is confirmed. 请假 stays on every flagged day.
func TestAttendanceCalendarMakeupLinks(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		attScene(t, s)
		chen, zhao := s.clients["teacher-class"], s.clients["teacher-other"]
		// 陈志强: absent on the 10th (6 work days back), late on the 12th,
		// no clock-out on the 13th, absent on the 17th.
		r := chen.Get("/attendance")
		_, cells := calendarOf(t, r)
		if got := linkedDays(cells, "makeup-link"); !slices.Equal(got, []string{"12", "13", "17"}) {
			t.Errorf("陈志强's 补卡 days: %v", got)
		}
		if got := linkedDays(cells, "leave-link"); !slices.Equal(got, []string{"10", "12", "13", "17"}) {
			t.Errorf("陈志强's 请假 days: %v", got)
		}
		// The link fills the form: the day, and the missing clock-out.
		href := cells["2026-11-13"].sel.Find(`[data-testid="makeup-link"]`).AttrOr("href", "")
		form := chen.Get(strings.TrimSuffix(href, "#makeup"))
		if form.InputValue("date") != "2026-11-13" || form.Doc.Find(`select[name="which"] option[selected]`).AttrOr("value", "") != "out" ||
			form.Doc.Find(`details#makeup[open]`).Length() != 1 {
			t.Errorf("make-up form from %s: date %q which %q", href, form.InputValue("date"), form.Doc.Find(`select[name="which"] option[selected]`).AttrOr("value", ""))
		}
		if !strings.Contains(r.TestID("makeup-note"), "本月还可补卡 3 次") {
			t.Errorf("make-up note: %q", r.TestID("makeup-note"))
		}
		// Every link leads to a request the service takes, until the quota is used up.
		for _, d := range []string{"2026-11-12", "2026-11-13", "2026-11-17"} {
			if got := chen.Post("/attendance/makeup", url.Values{"date": {d}, "which": {"in"}, "reason": {"忘记打卡"}}); got.StatusCode != 303 {
				t.Fatalf("make-up for %s: %d %s", d, got.StatusCode, got.TestID("field-error"))
			}
		}
		r = chen.Get("/attendance")
		if !strings.Contains(r.TestID("flash"), "补卡申请已提交") {
			t.Errorf("after a make-up request: %q", r.TestID("flash"))
		}
		_, cells = calendarOf(t, r)
		if got := linkedDays(cells, "makeup-link"); len(got) != 0 || !strings.Contains(r.TestID("makeup-note"), "本月补卡次数已用完") {
			t.Errorf("quota used: 补卡 still on %v; %q", got, r.TestID("makeup-note"))
		}
		// 赵敏 never punched: every past work day is absent; the window is
		// the 11th to today (today is not over yet).
		_, cells = calendarOf(t, zhao.Get("/attendance"))
		if got := linkedDays(cells, "makeup-link"); !slices.Equal(got, []string{"11", "12", "13", "16", "17"}) {
			t.Errorf("赵敏's 补卡 days: %v", got)
		}
		if got := linkedDays(cells, "leave-link"); len(got) != 12 {
			t.Errorf("赵敏's 请假 days: %v", got)
		}
		// A confirmed month takes no make-ups.
		if got := s.clients["admin"].Post("/attendance/monthly/confirm", url.Values{"month": {"2026-11"}}); got.StatusCode != 303 {
			t.Fatalf("confirm: %d", got.StatusCode)
		}
		r = zhao.Get("/attendance")
		_, cells = calendarOf(t, r)
		if got := linkedDays(cells, "makeup-link"); len(got) != 0 || !strings.Contains(r.TestID("makeup-note"), "锁定") {
			t.Errorf("confirmed month: 补卡 on %v; %q", got, r.TestID("makeup-note"))
		}
		if got := zhao.Post("/attendance/makeup", url.Values{"date": {"2026-11-17"}, "which": {"in"}, "reason": {"忘记打卡"}}); got.StatusCode != 422 {
			t.Errorf("a make-up in the confirmed month: %d", got.StatusCode)
		}
	})
}

// One punch is shown once, as what it counts as: on a rest day and on a
// work day afternoon alike.
func TestAttendanceSinglePunchShownOnce(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	attScene(t, s)
	chen := s.clients["teacher-class"]
	s.world.Clock.Set(attAt("2026-11-15 11:00:00")) // Sunday; one punch at 09:30
	r := chen.Get("/attendance")
	punches := r.Doc.Find(`[data-testid="today-punch"]`)
	if punches.Length() != 1 || !strings.Contains(punches.Text(), "上班") || strings.Contains(punches.Text(), "下班") {
		t.Errorf("Sunday's one punch: %d lines %q", punches.Length(), punches.Text())
	}
	if !strings.Contains(r.TestID("day-note"), "打卡不计入考勤") {
		t.Errorf("rest day note: %q", r.TestID("day-note"))
	}
	_, cells := calendarOf(t, r)
	if n := cells["2026-11-15"].sel.Find(".t").Length(); n != 1 {
		t.Errorf("Sunday's cell shows %d times", n)
	}
	// A work day: the first punch of the day in the afternoon is the clock-out.
	s.world.Clock.Set(attAt("2026-11-19 14:00:00"))
	if got := chen.Post("/attendance/punch", url.Values{"lat": {"31.2305"}, "lng": {"121.4738"}, "accuracy": {"20"}}); got.StatusCode != 303 {
		t.Fatalf("punch: %d", got.StatusCode)
	}
	r = chen.Get("/attendance")
	punches = r.Doc.Find(`[data-testid="today-punch"]`)
	if punches.Length() != 1 || !strings.Contains(punches.Text(), "下班") || strings.Contains(punches.Text(), "上班") {
		t.Errorf("an afternoon's one punch: %d lines %q", punches.Length(), punches.Text())
	}
	if !strings.Contains(r.TestID("flash"), "下班打卡成功（14:00:00）") {
		t.Errorf("flash: %q", r.TestID("flash"))
	}
}

// The punch page's clock carries the server's time; the button says what
// the punch will count as, and when a first punch turns into a clock-out.
func TestAttendanceClockAndButton(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	attScene(t, s)
	s.world.Clock.Set(attAt("2026-11-19 08:05:09"))
	r := s.clients["teacher-class"].Get("/attendance")
	clock := r.Doc.Find(`[data-testid="clock"]`)
	if clock.AttrOr("data-now", "") != strconv.FormatInt(attAt("2026-11-19 08:05:09").UnixMilli(), 10) || clock.AttrOr("data-offset", "") != "28800" {
		t.Errorf("clock data: now %s offset %s", clock.AttrOr("data-now", ""), clock.AttrOr("data-offset", ""))
	}
	if r.TestID("clock-time") != "08:05:09" || !strings.Contains(clock.Text(), "11月19日 星期四") {
		t.Errorf("clock: %q", clock.Text())
	}
	form := r.Doc.Find(`[data-testid="punch-form"]`)
	if r.TestID("punch") != "上班打卡" || form.AttrOr("data-switch-at", "") != strconv.FormatInt(attAt("2026-11-19 13:00:00").UnixMilli(), 10) ||
		form.AttrOr("data-switch-action", "") != "下班打卡" {
		t.Errorf("before any punch: %q switching at %s", r.TestID("punch"), form.AttrOr("data-switch-at", ""))
	}
	if form.AttrOr("data-lat", "") != "31.2304" || form.AttrOr("data-lng", "") != "121.4737" || form.AttrOr("data-radius", "") != "300" ||
		form.AttrOr("data-max-accuracy", "") != "100" {
		t.Errorf("the school point the page checks against: %v", form.Nodes[0].Attr)
	}
	if r.TestID("today-status") != "未打卡" {
		t.Errorf("today before a punch: %q", r.TestID("today-status"))
	}
	if got := s.clients["teacher-class"].Post("/attendance/punch", url.Values{"lat": {"31.2305"}, "lng": {"121.4738"}, "accuracy": {"20"}}); got.StatusCode != 303 {
		t.Fatalf("punch: %d", got.StatusCode)
	}
	r = s.clients["teacher-class"].Get("/attendance")
	if r.TestID("punch") != "下班打卡" || r.Doc.Find(`[data-testid="punch-form"][data-switch-at]`).Length() != 0 {
		t.Errorf("after the clock-in: %q", r.TestID("punch"))
	}
	if !strings.Contains(r.TestID("flash"), "上班打卡成功（08:05:09）") || strings.Contains(r.TestID("flash"), "外勤") {
		t.Errorf("flash: %q", r.TestID("flash"))
	}
	if line := r.TestID("today-punch"); !strings.Contains(line, "上班") || !strings.Contains(line, "在范围内") {
		t.Errorf("the clock-in: %q", line)
	}
}

// A punch outside the fence needs a note (422 beside it, kept); taken
// with one, the answer and the list say 外勤 with the distance; a poor
// accuracy is warned about.
func TestAttendanceFieldPunchAndAccuracy(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		attScene(t, s)
		s.world.Clock.Set(attAt("2026-11-18 08:10:05"))
		zhao := s.clients["teacher-other"]
		zhao.Get("/attendance")
		far := url.Values{"lat": {"31.2504"}, "lng": {"121.4737"}, "accuracy": {"30"}}
		r := zhao.Post("/attendance/punch", far)
		if r.StatusCode != 422 || !strings.Contains(r.TestID("field-error"), "距学校约 2224 米") {
			t.Fatalf("outside without a note: %d %q", r.StatusCode, r.TestID("field-error"))
		}
		// The field is marked and names its message, for screen readers.
		note := r.Doc.Find(`input[name="note"]`)
		if id := note.AttrOr("aria-describedby", ""); note.AttrOr("aria-invalid", "") != "true" || id == "" ||
			!strings.Contains(r.Doc.Find("#"+id).Text(), "距学校约 2224 米") {
			t.Errorf("the note field: aria-invalid=%q aria-describedby=%q", note.AttrOr("aria-invalid", ""), id)
		}
		if r.Doc.Find(`[data-testid="punch-form"][data-note-error]`).Length() != 1 {
			t.Error("the refused note is not kept in view")
		}
		far.Set("note", "在区教育局参加教研活动")
		if r = zhao.Post("/attendance/punch", far); r.StatusCode != 303 {
			t.Fatalf("field punch: %d", r.StatusCode)
		}
		r = zhao.Get("/attendance")
		if f := r.TestID("flash"); !strings.Contains(f, "上班打卡成功（08:10:05）") || !strings.Contains(f, "外勤：距学校 2224 米") || strings.Contains(f, "定位精度") {
			t.Errorf("after the field punch: %q", f)
		}
		line := r.Doc.Find(`[data-testid="today-punch"].field`)
		if !strings.Contains(line.Text(), "外勤 · 距学校 2224 米") || !strings.Contains(line.Text(), "在区教育局参加教研活动") {
			t.Errorf("the field punch listed: %q", line.Text())
		}
		if r.TestID("today-status") != "外勤" {
			t.Errorf("today: %q", r.TestID("today-status"))
		}
		// Near the school, but the phone knows its place only to 450 m.
		s.world.Clock.Advance(8 * time.Hour)
		if r = zhao.Post("/attendance/punch", url.Values{"lat": {"31.2305"}, "lng": {"121.4738"}, "accuracy": {"450"}}); r.StatusCode != 303 {
			t.Fatalf("poor accuracy punch: %d", r.StatusCode)
		}
		r = zhao.Get("/attendance")
		if f := r.TestID("flash"); !strings.Contains(f, "下班打卡成功（16:10:05）") || !strings.Contains(f, "定位精度 450 米，结果可能不准") || strings.Contains(f, "外勤") {
			t.Errorf("after the poor accuracy punch: %q", f)
		}
		if w := r.TestID("punch-warn"); w != "定位精度 450 米，结果可能不准" {
			t.Errorf("warning on the punch: %q", w)
		}
		// A refreshed page says nothing again.
		if f := zhao.Get("/attendance").TestID("flash"); f != "" {
			t.Errorf("flash twice: %q", f)
		}
	})
}

// The daily board shows each teacher's day with field notes, places and
// poor accuracies; a day to come has no statuses.
func TestAttendanceDailyBoard(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		attScene(t, s)
		admin := s.clients["admin"]
		r := admin.Get("/attendance/daily?date=2026-11-18")
		var li *goquery.Selection
		r.Doc.Find(`[data-testid="board-row"]`).Each(func(_ int, row *goquery.Selection) {
			if strings.Contains(row.Text(), "李芳") {
				li = row
			}
		})
		if li == nil {
			t.Fatal("李芳 is not on the board")
		}
		text := li.Text()
		for _, want := range []string{"外勤 1 次", "08:25:00", "说明：带学生参加区运动会", "距学校 2215 米", "定位精度 450 米，结果可能不准"} {
			if !strings.Contains(text, want) {
				t.Errorf("李芳's card lacks %q: %q", want, text)
			}
		}
		if !strings.Contains(r.Doc.Find("h1").Text(), "11月18日 星期三") {
			t.Errorf("title: %q", r.Doc.Find("h1").Text())
		}
		r = admin.Get("/attendance/daily?date=2026-11-19")
		if strings.Contains(r.TestID("daily-board"), "未打卡") || !strings.Contains(r.TestID("daily-board"), "未到") {
			t.Errorf("tomorrow's board: %q", r.TestID("daily-board"))
		}
		// The 16th: 陈志强's field punch with its note.
		if b := admin.Get("/attendance/daily?date=2026-11-16").TestID("daily-board"); !strings.Contains(b, "在区教育局参加教研活动") {
			t.Errorf("the 16th: %q", b)
		}
	})
}

// Approvals, confirmations, imports and the school calendar answer with a
// one-time message; the school calendar keeps a refused day in place.
func TestAttendanceFlashes(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	attScene(t, s)
	chen, admin := s.clients["teacher-class"], s.clients["admin"]
	for _, d := range []string{"2026-11-12", "2026-11-13"} {
		if r := chen.Post("/attendance/makeup", url.Values{"date": {d}, "which": {"in"}, "reason": {"忘记打卡"}}); r.StatusCode != 303 {
			t.Fatalf("make-up: %d", r.StatusCode)
		}
	}
	var ids []uint64
	s.world.DB.Model(&attendance.Approval{}).Order("id").Pluck("id", &ids)
	admin.Get("/approvals")
	if r := admin.Post(fmt.Sprintf("/approvals/%d/approve", ids[0]), nil); r.StatusCode != 303 || r.Location() != "/approvals" {
		t.Fatalf("approve: %d %q", r.StatusCode, r.Location())
	}
	r := admin.Get("/approvals")
	if !strings.Contains(r.TestID("flash"), "已通过该申请") || r.Doc.Find(`[data-testid="approval"]`).Length() != 1 {
		t.Errorf("after approving: %q, %d left", r.TestID("flash"), r.Doc.Find(`[data-testid="approval"]`).Length())
	}
	if !strings.Contains(r.TestID("approval"), "提交于 11-18 10:00") {
		t.Errorf("the request: %q", r.TestID("approval"))
	}
	if r := admin.Post(fmt.Sprintf("/approvals/%d/reject", ids[1]), url.Values{"reason": {""}}); r.StatusCode != 422 {
		t.Errorf("reject without a reason: %d", r.StatusCode)
	}
	admin.Post(fmt.Sprintf("/approvals/%d/reject", ids[1]), url.Values{"reason": {"请先找教务处核实"}})
	if r := admin.Get("/approvals"); !strings.Contains(r.TestID("flash"), "已驳回该申请") || r.TestID("no-approvals") == "" {
		t.Errorf("after rejecting: %q", r.TestID("flash"))
	}
	if r := chen.Get("/attendance"); !strings.Contains(r.TestID("my-requests"), "驳回理由：请先找教务处核实") {
		t.Errorf("the teacher's requests: %q", r.TestID("my-requests"))
	}
	// The monthly page shows no text from its query.
	if r := admin.Get("/attendance/monthly?imported=" + url.QueryEscape("请致电 400-000-0000 领取奖金")); strings.Contains(r.Body, "领取奖金") {
		t.Error("the monthly page shows text from its query string")
	}
	good := "手机,姓名,打卡时间\n13800000004,赵敏,2026-11-12 08:05:13\n"
	if r := multipartForm(t, admin, "/admin/attendance/import", map[string]string{}, "terminal.csv", []byte(good)); r.StatusCode != 303 {
		t.Fatalf("import: %d", r.StatusCode)
	}
	if f := admin.Get("/attendance/monthly").TestID("flash"); f != "导入完成：新增 1 条，已有 0 条。" {
		t.Errorf("after the import: %q", f)
	}
	admin.Post("/attendance/monthly/confirm", url.Values{"month": {"2026-10"}})
	if r := admin.Get("/attendance/monthly?month=2026-10"); r.TestID("flash") != "已确认 2026 年 10 月的考勤，本月已锁定。" || r.TestID("confirmed") == "" {
		t.Errorf("after confirming: %q", r.TestID("flash"))
	}
	// The school calendar: a note too long is refused beside its field, what was typed kept.
	admin.Get("/admin/calendar")
	long := strings.Repeat("长", 101)
	r = admin.Post("/admin/calendar", url.Values{"day": {"2026-12-24"}, "work": {"1"}, "note": {long}})
	if r.StatusCode != 422 || !strings.Contains(r.TestID("field-error"), "100") || r.InputValue("day") != "2026-12-24" || r.InputValue("note") != long ||
		r.Doc.Find(`select[name="work"] option[selected]`).AttrOr("value", "") != "1" {
		t.Errorf("a note too long: %d %q", r.StatusCode, r.TestID("field-error"))
	}
	if r = admin.Post("/admin/calendar", url.Values{"day": {"2026-12-24"}, "work": {"0"}, "note": {"校庆"}}); r.StatusCode != 303 {
		t.Fatalf("calendar day: %d", r.StatusCode)
	}
	if r = admin.Get("/admin/calendar"); r.TestID("flash") != "校历安排已保存。" || !strings.Contains(r.TestID("calendar-days"), "2026-12-24") {
		t.Errorf("after saving a day: %q %q", r.TestID("flash"), r.TestID("calendar-days"))
	}
	// A bogus make-up date in the link fills nothing.
	if r = chen.Get("/attendance?makeup=" + url.QueryEscape("<b>明天</b>")); r.InputValue("date") != "" || r.Doc.Find(`details#makeup[open]`).Length() != 0 {
		t.Errorf("a bogus make-up date: %q", r.InputValue("date"))
	}
}
