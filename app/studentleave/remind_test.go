package studentleave_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/notify"
	"jiaxiao/app/setting"
	"jiaxiao/app/studentleave"
)

func localTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
	if err != nil {
		panic(err)
	}
	return t
}

// TestRemindAtCountsWorkingMinutes: 30 minutes of working time (08:30–
// 17:30 on work days of the calendar) after the request; a request made
// outside working time counts from the next start of work.
func TestRemindAtCountsWorkingMinutes(t *testing.T) {
	t.Parallel()
	rules := setting.Defaults()
	var official calendar.Calendar
	schoolDayOff := calendar.Calendar{Overrides: map[calendar.Day]bool{"2026-11-03": false}}
	for _, c := range []struct {
		name      string
		cal       calendar.Calendar
		made, due string
	}{
		{"in the morning", official, "2026-11-02 10:00", "2026-11-02 10:30"},
		{"40 minutes before the end of work", official, "2026-11-02 16:50", "2026-11-02 17:20"},
		{"30 minutes before the end of work", official, "2026-11-02 17:00", "2026-11-02 17:30"},
		{"20 minutes before the end of work", official, "2026-11-02 17:10", "2026-11-03 08:40"},
		{"in the evening", official, "2026-11-02 19:00", "2026-11-03 09:00"},
		{"before work", official, "2026-11-03 07:00", "2026-11-03 09:00"},
		{"Friday late afternoon, across the weekend", official, "2026-11-06 17:10", "2026-11-09 08:40"},
		{"on a Saturday", official, "2026-11-07 10:00", "2026-11-09 09:00"},
		{"across 国庆 (1–7 October)", official, "2026-09-30 17:10", "2026-10-08 08:40"},
		{"on a holiday", official, "2026-10-03 09:00", "2026-10-08 09:00"},
		{"before the 调休 working Sunday", official, "2026-09-19 12:00", "2026-09-20 09:00"},
		{"the school's own day off", schoolDayOff, "2026-11-02 17:10", "2026-11-04 08:40"},
	} {
		if got := studentleave.RemindAt(rules, c.cal, sh, localTime(c.made).UTC()); !got.Equal(localTime(c.due)) {
			t.Errorf("%s: %s, want %s", c.name, got.In(sh).Format("2006-01-02 15:04"), c.due)
		}
	}
	later := setting.Defaults()
	later.WorkStart, later.WorkEnd = "09:00", "16:00"
	if got := studentleave.RemindAt(later, official, sh, localTime("2026-11-02 15:50").UTC()); !got.Equal(localTime("2026-11-03 09:20")) {
		t.Errorf("with work from 09:00 to 16:00: %s", got.In(sh))
	}
}

