package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/school"
	"jiaxiao/app/studentleave"
)

func TestStudentLeaveOverHTTP(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		var st school.Student
		if err := g.Where("student_no = ?", "20230201").Take(&st).Error; err != nil {
			t.Fatal(err)
		}
		sid := strconv.FormatUint(st.ID, 10)
		form := url.Values{"student_id": {sid}, "kind": {"病假"}, "start_date": {"2026-11-04"}, "start_half": {"am"},
			"end_date": {"2026-11-05"}, "end_half": {"pm"}, "reason": {"发烧"}, "symptoms": {"发热", "咳嗽"}}
		// Who may open the form and ask: the guardian only.
		newPage := map[string]int{"anonymous": 303, "parent-other": 200, "parent-member": 200, "teacher-class": 403, "teacher-other": 403, "moderator": 200, "owner": 403, "admin": 403}
		ask := map[string]int{"anonymous": 401, "parent-other": 403, "parent-member": 303, "teacher-class": 403, "teacher-other": 403, "moderator": 403, "owner": 403, "admin": 403}
		for _, actor := range actors {
			c := s.clients[actor]
			if r := c.Get("/leave/new"); r.StatusCode != newPage[actor] {
				t.Errorf("GET /leave/new as %s: %d, want %d", actor, r.StatusCode, newPage[actor])
			}
			if actor == "parent-member" {
				continue
			}
			if r := c.Post("/leave", cloneForm(form)); r.StatusCode != ask[actor] {
				t.Errorf("POST /leave as %s: %d, want %d", actor, r.StatusCode, ask[actor])
			}
		}
		parent := s.clients["parent-member"]
		// Refused in place: what was typed stays, the message sits by its field.
		bad := url.Values{"student_id": {sid}, "kind": {"病假"}, "start_date": {"2026-11-04"}, "start_half": {"am"}, "end_date": {"2026-11-03"}, "end_half": {"pm"}, "reason": {"发烧"}}
		r := parent.Post("/leave", bad)
		if r.StatusCode != 422 || !strings.Contains(r.Body, "病假请至少选择一项症状") || r.InputValue("reason") != "发烧" || r.InputValue("start_date") != "2026-11-04" {
			t.Fatalf("bad form: %d %s", r.StatusCode, r.TestID("field-error"))
		}
		r = parent.Post("/leave", cloneForm(form))
		if r.StatusCode != 303 || !strings.HasPrefix(r.Location(), "/leave") {
			t.Fatalf("ask: %d %s %s", r.StatusCode, r.Location(), r.Body)
		}
		r = parent.Get("/leave")
		if !strings.Contains(r.TestID("flash"), "请假申请已提交") || r.TestID("leave-status") != "待审批" || !strings.Contains(r.Body, "发热、咳嗽") {
			t.Fatalf("parent's list: %q %q", r.TestID("flash"), r.TestID("leave-status"))
		}
		if r.Doc.Find(`[data-testid="cancel"]`).Length() != 1 {
			t.Fatal("no cancel button before the start")
		}
		var l studentleave.Leave
		g.Order("id DESC").Take(&l)
		id := strconv.FormatUint(l.ID, 10)
		// The other class's parent sees none of it.
		if r := s.clients["parent-other"].Get("/leave"); r.Doc.Find(`[data-testid="leave"]`).Length() != 0 {
			t.Fatal("another parent sees the request")
		}
		// The head teacher sees it with the decision buttons; others may not decide.
		owner := s.clients["owner"]
		r = owner.Get("/leave")
		if r.Doc.Find(`[data-testid="approve-leave"]`).Length() != 1 || !strings.Contains(r.Body, "张小明") {
			t.Fatalf("head teacher's list: %s", r.Body)
		}
		if r := s.clients["teacher-other"].Get("/leave"); r.StatusCode != 200 || r.Doc.Find(`[data-testid="leave"]`).Length() != 0 {
			t.Fatalf("another class's head teacher: %d", r.StatusCode)
		}
		for _, actor := range []string{"parent-other", "parent-member", "teacher-class", "teacher-other", "moderator"} {
			if r := s.clients[actor].Post("/leave/"+id+"/approve", nil); r.StatusCode != 403 {
				t.Errorf("approve as %s: %d", actor, r.StatusCode)
			}
			if r := s.clients[actor].Post("/leave/"+id+"/reject", url.Values{"reason": {"不行"}}); r.StatusCode != 403 {
				t.Errorf("reject as %s: %d", actor, r.StatusCode)
			}
		}
		if r := s.clients["anonymous"].Post("/leave/"+id+"/approve", nil); r.StatusCode != 401 {
			t.Errorf("approve anonymously: %d", r.StatusCode)
		}
		r = owner.Post("/leave/"+id+"/reject", url.Values{"reason": {" "}})
		if r.StatusCode != 422 || !strings.Contains(r.TestID("field-error"), "请填写驳回理由") {
			t.Fatalf("reject without a reason: %d", r.StatusCode)
		}
		if r := owner.Post("/leave/"+id+"/approve", nil); r.StatusCode != 303 {
			t.Fatalf("approve: %d", r.StatusCode)
		}
		if r := owner.Get("/leave"); !strings.Contains(r.TestID("flash"), "已批准") || r.Doc.Find(`[data-testid="return"]`).Length() != 1 {
			t.Fatalf("after approving: %q", r.TestID("flash"))
		}
		if r := parent.Get("/leave"); r.TestID("leave-status") != "已批准" {
			t.Fatalf("parent after approval: %q", r.TestID("leave-status"))
		}
		if r := s.clients["parent-other"].Post("/leave/"+id+"/cancel", nil); r.StatusCode != 404 {
			t.Fatalf("another parent cancelling: %d", r.StatusCode)
		}
		if r := parent.Post("/leave/"+id+"/cancel", nil); r.StatusCode != 303 {
			t.Fatalf("cancel: %d", r.StatusCode)
		}
		if r := parent.Get("/leave"); r.TestID("leave-status") != "已撤销" || !strings.Contains(r.TestID("flash"), "请假已撤销") {
			t.Fatalf("after cancelling: %q", r.TestID("leave-status"))
		}
		if r := owner.Post("/leave/"+id+"/return", nil); r.StatusCode != 409 {
			t.Fatalf("marking back a cancelled request: %d", r.StatusCode)
		}
		// Asked again and approved: the morning view and the school's day show it.
		if r := parent.Post("/leave", cloneForm(form)); r.StatusCode != 303 {
			t.Fatalf("ask again: %d", r.StatusCode)
		}
		var again studentleave.Leave
		g.Order("id DESC").Take(&again)
		if r := owner.Post("/leave/"+strconv.FormatUint(again.ID, 10)+"/approve", nil); r.StatusCode != 303 {
			t.Fatalf("approve again: %d", r.StatusCode)
		}
		today := "/classes/" + strconv.FormatUint(st.ClassID, 10) + "/today?date=2026-11-04"
		classTeachers := map[string]int{"anonymous": 303, "parent-other": 403, "parent-member": 403, "teacher-class": 200, "teacher-other": 403, "moderator": 403, "owner": 200, "admin": 200}
		adminOnly := map[string]int{"anonymous": 303, "parent-other": 403, "parent-member": 403, "teacher-class": 403, "teacher-other": 403, "moderator": 403, "owner": 403, "admin": 200}
		for path, want := range map[string]map[string]int{today: classTeachers, "/admin/student-leave?date=2026-11-04": adminOnly, "/admin/student-leave.csv?date=2026-11-04": adminOnly} {
			for _, actor := range actors {
				if r := s.clients[actor].Get(path); r.StatusCode != want[actor] {
					t.Errorf("GET %s as %s: %d, want %d", path, actor, r.StatusCode, want[actor])
				}
			}
		}
		// The way there: 我的 for parents and head teachers, the list's link to the morning view.
		for actor, want := range map[string]bool{"parent-member": true, "owner": true, "admin": true, "teacher-class": false} {
			if got := strings.Contains(s.clients[actor].Get("/me").TestID("me-menu"), "学生请假"); got != want {
				t.Errorf("学生请假 in %s's 我的: %t", actor, got)
			}
		}
		if l := owner.Get("/leave").TestID("leave-link"); l != "三年级(2)班 今日出勤" {
			t.Errorf("head teacher's link: %q", l)
		}
		r = owner.Get(today)
		if r.Doc.Find(`[data-testid="pupil"]`).Length() < 7 || r.TestID("away-count") != "2026-11-04 · 请假 1 人" {
			t.Fatalf("morning view: %q", r.TestID("away-count"))
		}
		first := r.Doc.Find(`[data-testid="pupil"]`).First()
		if !strings.Contains(first.Text(), "张小明") || first.Find(`[data-testid="pupil-status"]`).Text() != "病假" || first.Find(`[data-testid="pupil-detail"]`).Text() != "全天 · 发热、咳嗽" {
			t.Fatalf("张小明 in the morning view: %q", first.Text())
		}
		if second := r.Doc.Find(`[data-testid="pupil-status"]`).Eq(1).Text(); second != "在校" {
			t.Fatalf("王芳: %q", second)
		}
		admin := s.clients["admin"]
		r = admin.Get("/admin/student-leave?date=2026-11-04")
		if r.TestID("day-total") != "2026-11-04 · 事假 0 人，病假 1 人" || !strings.Contains(r.TestID("by-symptom"), "发热 1 人") || !strings.Contains(r.TestID("by-class"), "三年级(2)班") {
			t.Fatalf("school's day: %q %q", r.TestID("day-total"), r.TestID("by-symptom"))
		}
		r = admin.Get("/admin/student-leave.csv?date=2026-11-04")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Doc.Text(), "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 2 || strings.Join(recs[0], ",") != "年级,班级,学号,姓名,类型,开始,结束,症状,状态" ||
			strings.Join(recs[1], ",") != "三年级,三年级(2)班,20230201,张小明,病假,2026-11-04 上午,2026-11-05 下午,发热、咳嗽,已批准" {
			t.Fatalf("csv: %q %v\n%s", recs, err, r.Body)
		}
		if r := admin.Get("/admin/student-leave?date=2026-11-09"); r.TestID("day-total") != "2026-11-09 · 事假 0 人，病假 0 人" {
			t.Fatalf("a day without leave: %q", r.TestID("day-total"))
		}
	})
}

// cloneForm copies a form: a client's Post adds its CSRF token to the map.
func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// A parent with no child admitted yet is told how to get there, not
// offered a form that would refuse them.
func TestStudentLeaveWithoutAChild(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	s.user(t, auth.RoleParent, "新家长", "13700009999")
	c := apptest.NewClient(t, s.URL)
	c.Login("13700009999", "secret-123")
	r := c.Get("/leave")
	if r.StatusCode != http.StatusOK || r.Doc.Find(`[data-testid="new-leave"]`).Length() != 0 || !strings.Contains(r.TestID("leave-no-child"), "班主任审核") {
		t.Fatalf("/leave without a child: %d, link %d, hint %q", r.StatusCode, r.Doc.Find(`[data-testid="new-leave"]`).Length(), r.TestID("leave-no-child"))
	}
	if r := s.clients["parent-member"].Get("/leave"); r.Doc.Find(`[data-testid="new-leave"]`).Length() != 1 {
		t.Error("a parent with a child admitted is not offered the form")
	}
}
