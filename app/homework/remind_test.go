package homework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/homework"
	"jiaxiao/app/notify"
	"jiaxiao/app/setting"
)

var sh, _ = time.LoadLocation("Asia/Shanghai")

func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
	if err != nil {
		panic(err)
	}
	return t
}

// TestRemindAt: the reminder time, before the due time, moved out of quiet
// hours (21:00–07:00) by the rule RemindAt states.
func TestRemindAt(t *testing.T) {
	t.Parallel()
	q := setting.Defaults().QuietHours(sh)
	none := setting.Settings{QuietStart: "00:00", QuietEnd: "00:00"}.QuietHours(sh)
	two := 2 * time.Hour
	for _, c := range []struct {
		name     string
		set, due string
		before   time.Duration
		q        setting.Quiet
		want     string // "" for no reminder
	}{
		{"an evening due time", "2026-11-02 10:00", "2026-11-03 20:00", two, q, "2026-11-03 18:00"},
		{"due just before quiet hours", "2026-11-02 10:00", "2026-11-02 22:30", two, q, "2026-11-02 20:30"},
		{"in quiet hours: their end, still before the due time", "2026-11-02 10:00", "2026-11-03 08:00", two, q, "2026-11-03 07:00"},
		{"set in the quiet hours themselves", "2026-11-02 22:00", "2026-11-03 07:30", two, q, "2026-11-03 07:00"},
		{"their end is the due time: the evening before", "2026-11-02 10:00", "2026-11-03 07:00", two, q, "2026-11-02 20:30"},
		{"their end too close to the due time: the evening before", "2026-11-02 10:00", "2026-11-03 07:29", two, q, "2026-11-02 20:30"},
		{"due late at night: the evening before", "2026-11-02 10:00", "2026-11-02 23:00", two, q, "2026-11-02 20:30"},
		{"the evening before is before the work was set", "2026-11-02 21:30", "2026-11-03 07:00", two, q, ""},
		{"set inside the reminder window", "2026-11-02 10:00", "2026-11-02 11:00", two, q, ""},
		{"reminder time the moment it was set", "2026-11-02 10:00", "2026-11-02 12:00", two, q, ""},
		{"no reminder (0)", "2026-11-02 10:00", "2026-11-03 20:00", 0, q, ""},
		{"no quiet hours", "2026-11-02 10:00", "2026-11-03 07:00", two, none, "2026-11-03 05:00"},
		{"a longer lead", "2026-11-01 10:00", "2026-11-03 20:00", 24 * time.Hour, q, "2026-11-02 20:00"},
	} {
		got, ok := homework.RemindAt(local(c.set).UTC(), local(c.due).UTC(), c.before, c.q)
		switch {
		case c.want == "" && ok:
			t.Errorf("%s: reminded at %s, want none", c.name, got.In(sh).Format(homework.DueLayout))
		case c.want != "" && (!ok || !got.Equal(local(c.want))):
			t.Errorf("%s: %s %v, want %s", c.name, got.In(sh).Format(homework.DueLayout), ok, c.want)
		}
	}
}