// remindersOf are the leave reminders in u's notification centre.
func (f *fx) remindersOf(t *testing.T, u *auth.User) []notify.Notification {
	t.Helper()
	all, err := f.Centre.List(context.Background(), u.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range all {
		if n.Kind == "leave.remind" {
			out = append(out, n)
		}
	}
	return out
}

// scan runs the minute's reminder scan at local time s.
func (f *fx) scan(t *testing.T, s string) int {
	t.Helper()
	f.at(s)
	rules, err := f.Settings.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.Leave.RemindDue(context.Background(), rules)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHeadTeacherReminded: a request still pending 30 working minutes
// reminds the class's head teacher once, not a minute before, across the
// end of the day, the weekend and an official holiday; one decided or
// cancelled first reminds nobody; a class without a head teacher reminds
// the admins.
func TestHeadTeacherReminded(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()

		// Friday 17:10: 20 working minutes that day, 10 on Monday.
		f.at("2026-11-06 17:10")
		if _, err := f.Leave.Request(ctx, f.parent, sick(f.students["张小明"], "2026-11-09", "am", "2026-11-09", "pm", "发热")); err != nil {
			t.Fatal(err)
		}
		for _, at := range []string{"2026-11-06 17:29", "2026-11-06 17:40", "2026-11-07 10:00", "2026-11-09 08:30", "2026-11-09 08:39"} {
			if n := f.scan(t, at); n != 0 {
				t.Fatalf("reminded at %s", at)
			}
		}
		if n := f.scan(t, "2026-11-09 08:40"); n != 1 {
			t.Fatalf("after 30 working minutes: %d", n)
		}
		got := f.remindersOf(t, f.head)
		if len(got) != 1 || !strings.Contains(got[0].Title, "张小明") || !strings.Contains(got[0].Title, "病假") ||
			!strings.Contains(got[0].Link, "leave-") || !strings.Contains(got[0].Body, "2026-11-09 上午") {
			t.Fatalf("the head teacher's reminder: %+v", got)
		}
		for name, u := range map[string]*auth.User{"another head teacher": f.headOther, "a teacher of the class": f.teacher, "an admin": f.admin, "the parent": f.parent} {
			if r := f.remindersOf(t, u); len(r) != 0 {
				t.Errorf("%s was reminded: %+v", name, r)
			}
		}
		for _, at := range []string{"2026-11-09 08:41", "2026-11-10 09:00"} {
			if n := f.scan(t, at); n != 0 || len(f.remindersOf(t, f.head)) != 1 {
				t.Fatalf("reminded again at %s", at)
			}
		}

		// Approved, rejected or cancelled within 30 working minutes: none.
		f.at("2026-11-10 10:00")
		approved, err := f.Leave.Request(ctx, f.parent, personal(f.students["张小明"], "2026-11-12", "am", "2026-11-12", "am"))
		if err != nil {
			t.Fatal(err)
		}
		cancelled, err := f.Leave.Request(ctx, f.parent, personal(f.students["张小明"], "2026-11-13", "am", "2026-11-13", "am"))
		if err != nil {
			t.Fatal(err)
		}
		f.at("2026-11-10 10:20")
		if err := f.Leave.Approve(ctx, f.head, approved.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.Leave.Cancel(ctx, f.parent, cancelled.ID); err != nil {
			t.Fatal(err)
		}
		// Another class's request, made at the same time, still pending.
		f.at("2026-11-10 10:00")
		other, err := f.Leave.Request(ctx, f.parentOther, sick(f.students["赵雷"], "2026-11-11", "am", "2026-11-11", "am", "咳嗽"))
		if err != nil {
			t.Fatal(err)
		}
		if n := f.scan(t, "2026-11-10 10:30"); n != 1 {
			t.Fatalf("at 10:30: %d reminded, want the one still pending", n)
		}
		if r := f.remindersOf(t, f.head); len(r) != 1 {
			t.Errorf("decided in time, yet reminded: %+v", r)
		}
		if r := f.remindersOf(t, f.headOther); len(r) != 1 || !strings.Contains(r[0].Title, "赵雷") || !strings.Contains(r[0].Link, "leave-") {
			t.Errorf("the other class's head teacher: %+v", r)
		}
		var marked studentleave.Leave
		if err := g.Where("id = ?", other.ID).Take(&marked).Error; err != nil || marked.HeadRemindedAt == nil {
			t.Errorf("head_reminded_at not set: %v %v", marked.HeadRemindedAt, err)
		}

		// Across 国庆: asked on 30 September at 17:10, reminded on 8 October.
		f.at("2026-09-30 17:10")
		if _, err := f.Leave.Request(ctx, f.parent41, sick(f.students["孙悦"], "2026-10-08", "am", "2026-10-08", "pm", "腹泻")); err != nil {
			t.Fatal(err)
		}
		head41 := f.ByPhone("13800000005")
		for _, at := range []string{"2026-10-01 09:00", "2026-10-07 17:00", "2026-10-08 08:39"} {
			if n := f.scan(t, at); n != 0 {
				t.Fatalf("reminded in the holiday, at %s", at)
			}
		}
		if n := f.scan(t, "2026-10-08 08:40"); n != 1 || len(f.remindersOf(t, head41)) != 1 {
			t.Fatalf("after the holiday: %d", n)
		}
		// The reminders name the dates, never the guardian's reason:
		// erasure clears it from the request, notifications stay months.
		for _, u := range []*auth.User{f.head, f.headOther, head41} {
			for _, r := range f.remindersOf(t, u) {
				if strings.Contains(r.Body, "发烧在家休息") || strings.Contains(r.Body, "回老家") {
					t.Errorf("a reminder quotes the reason: %q", r.Body)
				}
			}
		}

		// A class whose head teacher has left: its admins are reminded.
		if err := f.School.Depart(ctx, f.admin, head41.ID); err != nil {
			t.Fatal(err)
		}
		f.at("2026-11-16 09:00")
		if _, err := f.Leave.Request(ctx, f.parent41, sick(f.students["孙悦"], "2026-11-17", "am", "2026-11-17", "pm", "咳嗽")); err != nil {
			t.Fatal(err)
		}
		if n := f.scan(t, "2026-11-16 09:30"); n != 1 {
			t.Fatalf("without a head teacher: %d reminded", n)
		}
		if r := f.remindersOf(t, f.admin); len(r) != 1 || !strings.Contains(r[0].Title, "孙悦") {
			t.Errorf("the admin, with no head teacher to remind: %+v", r)
		}
		if r := f.remindersOf(t, head41); len(r) != 1 {
			t.Errorf("the departed head teacher was reminded again: %+v", r)
		}
	})
}
