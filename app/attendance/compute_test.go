package attendance

import (
	"slices"
	"testing"
	"time"

	"jiaxiao/app/calendar"
	"jiaxiao/app/setting"
)

var sh, _ = time.LoadLocation("Asia/Shanghai")

func at(day string, hms string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", day+" "+hms, sh)
	if err != nil {
		panic(err)
	}
	return t
}

func punches(day string, times ...string) []PunchIn {
	var out []PunchIn
	for _, t := range times {
		out = append(out, PunchIn{At: at(day, t)})
	}
	return out
}

func TestComputeBoundaries(t *testing.T) {
	t.Parallel()
	r := RulesFrom(setting.Defaults(), sh)
	cal := calendar.Calendar{}
	now := at("2026-11-30", "12:00:00")
	mon := "2026-11-02"
	cases := []struct {
		name   string
		day    string
		in     Input
		status Status
		check  func(Day) bool
	}{
		{"08:30:59 is on time", mon, Input{Punches: punches(mon, "08:30:59", "17:30:00")}, Normal, func(d Day) bool { return !d.Late && d.LateMin == 0 }},
		{"08:31:00 is 1 minute late", mon, Input{Punches: punches(mon, "08:31:00", "17:30:00")}, Late, func(d Day) bool { return d.Late && d.LateMin == 1 }},
		{"09:00:59 is 30 minutes late", mon, Input{Punches: punches(mon, "09:00:59", "17:30:00")}, Late, func(d Day) bool { return d.LateMin == 30 && d.Absent == 0 }},
		{"09:01:00 is absent", mon, Input{Punches: punches(mon, "09:01:00", "17:30:00")}, Absent, func(d Day) bool { return d.LateMin == 31 && d.Absent == 1 && !d.Late }},
		{"17:29:59 is early leave", mon, Input{Punches: punches(mon, "08:00:00", "17:29:59")}, Early, func(d Day) bool { return d.Early }},
		{"17:30:00 is not", mon, Input{Punches: punches(mon, "08:00:00", "17:30:00")}, Normal, func(d Day) bool { return !d.Early }},
		{"no clock-out", mon, Input{Punches: punches(mon, "08:10:00")}, Missing, func(d Day) bool { return d.Missing == 1 && d.Absent == 0 }},
		{"no clock-in", mon, Input{Punches: punches(mon, "17:40:00")}, Missing, func(d Day) bool { return d.Missing == 1 }},
		{"neither punch is absent, not two missing", mon, Input{}, Absent, func(d Day) bool { return d.Absent == 1 && d.Missing == 0 }},
		{"Sunday 2026-11-08 is a rest day", "2026-11-08", Input{Punches: punches("2026-11-08", "09:00:00")}, Rest, func(d Day) bool { return !d.Work }},
		{"a 调休 Sunday is a work day", "2026-09-20", Input{}, Absent, func(d Day) bool { return d.Work }},
		{"a 调休 Saturday is a work day", "2026-10-10", Input{Punches: punches("2026-10-10", "08:25:00", "17:35:00")}, Normal, func(d Day) bool { return d.Work }},
		{"a public holiday", "2026-10-01", Input{}, Rest, func(d Day) bool { return !d.Work }},
		{"full-day leave", mon, Input{Leave: []Span{{at(mon, "08:30:00"), at(mon, "17:30:00")}}}, OnLeave, func(d Day) bool { return d.Leave == 1 && d.Absent == 0 }},
		{"morning leave, afternoon worked", mon, Input{Leave: []Span{{at(mon, "08:30:00"), at(mon, "13:00:00")}}, Punches: punches(mon, "13:05:00", "17:31:00")},
			OnLeave, func(d Day) bool { return d.Leave == 0.5 && !d.Late && d.Absent == 0 }},
		{"morning leave, no punches: half absent", mon, Input{Leave: []Span{{at(mon, "08:30:00"), at(mon, "13:00:00")}}}, Absent,
			func(d Day) bool { return d.Leave == 0.5 && d.Absent == 0.5 }},
		{"afternoon leave: no clock-out needed", mon, Input{Leave: []Span{{at(mon, "13:00:00"), at(mon, "17:30:00")}}, Punches: punches(mon, "08:20:00")},
			OnLeave, func(d Day) bool { return d.Leave == 0.5 && d.Missing == 0 }},
		{"a make-up clock-out turns missing into normal", mon, Input{Punches: punches(mon, "08:20:00"), Makeups: []MakeupIn{{Day: calendar.Day(mon), In: false}}},
			Normal, func(d Day) bool { return d.Missing == 0 && d.Makeups == 1 }},
		{"field punches", mon, Input{Punches: []PunchIn{{At: at(mon, "08:20:00"), Field: true}, {At: at(mon, "17:40:00"), Field: true}}}, Field,
			func(d Day) bool { return d.FieldCount == 2 }},
		{"a day still to come", "2026-12-01", Input{}, Pending, func(d Day) bool { return d.Absent == 0 }},
	}
	for _, c := range cases {
		d := Compute(r, cal, calendar.Day(c.day), c.in, now)
		if d.Status != c.status || !c.check(d) {
			t.Errorf("%s: %+v", c.name, d)
		}
	}
	// Today before the end of work: a clock-in alone is not yet missing.
	today := Compute(r, cal, "2026-11-30", Input{Punches: punches("2026-11-30", "08:10:00")}, now)
	if today.Status != Normal || today.Missing != 0 {
		t.Errorf("today so far: %+v", today)
	}
	// A grace of 5 minutes.
	r2 := r
	r2.LateGraceMin = 5
	if d := Compute(r2, cal, calendar.Day(mon), Input{Punches: punches(mon, "08:35:59", "17:30:00")}, now); d.Late {
		t.Errorf("within grace: %+v", d)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	r := RulesFrom(setting.Defaults(), sh)
	cal := calendar.Calendar{}
	now := at("2026-12-01", "09:00:00")
	days, _ := MonthDays("2026-11", sh)
	var out []Day
	for _, d := range days {
		in := Input{Punches: punches(string(d), "08:20:00", "17:40:00")}
		switch d {
		case "2026-11-03":
			in = Input{Punches: punches(string(d), "08:45:00", "17:40:00")} // late
		case "2026-11-04":
			in = Input{} // absent
		case "2026-11-05":
			in = Input{Punches: punches(string(d), "08:20:00")} // missing
		case "2026-11-06":
			in = Input{Leave: []Span{{at(string(d), "08:30:00"), at(string(d), "17:30:00")}}}
		case "2026-11-09":
			in = Input{Punches: punches(string(d), "08:20:00"), Makeups: []MakeupIn{{Day: d}}} // a make-up clock-in, the real one is later
		}
		out = append(out, Compute(r, cal, d, in, now))
	}
	s := Summarize(out)
	want := Summary{WorkDays: 21, Attended: 19, Late: 1, Missing: 1, Absent: 1, Leave: 1, Makeups: 1}
	if s != want {
		t.Fatalf("summary %+v, want %+v", s, want)
	}
}

func TestHaversine(t *testing.T) {
	t.Parallel()
	// Two points about 300 m apart along a meridian.
	d := Haversine(31.2304, 121.4737, 31.2304+300.0/111195, 121.4737)
	if d < 299 || d > 301 {
		t.Fatalf("distance %f", d)
	}
}

func TestTally(t *testing.T) {
	t.Parallel()
	days := []Day{{Status: Normal}, {Status: Early}, {Status: Missing}, {Status: Late},
		{Status: Absent}, {Status: OnLeave}, {Status: Field}, {Status: Pending}, {Status: Rest}}
	got := Tally(days)
	want := []Count{{"出勤", 3}, {"迟到", 1}, {"旷工", 1}, {"请假", 1}, {"外勤", 1}, {"未打卡", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("Tally = %v, want %v", got, want)
	}
	for s, want := range map[Status]Standing{Late: Problem, Missing: Problem,
		Field: Fine, OnLeave: Fine, Rest: Resting, Pending: Undecided} {
		if got := s.Standing(); got != want {
			t.Errorf("%s.Standing() = %v, want %v", s, got, want)
		}
	}
}
