package notice

import (
	"testing"
	"time"

	"jiaxiao/app/calendar"
	"jiaxiao/app/setting"
)

func TestDingSchedule(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	s := ScheduleFrom(setting.Defaults(), sh)
	cal := calendar.Calendar{}
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, sh) }
	cases := []struct {
		name      string
		published time.Time
		due       time.Time // automatic DING
		parent    time.Time // when a parent gets it
	}{
		{"inside working hours", at(2026, 11, 2, 10, 0), at(2026, 11, 2, 12, 0), at(2026, 11, 2, 12, 0)},
		{"at the start of work", at(2026, 11, 2, 8, 30), at(2026, 11, 2, 10, 30), at(2026, 11, 2, 10, 30)},
		{"a minute before the end", at(2026, 11, 2, 17, 29), at(2026, 11, 2, 19, 29), at(2026, 11, 2, 19, 29)},
		{"at the end of work: off hours", at(2026, 11, 2, 17, 30), at(2026, 11, 3, 5, 30), at(2026, 11, 3, 7, 0)},
		{"early morning", at(2026, 11, 3, 6, 0), at(2026, 11, 3, 18, 0), at(2026, 11, 3, 18, 0)},
		{"Friday evening, across the weekend", at(2026, 11, 6, 20, 0), at(2026, 11, 7, 8, 0), at(2026, 11, 7, 8, 0)},
		{"Saturday morning: off hours, into quiet hours", at(2026, 11, 7, 10, 0), at(2026, 11, 7, 22, 0), at(2026, 11, 8, 7, 0)},
		{"a public holiday (国庆节)", at(2026, 10, 1, 9, 0), at(2026, 10, 1, 21, 0), at(2026, 10, 2, 7, 0)},
		{"a make-up working Sunday (调休)", at(2026, 9, 20, 9, 0), at(2026, 9, 20, 11, 0), at(2026, 9, 20, 11, 0)},
		{"due just before quiet hours end", at(2026, 11, 2, 18, 59), at(2026, 11, 3, 6, 59), at(2026, 11, 3, 7, 0)},
		{"due as quiet hours end", at(2026, 11, 2, 19, 0), at(2026, 11, 3, 7, 0), at(2026, 11, 3, 7, 0)},
	}
	for _, c := range cases {
		due := s.AutoDing(c.published.UTC(), cal)
		if !due.Equal(c.due) {
			t.Errorf("%s: due %s, want %s", c.name, due.In(sh), c.due)
		}
		if got := s.Deliver(due, true); !got.Equal(c.parent) {
			t.Errorf("%s: parent gets it %s, want %s", c.name, got.In(sh), c.parent)
		}
		if got := s.Deliver(due, false); !got.Equal(due) {
			t.Errorf("%s: a teacher's reminder waited", c.name)
		}
	}
	// A school day off counts as off hours.
	closed := calendar.Calendar{Overrides: map[calendar.Day]bool{"2026-11-02": false}}
	if due := s.AutoDing(at(2026, 11, 2, 10, 0), closed); !due.Equal(at(2026, 11, 2, 22, 0)) {
		t.Errorf("closed day: %s", due.In(sh))
	}
}

func TestManualFloor(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	if ok, _ := ManualAllowed(nil, now); !ok {
		t.Fatal("first DING refused")
	}
	last := now.Add(-4*time.Minute - 59*time.Second)
	if ok, wait := ManualAllowed(&last, now); ok || wait != time.Second {
		t.Fatalf("4:59 later: %v %v", ok, wait)
	}
	last = now.Add(-5 * time.Minute)
	if ok, _ := ManualAllowed(&last, now); !ok {
		t.Fatal("5:00 later refused")
	}
}
