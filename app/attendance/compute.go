// Package attendance is teacher attendance (DESIGN §5): geofenced punches
// and terminal imports, leave and make-up requests with their approvals,
// and the computation of each teacher's day — a pure function of the
// rules, the calendar, the punches, approved leave and approved make-ups —
// into the daily board and the monthly summary, which the principal
// confirms to lock the month.
package attendance

import (
	"math"
	"sort"
	"time"

	"jiaxiao/app/calendar"
	"jiaxiao/app/setting"
)

// Status is what a teacher's day was.
type Status string

// Statuses, as the board and the calendar show them.
const (
	Normal  Status = "normal"
	Late    Status = "late"
	Early   Status = "early"
	Missing Status = "missing"
	Absent  Status = "absent"
	OnLeave Status = "leave"
	Field   Status = "field"
	Rest    Status = "rest"
	Pending Status = "pending" // today, not over yet; or a day still to come
)

// Label is the status in Chinese.
func (s Status) Label() string {
	return map[Status]string{Normal: "正常", Late: "迟到", Early: "早退", Missing: "缺卡", Absent: "旷工", OnLeave: "请假",
		Field: "外勤", Rest: "休息", Pending: "未打卡"}[s]
}

// Standing groups statuses the way the board and the calendar colour them.
type Standing int

// Standings.
const (
	Undecided Standing = iota // a day not over yet
	Fine                      // worked as the rules want, in the field or on leave
	Problem                   // late, early, a punch missing, absent
	Resting                   // not a work day
)

// Standing says whether the day needs attention.
func (s Status) Standing() Standing {
	switch s {
	case Late, Early, Missing, Absent:
		return Problem
	case Normal, Field, OnLeave:
		return Fine
	case Rest:
		return Resting
	}
	return Undecided
}

// Count is one number of the daily board.
type Count struct {
	Label string
	N     int
}

// Tally counts one day of every teacher for the daily board: present
// (出勤: normal days, and days with an early leave or a missing punch — the
// teacher came), late, absent, on leave, in the field, not punched yet.
func Tally(days []Day) []Count {
	out := []Count{{Label: "出勤"}, {Label: "迟到"}, {Label: "旷工"}, {Label: "请假"}, {Label: "外勤"}, {Label: "未打卡"}}
	for _, d := range days {
		i := -1
		switch d.Status {
		case Normal, Early, Missing:
			i = 0
		case Late:
			i = 1
		case Absent:
			i = 2
		case OnLeave:
			i = 3
		case Field:
			i = 4
		case Pending:
			i = 5
		}
		if i >= 0 {
			out[i].N++
		}
	}
	return out
}

// Rules are the attendance settings the computation needs.
type Rules struct {
	Loc            *time.Location
	Start, End     int // minutes after midnight
	LateGraceMin   int
	AbsentAfterMin int
}

// RulesFrom reads the rules from the school settings.
func RulesFrom(s setting.Settings, loc *time.Location) Rules {
	hm := func(v string, def int) int {
		t, err := time.Parse("15:04", v)
		if err != nil {
			return def
		}
		return t.Hour()*60 + t.Minute()
	}
	return Rules{Loc: loc, Start: hm(s.WorkStart, 8*60+30), End: hm(s.WorkEnd, 17*60+30), LateGraceMin: s.LateGraceMin, AbsentAfterMin: s.AbsentAfterMin}
}

// PunchIn is a punch as the computation sees it.
type PunchIn struct {
	At    time.Time
	Field bool
}

// Span is an approved leave: from Start to End.
type Span struct {
	Start, End time.Time
}

// MakeupIn is an approved make-up punch.
type MakeupIn struct {
	Day calendar.Day
	In  bool // true for clock-in, false for clock-out
}

// Input is one teacher's data for a range of days.
type Input struct {
	Punches []PunchIn
	Leave   []Span
	Makeups []MakeupIn
}

// Day is one computed day.
type Day struct {
	Day        calendar.Day
	Work       bool
	Status     Status
	In, Out    *time.Time
	LateMin    int
	Late       bool
	Early      bool
	Missing    int     // missing punches (0, 1) on a day that is not absent
	Absent     float64 // 0, 0.5 or 1
	Leave      float64 // 0, 0.5 or 1
	FieldCount int
	Makeups    int
	Punches    int // punches that day, approved make-ups included
}

// Middle is the middle of the day's work period: a lone punch before it
// clocks in, after it clocks out.
func (r Rules) Middle(d calendar.Day) time.Time {
	start, end := r.period(d)
	return start.Add(end.Sub(start) / 2)
}

// period returns the day's work period in time.
func (r Rules) period(d calendar.Day) (time.Time, time.Time) {
	t, _ := time.ParseInLocation(time.DateOnly, string(d), r.Loc)
	return t.Add(time.Duration(r.Start) * time.Minute), t.Add(time.Duration(r.End) * time.Minute)
}

