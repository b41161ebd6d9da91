// Package attendance renders the attendance screens: the punch page with a
// teacher's own month, approvals, the principal's daily board and monthly
// summary, and the school calendar.
package attendance

import "jiaxiao/views/component"

// CalDay is one day of a teacher's month calendar.
type CalDay struct {
	Day, Label, Status, Class, Detail string
	Weekday                           int
	Flagged                           bool // late, early, missing, absent: a make-up or leave may help
	MakeupURL, LeaveURL               string
}

// Request is one of the teacher's own requests.
type Request struct {
	What, When, Status, Reason string
}

// PunchView is the punch page.
type PunchView struct {
	CSRF        string
	Today       string
	TodayStatus string
	Punches     []string
	Note        string
	NoteError   string
	Error       string
	Notice      string
	Month       string
	PrevURL     string
	NextURL     string
	Days        []CalDay
	Summary     []Stat
	LeaveKinds  []component.Option
	Leave       LeaveForm
	Makeup      MakeupForm
	Requests    []Request
	FenceSet    bool
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
	Who, What, When, Reason, ApproveURL, RejectURL string
	// RejectError is the message after a rejection without a reason.
	RejectError string
}

// ApprovalsView is the approver's inbox.
type ApprovalsView struct {
	CSRF  string
	Items []InboxItem
	Error string
}

// BoardRow is one teacher on the daily board.
type BoardRow struct {
	Name, Department, Status, Class, In, Out, Note string
}

// DailyView is the principal's day board.
type DailyView struct {
	Date    string
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
	ImportDone  string
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
	Day      string
	Note     string
	Error    string
}
