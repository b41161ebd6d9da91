package demo_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
	"jiaxiao/app/calendar"
	"jiaxiao/app/demo"
	"jiaxiao/app/homework"
	"jiaxiao/app/notice"
	"jiaxiao/app/studentleave"
)

func TestDemoHasEveryAttendanceStatus(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	w := apptest.NewLiveWorld(t, g)
	ctx := context.Background()
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	svc := demo.Services{Auth: w.Auth, School: w.School, Groups: w.Groups, Messages: w.Messages, Notices: w.Notices, DB: g, Location: sh,
		NoticesAt: func(now func() time.Time) *notice.Service { return w.Notices }, Words: w.Words, Files: w.Files, Calendars: w.Settings}
	for range 2 {
		if _, err := demo.Load(ctx, svc); err != nil {
			t.Fatal(err)
		}
	}
	admin := w.ByPhone("13800000001")
	last := time.Now().In(sh).AddDate(0, -1, 0).Format("2006-01")
	rows, err := w.Attendance.Month(ctx, admin, last)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[attendance.Status]bool{}
	for _, r := range rows {
		for _, d := range r.Days {
			seen[d.Status] = true
		}
	}
	for _, s := range []attendance.Status{attendance.Normal, attendance.Late, attendance.Early, attendance.Missing, attendance.Absent,
		attendance.OnLeave, attendance.Field, attendance.Rest} {
		if !seen[s] {
			t.Errorf("no %s day in the demo's %s", s, last)
		}
	}
	var makeups int
	for _, r := range rows {
		makeups += r.Summary.Makeups
	}
	if makeups == 0 {
		t.Error("no make-up punch in the demo")
	}
}

