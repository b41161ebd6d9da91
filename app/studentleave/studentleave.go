// Package studentleave keeps student leave (学生请假): a current guardian
// who is still in the class group asks for 事假 or 病假 (with symptoms) by
// half days, at most 30 school days counted on the school calendar,
// starting no more than a week back (补请假) nor 90 days ahead; the
// class's head teacher (or an admin) approves or rejects it with a reason
// and marks the child back (销假); a guardian may cancel it before it
// starts. The morning view and the school's day read approved leave.
package studentleave

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"jiaxiao/app/calendar"
)

// Kinds of leave.
const (
	Personal = "事假"
	Sick     = "病假"
)

// Kinds are the kinds a guardian may ask for.
var Kinds = []string{Personal, Sick}

// Symptoms are the symptoms a 病假 may name, in the order pages show them.
var Symptoms = []string{"发热", "咳嗽", "呕吐", "腹泻", "皮疹", "其他"}

// Halves of a school day.
const (
	AM = "am"
	PM = "pm"
)

// Statuses of a request.
const (
	Pending   = "pending"
	Approved  = "approved"
	Rejected  = "rejected"
	Cancelled = "cancelled"
	Returned  = "returned"
)

// StatusLabel is how pages name a status.
func StatusLabel(s string) string {
	switch s {
	case Pending:
		return "待审批"
	case Approved:
		return "已批准"
	case Rejected:
		return "已驳回"
	case Cancelled:
		return "已撤销"
	case Returned:
		return "已销假"
	}
	return s
}

// MaxSchoolDays is the longest leave a guardian may ask for, in school days.
const MaxSchoolDays = 30

// maxSpanDays bounds the calendar days between start and end before any
// counting: 30 school days never need more than this.
const maxSpanDays = 120

// Leave is one row of student_leaves.
type Leave struct {
	ID           uint64
	StudentID    uint64
	ClassID      uint64
	ParentID     uint64
	Kind         string
	StartDate    string
	StartHalf    string
	EndDate      string
	EndHalf      string
	HalfDays     int
	Reason       string
	Symptoms     string // comma-separated, from Symptoms
	Status       string
	DecidedBy    *uint64
	DecidedAt    *time.Time
	RejectReason string
	ReturnedBy   *uint64
	ReturnedAt   *time.Time
	FileID       *uint64
	CreatedAt    time.Time
	// HeadRemindedAt is when the head teacher was reminded of the request
	// still pending (remind.go); nil until then.
	HeadRemindedAt *time.Time
}

// TableName implements gorm's Tabler.
func (Leave) TableName() string { return "student_leaves" }

// SymptomList is the leave's symptoms.
func (l Leave) SymptomList() []string {
	if l.Symptoms == "" {
		return nil
	}
	return strings.Split(l.Symptoms, ",")
}

// Days is the leave's length in school days (half days count 0.5).
func (l Leave) Days() float64 { return float64(l.HalfDays) / 2 }

// HalfLabel names a half day: 上午 or 下午.
func HalfLabel(h string) string {
	if h == PM {
		return "下午"
	}
	return "上午"
}

// Start is the start as pages write it: 2026-12-01 上午.
func (l Leave) Start() string { return l.StartDate + " " + HalfLabel(l.StartHalf) }

// End is the end as pages write it: 2026-12-02 下午.
func (l Leave) End() string { return l.EndDate + " " + HalfLabel(l.EndHalf) }

// Covers reports whether the leave takes in any half of day d.
func (l Leave) Covers(d calendar.Day) bool {
	return string(d) >= l.StartDate && string(d) <= l.EndDate
}

// HalvesOn says which halves of d the leave takes: 全天, 上午 or 下午.
func (l Leave) HalvesOn(d calendar.Day) string {
	am := string(d) > l.StartDate || l.StartHalf == AM
	pm := string(d) < l.EndDate || l.EndHalf == PM
	switch {
	case am && pm:
		return "全天"
	case am:
		return "上午"
	default:
		return "下午"
	}
}

// StartsAt is the moment the leave begins: midnight of its start date, or
// noon for an afternoon start, in loc.
func (l Leave) StartsAt(loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, l.StartDate, loc)
	if l.StartHalf == PM {
		t = t.Add(12 * time.Hour)
	}
	return t
}

// HalfDays counts the school half days from (start, startHalf) to (end,
// endHalf), both taken in: only work days of cal count. The span is
// bounded before counting.
func HalfDays(cal calendar.Calendar, start, startHalf, end, endHalf string) (int, error) {
	s, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return 0, fmt.Errorf("studentleave: start %q", start)
	}
	e, err := time.Parse(time.DateOnly, end)
	if err != nil {
		return 0, fmt.Errorf("studentleave: end %q", end)
	}
	if e.Before(s) || (e.Equal(s) && startHalf == PM && endHalf == AM) {
		return 0, fmt.Errorf("studentleave: end before start")
	}
	if e.Sub(s) > maxSpanDays*24*time.Hour {
		return 0, fmt.Errorf("studentleave: span too long")
	}
	n := 0
	for d := s; !d.After(e); d = d.AddDate(0, 0, 1) {
		if !cal.IsWorkDay(calendar.Day(d.Format(time.DateOnly))) {
			continue
		}
		halves := 2
		if d.Equal(s) && startHalf == PM {
			halves--
		}
		if d.Equal(e) && endHalf == AM {
			halves--
		}
		n += halves
	}
	return n, nil
}

// cleanSymptoms keeps the known symptoms, each once, in Symptoms order;
// ok is false if any is unknown.
func cleanSymptoms(in []string) (string, bool) {
	var out []string
	for _, s := range Symptoms {
		if slices.Contains(in, s) {
			out = append(out, s)
		}
	}
	for _, s := range in {
		if !slices.Contains(Symptoms, s) {
			return "", false
		}
	}
	return strings.Join(out, ","), true
}
