package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
)

func TestAttendanceOverHTTP(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		at, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-13 18:00", sh) // a Friday
		s.world.Clock.Set(at.UTC())
		staffPage := map[string]int{"anonymous": 303, "parent-other": 403, "parent-member": 403, "teacher-class": 200, "teacher-other": 200, "moderator": 403, "owner": 200, "admin": 200}
		adminPage := map[string]int{"anonymous": 303, "parent-other": 403, "parent-member": 403, "teacher-class": 403, "teacher-other": 403, "moderator": 403, "owner": 403, "admin": 200}
		for path, want := range map[string]map[string]int{
			"/attendance": staffPage, "/approvals": staffPage,
			"/attendance/daily": adminPage, "/attendance/monthly": adminPage, "/attendance/monthly.csv?month=2026-11": adminPage,
			"/attendance/monthly.xlsx?month=2026-11": adminPage, "/admin/calendar": adminPage,
		} {
			for _, actor := range actors {
				if r := s.clients[actor].Get(path); r.StatusCode != want[actor] {
					t.Errorf("GET %s as %s: %d, want %d", path, actor, r.StatusCode, want[actor])
				}
			}
		}
		teacher := s.clients["teacher-class"]
		teacher.Get("/attendance")
		// A punch without coordinates is refused clearly.
		if r := teacher.Post("/attendance/punch", url.Values{"note": {"忘了开定位"}}); r.StatusCode != 422 || !strings.Contains(r.TestID("alert-error"), "定位") || r.InputValue("note") != "忘了开定位" {
			t.Errorf("punch without coordinates: %d %q", r.StatusCode, r.TestID("alert-error"))
		}
		if r := teacher.Post("/attendance/punch", url.Values{"lat": {"31.23"}, "lng": {"121.47"}, "accuracy": {"20"}}); r.StatusCode != 303 {
			t.Errorf("punch: %d", r.StatusCode)
		}
		// Three make-ups a month; the fourth is 422 with the reason.
		for i, d := range []string{"2026-11-09", "2026-11-10", "2026-11-11"} {
			if r := teacher.Post("/attendance/makeup", url.Values{"date": {d}, "which": {"in"}, "reason": {"忘记打卡"}}); r.StatusCode != 303 {
				t.Fatalf("make-up %d: %d", i+1, r.StatusCode)
			}
		}
		r := teacher.Post("/attendance/makeup", url.Values{"date": {"2026-11-12"}, "which": {"out"}, "reason": {"忘记打卡"}})
		if r.StatusCode != 422 || !strings.Contains(r.Body, "每月最多 3 次") || r.InputValue("date") != "2026-11-12" {
			t.Fatalf("over the quota: %d", r.StatusCode)
		}
		if r := teacher.Post("/attendance/leave", url.Values{"kind": {"病假"}, "start": {"2026-11-16T08:30"}, "end": {"2026-11-16T17:30"}, "reason": {"看病"}}); r.StatusCode != 303 {
			t.Fatalf("leave: %d", r.StatusCode)
		}
		// The principal approves (no department head here) from the inbox.
		admin := s.clients["admin"]
		r = admin.Get("/approvals")
		if n := r.Doc.Find(`[data-testid="approval"]`).Length(); n != 4 {
			t.Fatalf("principal's inbox: %d", n)
		}
		var a attendance.Approval
		g.Where("kind = ?", attendance.KindLeave).Take(&a)
		if got := s.clients["owner"].Post(fmt.Sprintf("/approvals/%d/approve", a.ID), nil).StatusCode; got != 404 {
			t.Errorf("another teacher approving: %d", got)
		}
		if got := admin.Post(fmt.Sprintf("/approvals/%d/approve", a.ID), nil).StatusCode; got != 303 {
			t.Errorf("principal approving: %d", got)
		}
		// A terminal file with an unknown phone or a bad time imports nothing and names the lines.
		admin.Get("/attendance/monthly")
		bad := "手机,姓名,打卡时间\n13800000003,陈志强,2026-11-12 08:05:13\n13999999999,某人,2026-11-12 08:06:00\n13800000004,赵敏,昨天八点\n"
		r = multipartForm(t, admin, "/admin/attendance/import", map[string]string{}, "terminal.csv", []byte(bad))
		if r.StatusCode != 422 || !strings.Contains(r.TestID("import-errors"), "第 3 行") || !strings.Contains(r.TestID("import-errors"), "第 4 行") {
			t.Fatalf("bad terminal file: %d %s", r.StatusCode, r.TestID("import-errors"))
		}
		var n int64
		g.Model(&attendance.Punch{}).Where("source = ?", attendance.SourceTerminal).Count(&n)
		if n != 0 {
			t.Fatal("a bad terminal file imported punches")
		}
		good := "手机,姓名,打卡时间\n13800000003,陈志强,2026-11-12 08:05:13\n13800000003,陈志强,2026-11-12 17:40:00\n"
		if r = multipartForm(t, admin, "/admin/attendance/import", map[string]string{}, "terminal.csv", []byte(good)); r.StatusCode != 303 {
			t.Fatalf("terminal import: %d", r.StatusCode)
		}
		csv := admin.Get("/attendance/monthly.csv?month=2026-11").Doc.Text()
		if !strings.HasPrefix(strings.TrimPrefix(csv, "\ufeff"), "姓名,手机,应出勤天数,出勤天数,迟到次数,早退次数,缺卡次数,旷工天数,外勤次数,请假天数,补卡次数") {
			t.Fatalf("csv header: %q", csv[:80])
		}
		if got := admin.Post("/attendance/monthly/confirm", url.Values{"month": {"2026-11"}}).StatusCode; got != 303 {
			t.Fatalf("confirm: %d", got)
		}
		if r := teacher.Post("/attendance/punch", url.Values{"lat": {"31.23"}, "lng": {"121.47"}, "accuracy": {"20"}}); r.StatusCode != 422 || !strings.Contains(r.TestID("alert-error"), "锁定") {
			t.Fatalf("punch into a confirmed month: %d", r.StatusCode)
		}
		if got := teacher.Post("/attendance/monthly/confirm", url.Values{"month": {"2026-10"}}).StatusCode; got != 403 {
			t.Fatalf("teacher confirming: %d", got)
		}
	})
}
