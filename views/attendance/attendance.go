// Package attendance renders the attendance screens: the punch page with a
// teacher's own month, approvals, the principal's daily board and monthly
// summary, and the school calendar.
package attendance

import "jiaxiao/views/component"

// Weekdays head the month calendar's columns: weeks start on Monday, as
// Chinese calendars do.
var Weekdays = []string{"一", "二", "三", "四", "五", "六", "日"}

// CalDay is one cell of a teacher's month calendar; Day is "" for the
// cells before the first and after the last day of the month.
type CalDay struct {
	Day   string // "2026-11-18"
	Label string // "18"
	// Status is the day's standing in words; "" for a day still to come
	// or a rest day, which say nothing.
	Status string
	Class  string // bad, ok, rest, future, pending
	Today  bool
	// Mark is a rest day's or a special work day's name: 休, 国庆节, 班 …
	Mark    string
	MarkTip string // the mark in full, for its title
	In, Out string // "08:05", "17:40"
	// MakeupURL is set on a flagged day that can still be made up
	// (attendance.MakeupRule); LeaveURL on every flagged day.
	MakeupURL, LeaveURL string
}

// Request is one of the teacher's own requests.
type Request struct {
	What, When, Status, Class, Reason string
}

// Clock is the server's time when the page was made, for the punch
// page's clock: JavaScript ticks on from it, never from the phone's clock.
type Clock struct {
	UnixMilli int64
	// OffsetSec is the school's time zone offset from UTC.
	OffsetSec int
	Time      string // "10:00:05"
	Date      string // "11月18日 星期三"
}

// Fence is the school point the page checks positions against before
// the server checks them again at the punch.
type Fence struct {
	Set          bool
	Lat, Lng     string
	RadiusM      int
	MaxAccuracyM int
}

// PunchLine is one of today's punches.
type PunchLine struct {
	Which string // 上班, 下班, 打卡 (neither first nor last)
	Time  string
	// Where says where it was made: 在范围内, 外勤 · 距学校 2215 米, 考勤机, 补卡.
	Where string
	Field bool
	Note  string
	// Warn is the accuracy warning, if it was poor.
	Warn string
}

// PunchView is the punch page.
type PunchView struct {
	CSRF        string
	Clock       Clock
	TodayStatus string
	TodayClass  string
	// DayNote says when today does not count: a rest day, a holiday.
	DayNote string
	Punches []PunchLine
	// Action is what the button does: 上班打卡 or 下班打卡.
	Action string
	// ActionNote says what a further punch changes, once clocked out.
	ActionNote string
	// SwitchAt (Unix ms), if not 0, is when a first punch starts counting
	// as the clock-out: the button then says SwitchAction.
	SwitchAt     int64
	SwitchAction string
	Fence        Fence
	Note         string
	NoteError    string
	Error        string
	Month        string
	MonthTitle   string
	PrevURL      string
	NextURL      string
	Weeks        [][]CalDay
	Summary      []Stat
	// MakeupNote says how many make-ups the month has left, or why none.
	MakeupNote string
	MakeupMin  string // the make-up form's earliest and latest dates
	MakeupMax  string
	LeaveKinds []component.Option
	Leave      LeaveForm
	Makeup     MakeupForm
	Requests   []Request
}

// Stat is one labelled number.
type Stat struct {
	Label, Value string
}

// LeaveForm is the leave form with what was typed.
type LeaveForm struct {
	Kind, Start, End, Reason string
	Errors                   map[string]string
}

// MakeupForm is the make-up form with what was typed.
type MakeupForm struct {
	Date, Which, Reason string
	Errors              map[string]string
}

// InboxItem is a request waiting for the approver.
type InboxItem struct {
	Who, What, When, Reason, Filed, ApproveURL, RejectURL string
	// RejectError is the message after a rejection without a reason.
	RejectError string
}

// ApprovalsView is the approver's inbox.
type ApprovalsView struct {
	CSRF  string
	Items []InboxItem
	Error string
}

// BoardPunch is a punch the principal should look at: in the field, or
// with a poor accuracy.
type BoardPunch struct {
	Time  string
	Field bool
	// Where is the distance from the school and the position.
	Where string
	Note  string
	Warn  string
}

// BoardRow is one teacher on the daily board.
type BoardRow struct {
	Name, Department, Status, Class, In, Out string
	// Note counts the field punches ("外勤 1 次").
	Note    string
	Punches []BoardPunch
}

// DailyView is the principal's day board.
type DailyView struct {
	Date    string
	Title   string // "11月18日 星期三"
	PrevURL string
	NextURL string
	Counts  []Stat
	Rows    []BoardRow
	Work    bool
	DayNote string
}

// MonthRow is one teacher's month.
type MonthRow struct {
	Name, Phone                                                    string
	WorkDays, Attended, Late, Early, Missing, Absent, Field, Leave string
	Makeups                                                        string
	RatePct                                                        int
}

// MonthlyView is the principal's monthly summary.
type MonthlyView struct {
	CSRF        string
	Month       string
	PrevURL     string
	NextURL     string
	Rows        []MonthRow
	CSVURL      string
	XLSXURL     string
	Confirmed   string
	ConfirmURL  string
	ImportError []string
}

// CalendarRow is one school-specific day.
type CalendarRow struct {
	Day, Kind, Note, DeleteURL string
}

// CalendarView is the school calendar page.
type CalendarView struct {
	CSRF     string
	Rows     []CalendarRow
	Holidays []CalendarRow
	Year     string
	// What was typed, kept after a refusal, with the messages by field.
	Day, Work, Note string
	Errors          map[string]string
}