// The demo's week of homework has work at every status of the sheet and
// every grade, one 优秀作业, and work still to hand in; its leave requests
// are at every status, and the morning view and the school's day show the
// children away sick. Loaded twice, there is still one of each.
func TestDemoHasHomeworkAndLeaveAtEveryStatus(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	w := apptest.NewLiveWorld(t, g)
	ctx := context.Background()
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	svc := demo.Services{Auth: w.Auth, School: w.School, Groups: w.Groups, Messages: w.Messages, Notices: w.Notices, DB: g, Location: sh,
		NoticesAt: func(now func() time.Time) *notice.Service { return w.Notices }, Words: w.Words, Files: w.Files, Calendars: w.Settings}
	for range 2 {
		if _, err := demo.Load(ctx, svc); err != nil {
			t.Fatal(err)
		}
	}
	admin := w.ByPhone("13800000001")

	// Homework: every assignment's sheet, as an admin sees it.
	statuses, grades := map[string]int{}, map[string]int{}
	assignments, featured, noSubmission, photos := 0, 0, 0, 0
	for _, phone := range []string{"13800000002", "13800000003", "13800000004"} {
		set, err := w.Homework.Set(ctx, w.ByPhone(phone))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range set {
			assignments++
			if !a.RequiresSubmission {
				noSubmission++
				continue
			}
			sheet, err := w.Homework.Submissions(ctx, admin, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range sheet.Lines {
				statuses[l.Status()]++
				photos += len(l.FileIDs)
				if l.Submission != nil && l.Submission.Status == homework.Reviewed {
					grades[l.Submission.Grade]++
				}
				if l.Submission != nil && l.Submission.Featured {
					featured++
				}
			}
		}
	}
	if assignments != 5 || noSubmission != 1 {
		t.Errorf("%d assignments (%d without hand-in), want 5 (1)", assignments, noSubmission)
	}
	wantStatuses := map[string]int{homework.StatusDone: 2, homework.StatusLate: 1, homework.StatusReviewed: 4, homework.StatusReturned: 1,
		homework.StatusMissing: 16}
	if !maps.Equal(statuses, wantStatuses) {
		t.Errorf("homework statuses %v, want %v", statuses, wantStatuses)
	}
	if want := map[string]int{"优": 1, "良": 1, "合格": 1, "待改进": 1}; !maps.Equal(grades, want) {
		t.Errorf("grades %v, want %v", grades, want)
	}
	if featured != 1 || photos < 8 {
		t.Errorf("%d featured, %d photos; want 1 优秀作业 and the photos handed in", featured, photos)
	}
	// 张伟 sees the featured work and still has the 周记 to hand in.
	items, err := w.Homework.ForFamily(ctx, w.ByPhone("13900000001"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 4 || !items[0].Pending() {
		t.Errorf("张伟's homework: %d items, the first pending %v", len(items), len(items) > 0 && items[0].Pending())
	}

	// Leave: every head teacher's list.
	leave, kinds := map[string]int{}, map[string]int{}
	for _, phone := range []string{"13800000002", "13800000003", "13800000004"} {
		items, err := w.Leave.ForHead(ctx, w.ByPhone(phone))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			leave[it.Status]++
			kinds[it.Kind]++
			if it.Status == studentleave.Rejected && it.RejectReason == "" {
				t.Error("a rejection without its reason")
			}
			if it.Kind == studentleave.Sick && it.Symptoms == "" {
				t.Error("a 病假 without symptoms")
			}
		}
	}
	wantLeave := map[string]int{studentleave.Pending: 1, studentleave.Approved: 2, studentleave.Rejected: 1, studentleave.Cancelled: 1,
		studentleave.Returned: 1}
	if !maps.Equal(leave, wantLeave) {
		t.Errorf("leave statuses %v, want %v", leave, wantLeave)
	}
	if want := map[string]int{studentleave.Sick: 3, studentleave.Personal: 3}; !maps.Equal(kinds, want) {
		t.Errorf("leave kinds %v, want %v", kinds, want)
	}
	// Today, a weekend too, 王芳 is away sick in 三年级(2)班's morning view
	// (but in a holiday longer than a guardian may ask back); on the first
	// school day from today, two children are.
	cal, err := w.Settings.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shift := func(d calendar.Day, n int) calendar.Day {
		t, _ := time.Parse(time.DateOnly, string(d))
		return calendar.Day(t.AddDate(0, 0, n).Format(time.DateOnly))
	}
	today := calendar.DayOf(time.Now(), sh)
	last := shift(today, -1)
	for !cal.IsWorkDay(last) && last > shift(today, -60) {
		last = shift(last, -1)
	}
	head := w.ByPhone("13800000002")
	classes, err := w.Leave.HeadClasses(ctx, head)
	if err != nil || len(classes) != 1 {
		t.Fatalf("李芳 heads %v (%v)", classes, err)
	}
	morning, err := w.Leave.Today(ctx, head, classes[0].ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkDay(today) || last >= shift(today, -studentleave.LateDays) {
		if morning.Away != 1 {
			t.Errorf("三年级(2)班 on %s: %d away, want 王芳", today, morning.Away)
		}
		for _, p := range morning.Students {
			if p.Name == "王芳" && (p.Status != studentleave.Sick || !slices.Equal(p.Symptoms, []string{"发热", "咳嗽"})) {
				t.Errorf("王芳 on %s: %s %v", today, p.Status, p.Symptoms)
			}
		}
	}
	day := today
	for i := 0; !cal.IsWorkDay(day) && i < 60; i++ {
		day = shift(day, 1)
	}
	v, err := w.Leave.Day(ctx, admin, day)
	if err != nil {
		t.Fatal(err)
	}
	var symptoms []string
	for _, s := range v.Symptoms {
		symptoms = append(symptoms, s.Symptom)
	}
	if v.Sick != 2 || v.Personal != 0 || !slices.Equal(symptoms, []string{"发热", "咳嗽", "皮疹"}) {
		t.Errorf("the school's day %s: %d sick, %d personal, symptoms %v", day, v.Sick, v.Personal, symptoms)
	}
}
