package attendance

import (
	"slices"
	"strings"
	"testing"
	"time"

	"jiaxiao/app/apperr"
	"jiaxiao/app/calendar"
	"jiaxiao/app/setting"
)

// A lone punch is the clock-in or the clock-out by the time of day, never
// both, on rest days as on work days.
func TestLonePunch(t *testing.T) {
	t.Parallel()
	r := RulesFrom(setting.Defaults(), sh)
	now := at("2026-11-30", "12:00:00")
	for _, c := range []struct {
		day, when string
		in        bool
	}{
		{"2026-11-08", "09:00:00", true},  // Sunday morning
		{"2026-11-08", "15:00:00", false}, // Sunday afternoon
		{"2026-10-01", "12:59:59", true},  // National Day, before the middle of the work period
		{"2026-10-01", "13:00:00", false},
		{"2026-11-02", "08:10:00", true}, // a work day
		{"2026-11-02", "17:40:00", false},
	} {
		d := Compute(r, calendar.Calendar{}, calendar.Day(c.day), Input{Punches: punches(c.day, c.when)}, now)
		if (d.In != nil) != c.in || (d.Out != nil) == c.in || d.Punches != 1 {
			t.Errorf("%s %s: in %v out %v", c.day, c.when, d.In, d.Out)
		}
	}
	d := Compute(r, calendar.Calendar{}, "2026-11-08", Input{Punches: punches("2026-11-08", "09:00:00", "16:00:00")}, now)
	if d.In == nil || d.Out == nil || d.Status != Rest {
		t.Errorf("two punches on a Sunday: %+v", d)
	}
}

func TestNextPunch(t *testing.T) {
	t.Parallel()
	r := RulesFrom(setting.Defaults(), sh)
	day := "2026-11-02"
	for _, c := range []struct {
		name  string
		in    Input
		now   string
		which string
	}{
		{"nothing yet, morning", Input{}, "07:50:00", "in"},
		{"nothing yet, just before the middle", Input{}, "12:59:59", "in"},
		{"nothing yet, afternoon", Input{}, "13:00:00", "out"},
		{"clocked in", Input{Punches: punches(day, "08:10:00")}, "09:00:00", "out"},
		{"clocked out", Input{Punches: punches(day, "08:10:00", "17:40:00")}, "18:00:00", "out"},
		{"on leave all day, nothing yet", Input{Leave: []Span{{at(day, "08:30:00"), at(day, "17:30:00")}}}, "08:00:00", "in"},
		{"on leave all day, punched", Input{Leave: []Span{{at(day, "08:30:00"), at(day, "17:30:00")}}, Punches: punches(day, "08:00:00")}, "09:00:00", "out"},
	} {
		now := at(day, c.now)
		d := Compute(r, calendar.Calendar{}, calendar.Day(day), c.in, now)
		if got := NextPunch(r, d, now); got != c.which {
			t.Errorf("%s: %s, want %s", c.name, got, c.which)
		}
	}
}

// CanMakeUp: the same refusals RequestMakeup gives, day by day.
func TestMakeupRule(t *testing.T) {
	t.Parallel()
	base := MakeupRule{Cal: calendar.Calendar{}, Loc: sh, Today: "2026-11-18", Month: "2026-11", Quota: 3}
	var open []string
	for d := 1; d <= 30; d++ {
		day := calendar.Day(time.Date(2026, 11, d, 0, 0, 0, 0, sh).Format(time.DateOnly))
		if base.CanMakeUp(day) == nil {
			open = append(open, string(day[8:]))
		}
	}
	// Wednesday the 18th: back to Wednesday the 11th, five work days.
	if !slices.Equal(open, []string{"11", "12", "13", "16", "17", "18"}) {
		t.Errorf("open days: %v", open)
	}
	if base.Earliest() != "2026-11-11" {
		t.Errorf("earliest: %s", base.Earliest())
	}
	refusal := func(m MakeupRule, day string) string {
		v, _ := apperr.AsValidation(m.CanMakeUp(calendar.Day(day)))
		if v == nil {
			return ""
		}
		return v.Message()
	}
	for _, c := range []struct {
		name string
		rule func(MakeupRule) MakeupRule
		day  string
		want string
	}{
		{"a Sunday", nil, "2026-11-15", "只能为工作日补卡"},
		{"tomorrow", nil, "2026-11-19", "不能为以后的日期补卡"},
		{"six work days back", nil, "2026-11-10", "只能补 5 个工作日以内的卡"},
		{"long ago", nil, "0001-01-01", "本月"},
		{"quota used", func(m MakeupRule) MakeupRule { m.Used = 3; return m }, "2026-11-17", "每月最多 3 次"},
		{"no quota", func(m MakeupRule) MakeupRule { m.Quota = 0; return m }, "2026-11-17", "每月最多 0 次"},
		{"month confirmed", func(m MakeupRule) MakeupRule { m.Locked = true; return m }, "2026-11-17", "已确认锁定"},
		{"quota left", func(m MakeupRule) MakeupRule { m.Used = 2; return m }, "2026-11-17", ""},
	} {
		m := base
		if c.rule != nil {
			m = c.rule(m)
		}
		if got := refusal(m, c.day); (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// The window crosses into last month: on Tuesday 3 November, back to
	// Tuesday 27 October, counted against October's quota.
	oct := MakeupRule{Cal: calendar.Calendar{}, Loc: sh, Today: "2026-11-03", Month: "2026-10", Quota: 3}
	open = nil
	for d := 1; d <= 31; d++ {
		if day := calendar.Day(time.Date(2026, 10, d, 0, 0, 0, 0, sh).Format(time.DateOnly)); oct.CanMakeUp(day) == nil {
			open = append(open, string(day[8:]))
		}
	}
	if !slices.Equal(open, []string{"27", "28", "29", "30"}) || oct.Earliest() != "2026-10-27" {
		t.Errorf("October from 3 November: %v, earliest %s", open, oct.Earliest())
	}
	// After the National Day holiday (1–7 October, the 10th a 调休 Saturday):
	// on Monday 12 October the window reaches back over the holiday.
	hol := MakeupRule{Cal: calendar.Calendar{}, Loc: sh, Today: "2026-10-12", Month: "2026-10", Quota: 3}
	if e := hol.Earliest(); e != "2026-09-29" {
		t.Errorf("after the holiday: earliest %s", e)
	}
	// A date far back is refused without counting the days between (the
	// count took 11 s for year 1).
	far := MakeupRule{Cal: calendar.Calendar{}, Loc: sh, Today: "2026-11-18", Month: "0001-01", Quota: 3}
	start := time.Now()
	if far.CanMakeUp("0001-01-03") == nil || time.Since(start) > 500*time.Millisecond {
		t.Errorf("a make-up 2000 years back: %v", time.Since(start))
	}
}