// Compute evaluates one day of one teacher. now decides which days are
// over: a day after now is Pending, and today counts only what has happened.
func Compute(r Rules, cal calendar.Calendar, d calendar.Day, in Input, now time.Time) Day {
	out := Day{Day: d, Work: cal.IsWorkDay(d)}
	start, end := r.period(d)
	dayStart, _ := time.ParseInLocation(time.DateOnly, string(d), r.Loc)
	dayEnd := dayStart.AddDate(0, 0, 1)
	var punches []PunchIn
	for _, p := range in.Punches {
		if !p.At.Before(dayStart) && p.At.Before(dayEnd) {
			punches = append(punches, p)
		}
	}
	for _, m := range in.Makeups {
		if m.Day == d {
			out.Makeups++
			if m.In {
				punches = append(punches, PunchIn{At: start})
			} else {
				punches = append(punches, PunchIn{At: end})
			}
		}
	}
	sort.Slice(punches, func(i, j int) bool { return punches[i].At.Before(punches[j].At) })
	out.Punches = len(punches)
	for _, p := range punches {
		if p.Field {
			out.FieldCount++
		}
	}
	mid := start.Add(end.Sub(start) / 2)
	if !out.Work {
		// Punches on rest days are kept and shown, but count for nothing
		// (Summarize skips rest days).
		out.Status = Rest
		out.In, out.Out = inOut(punches, mid)
		return out
	}
	if !now.After(dayStart) {
		out.Status = Pending
		return out
	}
	// Leave: how much of the work period it covers (halves at the midpoint).
	coversAM, coversPM := covered(in.Leave, start, mid), covered(in.Leave, mid, end)
	switch {
	case coversAM && coversPM:
		out.Leave, out.Status = 1, OnLeave
		return out
	case coversAM || coversPM:
		out.Leave = 0.5
	}
	out.In, out.Out = inOut(punches, mid)
	over := !now.Before(end)
	needIn, needOut := !coversAM, !coversPM
	switch {
	case out.In == nil && out.Out == nil && over:
		if out.Leave == 0.5 {
			out.Absent = 0.5
		} else {
			out.Absent = 1
		}
	default:
		if needIn {
			if out.In == nil {
				if over || now.After(mid) {
					out.Missing++
				}
			} else {
				out.LateMin = int(out.In.Sub(start) / time.Minute)
				if out.LateMin > r.AbsentAfterMin {
					out.Absent = 1 - out.Leave
				} else if out.LateMin > r.LateGraceMin {
					out.Late = true
				}
			}
		}
		if needOut && over {
			if out.Out == nil {
				out.Missing++
			} else if out.Out.Before(end) {
				out.Early = true
			}
		}
	}
	if out.Absent > 0 {
		out.Missing, out.Late, out.Early = 0, false, false
	}
	switch {
	case out.Absent > 0:
		out.Status = Absent
	case out.In == nil && out.Out == nil:
		out.Status = Pending
	case out.Missing > 0:
		out.Status = Missing
	case out.Late:
		out.Status = Late
	case out.Early:
		out.Status = Early
	case out.FieldCount > 0:
		out.Status = Field
	case out.Leave > 0:
		out.Status = OnLeave
	default:
		out.Status = Normal
	}
	return out
}

// inOut says which of a day's sorted punches clock in and out: the first
// and the last; a lone punch is one or the other, never both — the
// clock-in before the middle of the work period, the clock-out after it.
func inOut(punches []PunchIn, mid time.Time) (in, out *time.Time) {
	switch n := len(punches); {
	case n >= 2:
		a, b := punches[0].At, punches[n-1].At
		return &a, &b
	case n == 1 && punches[0].At.Before(mid):
		a := punches[0].At
		return &a, nil
	case n == 1:
		a := punches[0].At
		return nil, &a
	}
	return nil, nil
}

// NextPunch says what a punch at now would count as on the day d computed
// so far: "in" when it would be the day's first punch and comes before the
// middle of the work period, "out" otherwise (the last punch clocks out).
func NextPunch(r Rules, d Day, now time.Time) string {
	if d.Punches == 0 && now.Before(r.Middle(d.Day)) {
		return "in"
	}
	return "out"
}

func covered(spans []Span, from, to time.Time) bool {
	for _, s := range spans {
		if !s.Start.After(from) && !s.End.Before(to) {
			return true
		}
	}
	return false
}

// Summary is a teacher's month (CONTRACT's export columns).
type Summary struct {
	WorkDays   int
	Attended   float64
	Late       int
	Early      int
	Missing    int
	Absent     float64
	FieldCount int
	Leave      float64
	Makeups    int
}

// Summarize adds up computed days.
func Summarize(days []Day) Summary {
	var s Summary
	for _, d := range days {
		if !d.Work {
			continue
		}
		s.WorkDays++
		if d.Late {
			s.Late++
		}
		if d.Early {
			s.Early++
		}
		s.Missing += d.Missing
		s.Absent += d.Absent
		s.FieldCount += d.FieldCount
		s.Leave += d.Leave
		s.Makeups += d.Makeups
		if d.Status != Pending || d.In != nil || d.Out != nil {
			s.Attended += 1 - d.Absent - d.Leave
		}
	}
	s.Attended = math.Max(0, s.Attended)
	return s
}

// MonthDays lists the days of a month ("2026-11").
func MonthDays(month string, loc *time.Location) ([]calendar.Day, error) {
	t, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil {
		return nil, err
	}
	var out []calendar.Day
	for d := t; d.Month() == t.Month(); d = d.AddDate(0, 0, 1) {
		out = append(out, calendar.Day(d.Format(time.DateOnly)))
	}
	return out, nil
}

// Haversine is the distance in metres between two points on the Earth.
func Haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}