// reminders are the homework reminders in u's notification centre.
func (f *fx) reminders(t *testing.T, u *auth.User) []notify.Notification {
	t.Helper()
	all, err := f.Centre.List(context.Background(), u.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range all {
		if n.Kind == "homework.remind" {
			out = append(out, n)
		}
	}
	return out
}

// scanAt runs the minute's reminder scan at local time s and returns how
// many assignments it reminded families of.
func (f *fx) scanAt(t *testing.T, s string) int {
	t.Helper()
	f.Clock.Set(local(s).UTC())
	rules, err := f.Settings.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.Homework.RemindDue(context.Background(), rules)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fx) setDue(t *testing.T, title, due string, classes ...uint64) homework.Assignment {
	t.Helper()
	a, err := f.Homework.Create(context.Background(), f.admin, homework.CreateInput{Title: title, Subject: "语文", Body: "按时完成。",
		ClassIDs: classes, Due: due, RequiresSubmission: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestReminderGoesToThoseWhoHaveNotHandedIn: at the reminder time, and
// not a minute before, the families of students who have not handed in
// (or were sent back) are reminded, once; those who handed in, removed and
// pending parents, other classes and work that asks for no hand-in are not.
func TestReminderGoesToThoseWhoHaveNotHandedIn(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g) // Monday 2 November 2026, 10:00
		ctx := context.Background()
		a := f.set(t) // 3-2, due 20:00 on 3 November
		if _, err := f.Homework.Create(ctx, f.head, homework.CreateInput{Title: "预习课文", Subject: "语文", ClassIDs: []uint64{f.class32},
			Due: "2026-11-03 20:00"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Submit(ctx, f.wang, a.ID, homework.SubmitInput{StudentID: f.wangfang, Body: "已背诵。"}); err != nil {
			t.Fatal(err)
		}
		if n := f.scanAt(t, "2026-11-03 17:59"); n != 0 || len(f.reminders(t, f.dad)) != 0 {
			t.Fatalf("a minute early: %d", n)
		}
		if n := f.scanAt(t, "2026-11-03 18:00"); n != 1 {
			t.Fatalf("at the reminder time: %d assignments", n)
		}
		got := f.reminders(t, f.dad)
		if len(got) != 1 || !strings.Contains(got[0].Title, "背诵古诗") || !strings.Contains(got[0].Body, "张小明") ||
			!strings.Contains(got[0].Body, "2026-11-03 20:00") || got[0].Link != homework.Link(a.ID) {
			t.Fatalf("the family that has not handed in: %+v", got)
		}
		for name, u := range map[string]*auth.User{"handed in": f.wang, "removed from the group": f.removed, "pending": f.pending,
			"another class": f.zhao, "a teacher": f.head} {
			if r := f.reminders(t, u); len(r) != 0 {
				t.Errorf("%s was reminded: %+v", name, r)
			}
		}
		if n := f.scanAt(t, "2026-11-03 18:01"); n != 0 || len(f.reminders(t, f.dad)) != 1 {
			t.Fatalf("reminded twice: %d", n)
		}
		if n := f.scanAt(t, "2026-11-03 19:59"); n != 0 || len(f.reminders(t, f.dad)) != 1 {
			t.Fatalf("reminded twice later: %d", n)
		}

		// Work sent back and not handed in again counts as not handed in;
		// work handed in and waiting to be marked counts as handed in.
		b := f.setDue(t, "抄写生字", "2026-11-04 20:00", f.class32, f.class33)
		if _, err := f.Homework.Submit(ctx, f.dad, b.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "抄完了。"}); err != nil {
			t.Fatal(err)
		}
		sub, err := f.Homework.Submit(ctx, f.wang, b.ID, homework.SubmitInput{StudentID: f.wangfang, Body: "抄完了。"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Review(ctx, f.head, b.ID, sub.ID, homework.ReviewInput{Redo: true, Comment: "字迹潦草，请重写"}); err != nil {
			t.Fatal(err)
		}
		if n := f.scanAt(t, "2026-11-04 18:00"); n != 1 {
			t.Fatalf("the second assignment: %d", n)
		}
		if r := f.reminders(t, f.wang); len(r) != 1 || !strings.Contains(r[0].Body, "王芳") {
			t.Errorf("the family sent back: %+v", r)
		}
		if r := f.reminders(t, f.zhao); len(r) != 1 || !strings.Contains(r[0].Body, "赵雷") {
			t.Errorf("the family of the other target class: %+v", r)
		}
		if r := f.reminders(t, f.dad); len(r) != 1 {
			t.Errorf("the family that handed in the second: %d reminders", len(r))
		}
	})
}

// TestReminderNeverInQuietHours: a reminder time in quiet hours moves to
// their end, or to the evening before; a scan in quiet hours sends
// nothing, and a reminder missed until the due time is not sent at all.
func TestReminderNeverInQuietHours(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g) // Monday 2 November 2026, 10:00
		// 06:00 is quiet: at 07:00, still before the due time.
		morning := f.setDue(t, "晨读", "2026-11-03 08:00", f.class32)
		// 05:00 is quiet and 07:00 is the due time: 20:30 the evening before.
		early := f.setDue(t, "早读打卡", "2026-11-03 07:00", f.class32)
		// 20:30, before quiet hours.
		late := f.setDue(t, "睡前阅读", "2026-11-02 22:30", f.class32)
		if n := f.scanAt(t, "2026-11-02 20:29"); n != 0 {
			t.Fatalf("early: %d", n)
		}
		// The server was down from 20:29 to 20:59: the late one is sent
		// late, but before quiet hours.
		if n := f.scanAt(t, "2026-11-02 20:59"); n != 2 {
			t.Fatalf("20:59: %d reminded, want the early one and the late one", n)
		}
		titles := func() string {
			var s []string
			for _, r := range f.reminders(t, f.dad) {
				s = append(s, r.Title)
			}
			return strings.Join(s, "|")
		}
		if got := titles(); !strings.Contains(got, early.Title) || !strings.Contains(got, late.Title) || strings.Contains(got, morning.Title) {
			t.Fatalf("at 20:59: %q", got)
		}
		for _, at := range []string{"2026-11-02 21:00", "2026-11-02 23:00", "2026-11-03 06:00", "2026-11-03 06:59"} {
			if n := f.scanAt(t, at); n != 0 {
				t.Fatalf("in quiet hours at %s: %d", at, n)
			}
		}
		if n := f.scanAt(t, "2026-11-03 07:00"); n != 1 || !strings.Contains(titles(), morning.Title) {
			t.Fatalf("at the end of quiet hours: %d %q", n, titles())
		}

		// Due at 22:30, reminder time 20:30, but no scan ran before 21:00:
		// nothing is sent in quiet hours, nor after the due time.
		missed := f.setDue(t, "补充练习", "2026-11-03 22:30", f.class32)
		for _, at := range []string{"2026-11-03 21:00", "2026-11-03 22:29", "2026-11-04 07:00"} {
			if n := f.scanAt(t, at); n != 0 {
				t.Fatalf("missed reminder sent at %s: %d", at, n)
			}
		}
		if strings.Contains(titles(), missed.Title) {
			t.Fatal("a reminder missed before quiet hours was sent")
		}
	})
}

// TestReminderFollowsTheSetting: a change of homework_remind_before_min
// applies to work not yet reminded; 0 turns reminders off.
func TestReminderFollowsTheSetting(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g) // Monday 2 November 2026, 10:00
		ctx := context.Background()
		a := f.set(t) // due 20:00 on 3 November
		if _, err := f.Settings.Update(ctx, f.admin, map[string]string{"homework_remind_before_min": "30"}); err != nil {
			t.Fatal(err)
		}
		if n := f.scanAt(t, "2026-11-03 18:00"); n != 0 {
			t.Fatalf("at the old time: %d", n)
		}
		if n := f.scanAt(t, "2026-11-03 19:30"); n != 1 || len(f.reminders(t, f.dad)) != 1 {
			t.Fatalf("at the new time: %d", n)
		}
		if _, err := f.Settings.Update(ctx, f.admin, map[string]string{"homework_remind_before_min": "-1"}); err == nil {
			t.Fatal("a negative lead was stored")
		}
		if _, err := f.Settings.Update(ctx, f.admin, map[string]string{"homework_remind_before_min": "0"}); err != nil {
			t.Fatal(err)
		}
		f.setDue(t, "周末作文", "2026-11-05 20:00", f.class32)
		for _, at := range []string{"2026-11-05 18:00", "2026-11-05 19:30", "2026-11-05 19:59"} {
			if n := f.scanAt(t, at); n != 0 {
				t.Fatalf("reminders off, at %s: %d", at, n)
			}
		}
		if r := f.reminders(t, f.dad); len(r) != 1 || !strings.Contains(r[0].Title, a.Title) {
			t.Fatalf("with reminders off: %+v", r)
		}
	})
}
