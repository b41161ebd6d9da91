package notice

import (
	"time"

	"jiaxiao/app/calendar"
	"jiaxiao/app/setting"
)

// Schedule holds the DING rules (DESIGN §3): a notice still unread
// AfterWork after it was published inside working hours, or AfterOffHours
// after it was published outside them, is DINGed once, automatically; the
// author may DING by hand at most once every ManualFloor; nothing reaches a
// parent in quiet hours — it waits for the morning.
type Schedule struct {
	Loc                    *time.Location
	WorkStart, WorkEnd     clock
	Quiet                  setting.Quiet
	AfterWork, AfterOffHrs time.Duration
}

// ManualFloor is the least time between two DINGs of one notice by hand.
const ManualFloor = 5 * time.Minute

// clock is a time of day in minutes after midnight.
type clock int

func parseClock(s string, def clock) clock {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return def
	}
	return clock(t.Hour()*60 + t.Minute())
}

func clockOf(t time.Time) clock { return clock(t.Hour()*60 + t.Minute()) }

// ScheduleFrom builds the schedule from the school's settings.
func ScheduleFrom(s setting.Settings, loc *time.Location) Schedule {
	return Schedule{
		Loc:         loc,
		WorkStart:   parseClock(s.WorkStart, 8*60+30),
		WorkEnd:     parseClock(s.WorkEnd, 17*60+30),
		Quiet:       s.QuietHours(loc),
		AfterWork:   time.Duration(s.DingAfterWorkMin) * time.Minute,
		AfterOffHrs: time.Duration(s.DingAfterOffhoursMin) * time.Minute,
	}
}

// InWorkingHours reports whether t falls on a school work day between the
// start and the end of work.
func (s Schedule) InWorkingHours(t time.Time, cal calendar.Calendar) bool {
	local := t.In(s.Loc)
	if !cal.IsWorkDay(calendar.DayOf(local, s.Loc)) {
		return false
	}
	c := clockOf(local)
	return c >= s.WorkStart && c < s.WorkEnd
}

// AutoDing is when a notice published at published is DINGed to those who
// have not read it.
func (s Schedule) AutoDing(published time.Time, cal calendar.Calendar) time.Time {
	if s.InWorkingHours(published, cal) {
		return published.Add(s.AfterWork)
	}
	return published.Add(s.AfterOffHrs)
}

// InQuietHours reports whether t is in the quiet hours.
func (s Schedule) InQuietHours(t time.Time) bool { return s.Quiet.Contains(t) }

// Deliver is when a reminder due at t reaches a recipient: at once, except
// that a parent's waits for the end of quiet hours.
func (s Schedule) Deliver(t time.Time, parent bool) time.Time {
	if !parent || !s.InQuietHours(t) {
		return t
	}
	return s.Quiet.Ends(t)
}

// ManualAllowed reports whether the author may DING now, and if not, how
// long until they may.
func ManualAllowed(last *time.Time, now time.Time) (bool, time.Duration) {
	if last == nil || now.Sub(*last) >= ManualFloor {
		return true, 0
	}
	return false, ManualFloor - now.Sub(*last)
}
