package studentleave_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/group"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/studentleave"
)

var sh, _ = time.LoadLocation("Asia/Shanghai")

const roster = `年级,班级,学号,姓名
3,2,20230201,张小明
3,2,20230202,王芳
3,2,20230203,刘洋
3,3,20230301,赵雷
4,1,20240101,孙悦
`

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级2班,
赵敏,13800000004,教师,英语教研组,3年级3班,3年级3班
周平,13800000005,教师,英语教研组,4年级1班,4年级1班
`

type fx struct {
	*apptest.World
	admin, head, teacher, headOther *auth.User
	// parent of 张小明 (3-2); parent of 赵雷 (3-3); parent of 王芳 whose
	// request is pending; parent of 刘洋 removed from the class group;
	// parent of 孙悦 (4-1).
	parent, parentOther, pending, removed, parent41 *auth.User
	students                                        map[string]uint64
}

func setup(t *testing.T, g *gorm.DB) *fx {
	w := apptest.NewWorld(t, g)
	ctx := context.Background()
	w.Students(roster, school.ImportOptions{})
	w.Staff(staff)
	f := &fx{World: w, admin: w.ByPhone("13800000001"), head: w.ByPhone("13800000002"), teacher: w.ByPhone("13800000003"),
		headOther: w.ByPhone("13800000004"), students: map[string]uint64{}}
	var sts []school.Student
	if err := g.Find(&sts).Error; err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		f.students[st.Name] = st.ID
	}
	join := func(name, phone string, grade, number int, no, child string, approve bool) *auth.User {
		u := w.User(auth.RoleParent, name, phone)
		gr := w.ClassGroup(grade, number)
		req, err := w.Groups.Join(ctx, u, gr.InviteCode, group.JoinInput{StudentNo: no, StudentName: child, Relation: "母亲"})
		if err != nil {
			t.Fatal(err)
		}
		if approve {
			if err := w.Groups.Approve(ctx, f.admin, gr.ID, req.ID); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	f.parent = join("张伟", "13900000001", 3, 2, "20230201", "张小明", true)
	f.parentOther = join("赵国庆", "13900000006", 3, 3, "20230301", "赵雷", true)
	f.pending = join("王强", "13900000003", 3, 2, "20230202", "王芳", false)
	f.removed = join("刘敏", "13900000004", 3, 2, "20230203", "刘洋", true)
	f.parent41 = join("孙丽", "13900000007", 4, 1, "20240101", "孙悦", true)
	if err := w.Groups.Remove(ctx, f.head, w.ClassGroup(3, 2).ID, f.removed.ID, "发广告", false); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fx) at(local string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", local, sh)
	if err != nil {
		panic(err)
	}
	f.Clock.Set(t.UTC())
}

func sick(student uint64, start, sh, end, eh string, symptoms ...string) studentleave.RequestInput {
	return studentleave.RequestInput{StudentID: student, Kind: studentleave.Sick, StartDate: start, StartHalf: sh, EndDate: end, EndHalf: eh,
		Reason: "发烧在家休息", Symptoms: symptoms}
}

func personal(student uint64, start, sh, end, eh string) studentleave.RequestInput {
	return studentleave.RequestInput{StudentID: student, Kind: studentleave.Personal, StartDate: start, StartHalf: sh, EndDate: end, EndHalf: eh, Reason: "回老家"}
}

func fieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	v, ok := apperr.AsValidation(err)
	if !ok || !strings.Contains(v.Fields[field], want) {
		t.Fatalf("want %s: %q, got %v", field, want, err)
	}
}

func TestHalfDaysOnTheOfficialCalendar(t *testing.T) {
	t.Parallel()
	var cal calendar.Calendar
	school := calendar.Calendar{Overrides: map[calendar.Day]bool{"2026-11-06": false, "2026-11-07": true}}
	for _, c := range []struct {
		name               string
		cal                calendar.Calendar
		start, sh, end, eh string
		want               int
	}{
		{"one morning", cal, "2026-11-02", "am", "2026-11-02", "am", 1},
		{"one afternoon", cal, "2026-11-02", "pm", "2026-11-02", "pm", 1},
		{"one day", cal, "2026-11-02", "am", "2026-11-02", "pm", 2},
		{"Friday afternoon to Monday morning, across the weekend", cal, "2026-11-06", "pm", "2026-11-09", "am", 2},
		{"a weekend only", cal, "2026-11-07", "am", "2026-11-08", "pm", 0},
		// 28 Sep – 12 Oct 2026: 国庆 1–7 Oct off, Saturday 10 Oct a 调休 school day, Sunday 11 Oct off.
		{"across 国庆 with its 调休 Saturday", cal, "2026-09-28", "pm", "2026-10-12", "pm", 13},
		{"the 调休 Saturday alone", cal, "2026-10-10", "am", "2026-10-10", "pm", 2},
		{"a holiday weekday alone", cal, "2026-10-05", "am", "2026-10-05", "pm", 0},
		{"the school's own rest Friday and working Saturday", school, "2026-11-06", "am", "2026-11-07", "pm", 2},
	} {
		got, err := studentleave.HalfDays(c.cal, c.start, c.sh, c.end, c.eh)
		if err != nil || got != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, got, err, c.want)
		}
	}
	if _, err := studentleave.HalfDays(cal, "2026-11-02", "pm", "2026-11-02", "am"); err == nil {
		t.Error("an afternoon start ending that morning")
	}
	if _, err := studentleave.HalfDays(cal, "2026-01-01", "am", "2026-12-31", "pm"); err == nil {
		t.Error("a year-long span is counted")
	}
}

func TestRequestRules(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		kid := f.students["张小明"]
		_, err := f.Leave.Request(ctx, f.parent, studentleave.RequestInput{StudentID: kid, Kind: "年假", StartDate: "12月1日", StartHalf: "x", EndDate: "", EndHalf: "am"})
		v, ok := apperr.AsValidation(err)
		if !ok || v.Fields["kind"] == "" || v.Fields["start_date"] == "" || v.Fields["start_half"] == "" || v.Fields["end_date"] == "" || v.Fields["reason"] == "" {
			t.Fatalf("bad form: %v", err)
		}
		_, err = f.Leave.Request(ctx, f.parent, sick(kid, "2026-11-03", "am", "2026-11-03", "pm"))
		fieldErr(t, err, "symptoms", "至少选择一项症状")
		_, err = f.Leave.Request(ctx, f.parent, sick(kid, "2026-11-03", "am", "2026-11-03", "pm", "发热", "头疼"))
		fieldErr(t, err, "symptoms", "症状只能从")
		in := personal(kid, "2026-11-03", "am", "2026-11-03", "pm")
		in.Symptoms = []string{"发热"}
		_, err = f.Leave.Request(ctx, f.parent, in)
		fieldErr(t, err, "symptoms", "事假不填写症状")
		_, err = f.Leave.Request(ctx, f.parent, personal(kid, "2026-11-04", "am", "2026-11-03", "pm"))
		fieldErr(t, err, "end_date", "不能早于开始")
		_, err = f.Leave.Request(ctx, f.parent, personal(kid, "2026-11-04", "pm", "2026-11-04", "am"))
		fieldErr(t, err, "end_date", "不能早于开始")
		_, err = f.Leave.Request(ctx, f.parent, personal(kid, "2026-11-07", "am", "2026-11-08", "pm"))
		fieldErr(t, err, "start_date", "没有上学日")
		// 30 school days: 2 Nov to 11 Dec is six full weeks; one more half day is too many.
		l, err := f.Leave.Request(ctx, f.parent, personal(kid, "2026-11-02", "am", "2026-12-11", "pm"))
		if err != nil || l.HalfDays != 60 || l.Days() != 30 || l.Status != studentleave.Pending || l.ClassID == 0 {
			t.Fatalf("30 days: %+v %v", l, err)
		}
		_, err = f.Leave.Request(ctx, f.parent, personal(kid, "2026-11-02", "am", "2026-12-14", "am"))
		fieldErr(t, err, "end_date", "最多 30 个上学日")
		_, err = f.Leave.Request(ctx, f.parent, personal(kid, "2026-11-02", "am", "2027-11-02", "am"))
		fieldErr(t, err, "end_date", "最多 30 个上学日")
		// Asked after the fact within a week; not earlier, nor too far ahead.
		if _, err := f.Leave.Request(ctx, f.parent, personal(kid, "2026-10-26", "am", "2026-10-26", "pm")); err != nil {
			t.Fatalf("a week late: %v", err)
		}
		_, err = f.Leave.Request(ctx, f.parent, personal(kid, "2026-10-23", "am", "2026-10-23", "pm"))
		fieldErr(t, err, "start_date", "只能补请 7 天内的假")
		_, err = f.Leave.Request(ctx, f.parent, personal(kid, "2027-02-01", "am", "2027-02-01", "pm"))
		fieldErr(t, err, "start_date", "最多提前 90 天")
		// Symptoms are kept in the list's order, each once.
		l, err = f.Leave.Request(ctx, f.parent, sick(kid, "2026-11-03", "am", "2026-11-03", "pm", "咳嗽", "发热", "咳嗽"))
		if err != nil || l.Symptoms != "发热,咳嗽" {
			t.Fatalf("sick: %+v %v", l, err)
		}
		// The head teacher is told.
		var ns []notify.Notification
		g.Where("user_id = ? AND kind = ?", f.head.ID, "leave.request").Order("id").Find(&ns)
		if len(ns) != 3 || ns[2].Title != "张小明 申请病假 1 天" {
			t.Fatalf("head teacher told: %+v", ns)
		}
		// Without the guardian's words: erasure clears them from the
		// request, and the notification is kept for months.
		for _, n := range ns {
			if r := personal(kid, "", "", "", "").Reason; r == "" || strings.Contains(n.Body, r) {
				t.Fatalf("the notification quotes the reason %q: %q", r, n.Body)
			}
		}
	})
}

func TestWhoMayAskForLeave(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		in := func(name string) studentleave.RequestInput {
			return personal(f.students[name], "2026-11-03", "am", "2026-11-03", "pm")
		}
		for _, c := range []struct {
			who   string
			actor *auth.User
			child string
			want  error
		}{
			{"a parent of another class", f.parentOther, "张小明", studentleave.ErrNotGuardian},
			{"a parent whose join request is pending", f.pending, "王芳", studentleave.ErrNotGuardian},
			{"a parent removed from the class group", f.removed, "刘洋", studentleave.ErrRemoved},
			{"the class's head teacher", f.head, "张小明", studentleave.ErrNotGuardian},
			{"the admin", f.admin, "张小明", studentleave.ErrNotGuardian},
			{"a parent for a pupil that does not exist", f.parent, "", studentleave.ErrNotGuardian},
		} {
			if _, err := f.Leave.Request(ctx, c.actor, in(c.child)); !errors.Is(err, c.want) || !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("%s: %v", c.who, err)
			}
		}
		if _, err := f.Leave.Request(ctx, nil, in("张小明")); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Errorf("anonymous: %v", err)
		}
		if _, err := f.Leave.Request(ctx, f.parent, in("张小明")); err != nil {
			t.Fatalf("the guardian: %v", err)
		}
		var n int64
		g.Model(&studentleave.Leave{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d requests stored, want 1", n)
		}
	})
}

func TestWhoMayDecide(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		ask := func() uint64 {
			l, err := f.Leave.Request(ctx, f.parent, sick(f.students["张小明"], "2026-11-04", "am", "2026-11-05", "am", "发热"))
			if err != nil {
				t.Fatal(err)
			}
			return l.ID
		}
		id := ask()
		for who, actor := range map[string]*auth.User{"the guardian": f.parent, "a teacher of the class": f.teacher,
			"the head teacher of another class": f.headOther, "a parent of another class": f.parentOther, "a removed parent": f.removed, "a pending parent": f.pending} {
			if err := f.Leave.Approve(ctx, actor, id); !errors.Is(err, studentleave.ErrNotHead) {
				t.Errorf("%s approving: %v", who, err)
			}
			if err := f.Leave.Reject(ctx, actor, id, "不符合规定"); !errors.Is(err, studentleave.ErrNotHead) {
				t.Errorf("%s rejecting: %v", who, err)
			}
			if err := f.Leave.Return(ctx, actor, id); !errors.Is(err, studentleave.ErrNotHead) {
				t.Errorf("%s marking back: %v", who, err)
			}
			// The morning view is for every teacher of the class (CONTRACT:
			// the class's teachers, admins), the head teacher among them.
			_, err := f.Leave.Today(ctx, actor, f.ClassGroupClass(t, 3, 2), "2026-11-04")
			if actor == f.teacher {
				if err != nil {
					t.Errorf("%s seeing the morning view: %v", who, err)
				}
			} else if !errors.Is(err, studentleave.ErrNotTeacher) {
				t.Errorf("%s seeing the morning view: %v", who, err)
			}
			if _, err := f.Leave.Day(ctx, actor, "2026-11-04"); !errors.Is(err, studentleave.ErrNotAdmin) {
				t.Errorf("%s seeing the school's day: %v", who, err)
			}
		}
		fieldErr(t, f.Leave.Reject(ctx, f.head, id, "  "), "reason", "请填写驳回理由")
		if err := f.Leave.Return(ctx, f.head, id); !errors.Is(err, studentleave.ErrNotAway) {
			t.Fatalf("marking back a pending request: %v", err)
		}
		if err := f.Leave.Approve(ctx, f.head, id); err != nil {
			t.Fatalf("head teacher approving: %v", err)
		}
		if err := f.Leave.Approve(ctx, f.head, id); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("approving twice: %v", err)
		}
		if err := f.Leave.Reject(ctx, f.admin, id, "晚了"); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("rejecting an approved request: %v", err)
		}
		other := ask()
		if err := f.Leave.Reject(ctx, f.admin, other, "请提供医院证明"); err != nil {
			t.Fatalf("admin rejecting: %v", err)
		}
		var ns []notify.Notification
		g.Where("user_id = ?", f.parent.ID).Order("id").Find(&ns)
		if len(ns) < 2 || ns[len(ns)-2].Title != "请假已批准" || ns[len(ns)-1].Body != "理由：请提供医院证明" {
			t.Fatalf("the guardian is told: %+v", ns)
		}
		if err := f.Leave.Return(ctx, f.head, id); err != nil {
			t.Fatalf("marking back: %v", err)
		}
		// The lists: the guardian sees their child's; the head teacher the class's, pending first.
		third := ask()
		mine, err := f.Leave.Mine(ctx, f.parent)
		if err != nil || len(mine) != 3 || mine[0].ID != third || mine[0].StudentName != "张小明" || mine[0].Class != "三年级(2)班" {
			t.Fatalf("guardian's list: %+v %v", mine, err)
		}
		if others, err := f.Leave.Mine(ctx, f.parentOther); err != nil || len(others) != 0 {
			t.Fatalf("another parent's list: %+v %v", others, err)
		}
		list, err := f.Leave.ForHead(ctx, f.head)
		if err != nil || len(list) != 3 || list[0].Status != studentleave.Pending || list[0].ParentName != "张伟" {
			t.Fatalf("head teacher's list: %+v %v", list, err)
		}
		if l, err := f.Leave.ForHead(ctx, f.headOther); err != nil || len(l) != 0 {
			t.Fatalf("another head teacher's list: %+v %v", l, err)
		}
		if _, err := f.Leave.ForHead(ctx, f.teacher); !errors.Is(err, studentleave.ErrNotHead) {
			t.Fatalf("a teacher who heads no class: %v", err)
		}
	})
}

// ClassGroupClass is the class id of grade-number.
func (f *fx) ClassGroupClass(t *testing.T, grade, number int) uint64 {
	return *f.ClassGroup(grade, number).ClassID
}

func TestCancelBeforeItStarts(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.at("2026-11-03 09:00")
		l, err := f.Leave.Request(ctx, f.parent, personal(f.students["张小明"], "2026-11-03", "pm", "2026-11-04", "pm"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Leave.Cancel(ctx, f.parentOther, l.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another parent cancelling: %v", err)
		}
		if err := f.Leave.Cancel(ctx, f.head, l.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("the head teacher cancelling: %v", err)
		}
		if err := f.Leave.Approve(ctx, f.head, l.ID); err != nil {
			t.Fatal(err)
		}
		f.at("2026-11-03 12:00")
		if err := f.Leave.Cancel(ctx, f.parent, l.ID); !errors.Is(err, studentleave.ErrStarted) {
			t.Fatalf("cancelling at the start: %v", err)
		}
		f.at("2026-11-03 11:59")
		if err := f.Leave.Cancel(ctx, f.parent, l.ID); err != nil {
			t.Fatalf("cancelling before the start: %v", err)
		}
		if err := f.Leave.Cancel(ctx, f.parent, l.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("cancelling twice: %v", err)
		}
		mine, _ := f.Leave.Mine(ctx, f.parent)
		if len(mine) != 1 || mine[0].Status != studentleave.Cancelled {
			t.Fatalf("after cancelling: %+v", mine)
		}
	})
}

func TestMorningViewAndSchoolDay(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		ask := func(p *auth.User, in studentleave.RequestInput, approve bool) studentleave.Leave {
			l, err := f.Leave.Request(ctx, p, in)
			if err != nil {
				t.Fatal(err)
			}
			if approve {
				if err := f.Leave.Approve(ctx, f.admin, l.ID); err != nil {
					t.Fatal(err)
				}
			}
			return l
		}
		zhang := ask(f.parent, sick(f.students["张小明"], "2026-11-04", "pm", "2026-11-05", "pm", "发热", "咳嗽"), true)
		ask(f.parentOther, personal(f.students["赵雷"], "2026-11-04", "am", "2026-11-04", "pm"), true)
		ask(f.parent41, sick(f.students["孙悦"], "2026-11-02", "am", "2026-11-06", "pm", "发热"), true)
		ask(f.parent41, personal(f.students["孙悦"], "2026-11-04", "am", "2026-11-04", "am"), false) // pending: not counted
		c32 := f.ClassGroupClass(t, 3, 2)
		v, err := f.Leave.Today(ctx, f.head, c32, "2026-11-04")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Students) != 3 || v.Away != 1 {
			t.Fatalf("3-2 on 4 Nov: %+v", v)
		}
		if p := v.Students[0]; p.Name != "张小明" || p.Status != "病假" || p.Halves != "下午" || strings.Join(p.Symptoms, "、") != "发热、咳嗽" {
			t.Fatalf("张小明: %+v", p)
		}
		if p := v.Students[1]; p.Name != "王芳" || p.Status != "在校" {
			t.Fatalf("王芳: %+v", p)
		}
		if v, _ := f.Leave.Today(ctx, f.head, c32, "2026-11-05"); v.Students[0].Halves != "全天" {
			t.Fatalf("5 Nov: %+v", v.Students[0])
		}
		// Marked back on the 5th: present from then on.
		f.at("2026-11-05 10:00")
		if err := f.Leave.Return(ctx, f.head, zhang.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := f.Leave.Today(ctx, f.head, c32, "2026-11-05"); v.Students[0].Status != "在校" || v.Away != 0 {
			t.Fatalf("after 销假: %+v", v.Students[0])
		}
		day, err := f.Leave.Day(ctx, f.admin, "2026-11-04")
		if err != nil {
			t.Fatal(err)
		}
		if day.Sick != 2 || day.Personal != 1 || len(day.Classes) != 3 || len(day.Rows) != 3 {
			t.Fatalf("the day: %+v", day)
		}
		if c := day.Classes[0]; c.Class != "三年级(2)班" || c.Sick != 1 || c.Personal != 0 {
			t.Fatalf("3-2: %+v", c)
		}
		if c := day.Classes[2]; c.Class != "四年级(1)班" || c.Sick != 1 {
			t.Fatalf("4-1: %+v", c)
		}
		if len(day.Symptoms) != 2 || day.Symptoms[0] != (studentleave.SymptomCount{Symptom: "发热", Count: 2}) || day.Symptoms[1] != (studentleave.SymptomCount{Symptom: "咳嗽", Count: 1}) {
			t.Fatalf("by symptom: %+v", day.Symptoms)
		}
		var buf bytes.Buffer
		if err := day.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != "年级,班级,学号,姓名,类型,开始,结束,症状,状态" || len(recs) != 4 {
			t.Fatalf("csv: %q", recs)
		}
		// Returned later (on the 5th), 张小明 still counts as away on the 4th.
		if got := strings.Join(recs[1], ","); got != "三年级,三年级(2)班,20230201,张小明,病假,2026-11-04 下午,2026-11-05 下午,发热、咳嗽,已销假" {
			t.Fatalf("first row: %s", got)
		}
		if got := strings.Join(recs[3], ","); got != "四年级,四年级(1)班,20240101,孙悦,病假,2026-11-02 上午,2026-11-06 下午,发热,已批准" {
			t.Fatalf("last row: %s", got)
		}
	})
}

// TestTheLongestLeaveCountsToItsLastDay: the morning view and the
// school's day read only leave that started within the longest span a
// request may have (120 days, which HalfDays refuses past), so a leave of
// exactly that span still keeps its child away on its last day.
func TestTheLongestLeaveCountsToItsLastDay(t *testing.T) {
	t.Parallel()
	cal := calendar.Calendar{}
	if _, err := studentleave.HalfDays(cal, "2026-08-03", "am", "2026-12-01", "pm"); err != nil {
		t.Fatalf("120 days: %v", err)
	}
	if _, err := studentleave.HalfDays(cal, "2026-08-02", "am", "2026-12-01", "pm"); err == nil {
		t.Fatal("121 days must be refused before counting")
	}
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		c32 := f.ClassGroupClass(t, 3, 2)
		// Written as it would stand, not asked: 30 school days never
		// take 120 calendar days on this calendar.
		l := studentleave.Leave{StudentID: f.students["张小明"], ClassID: c32, ParentID: f.parent.ID, Kind: studentleave.Sick,
			StartDate: "2026-08-03", StartHalf: "am", EndDate: "2026-12-01", EndHalf: "pm", HalfDays: 60, Reason: "住院治疗",
			Symptoms: "其他", Status: studentleave.Approved, CreatedAt: f.Clock.Now()}
		if err := g.Create(&l).Error; err != nil {
			t.Fatal(err)
		}
		day, err := f.Leave.Day(ctx, f.admin, "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		if day.Sick != 1 || len(day.Rows) != 1 || day.Rows[0].StudentName != "张小明" {
			t.Fatalf("the last day: %+v", day)
		}
		v, err := f.Leave.Today(ctx, f.head, c32, "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		if v.Away != 1 || v.Students[0].Status != "病假" {
			t.Fatalf("the morning view: %+v", v)
		}
		if day, _ := f.Leave.Day(ctx, f.admin, "2026-12-02"); len(day.Rows) != 0 {
			t.Fatalf("the day after: %+v", day)
		}
	})
}
