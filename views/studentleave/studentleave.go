// Package studentleave renders student leave (学生请假): a guardian's form
// and list, and the head teacher's list with its decisions.
package studentleave

import "jiaxiao/views/component"

// Child is a child the form offers.
type Child struct {
	ID, Label string
}

// Form is the leave form with what was typed and the messages for it.
type Form struct {
	StudentID, Kind                        string
	StartDate, StartHalf, EndDate, EndHalf string
	Reason                                 string
	Symptoms                               []string
	Errors                                 map[string]string
	// NoteLost says a doctor's note was chosen but the form was refused
	// for something else: the browser keeps no file, so it must be chosen
	// again.
	NoteLost bool
}

// Has reports whether the form has symptom s ticked.
func (f Form) Has(s string) bool {
	for _, x := range f.Symptoms {
		if x == s {
			return true
		}
	}
	return false
}

// NewView is the form page.
type NewView struct {
	CSRF     string
	Children []Child
	Kinds    []component.Option
	Symptoms []string
	Form     Form
}

// Item is one request in a list.
type Item struct {
	ID                  string
	Anchor              string
	Student, Class      string
	What                string // 病假 1.5 天
	When                string // 2026-12-01 上午 至 2026-12-02 上午
	Symptoms            string
	Reason              string
	Status, StatusClass string
	RejectReason        string
	AskedBy             string
	// Note is the doctor's note, if one came with the request.
	Note *Note
	// URLs of what the viewer may do now; "" when they may not.
	CancelURL, ReturnURL string
	Decision             *component.Decision
}

// Note is a doctor's note: a photo shown as a thumbnail, or a PDF linked.
type Note struct {
	URL, Name string
	Image     bool
}

// NoteMaxMB is the largest note the form takes, in MB.
const NoteMaxMB = "10"

// ListView is GET /leave.
type ListView struct {
	CSRF   string
	Head   bool
	CanAsk bool
	// NoChild says why a parent cannot ask yet: no child admitted.
	NoChild bool
	Items   []Item
	// Links lead a head teacher to the morning view, an admin to the school's day.
	Links []Link
}

// Link is a labelled URL.
type Link struct {
	URL, Label string
}

// Presence is one student of the morning view.
type Presence struct {
	No, Name, Status, StatusClass, Detail string
}

// TodayView is a class's morning view.
type TodayView struct {
	Class, Day, Away string
	Students         []Presence
}

// Count is one line of the school's day.
type Count struct {
	Label, Personal, Sick string
}

// DayRow is one child away in the school's day.
type DayRow struct {
	Class, No, Name, Kind, When, Symptoms, Status string
}

// DayView is the school's day.
type DayView struct {
	Day, Total, CSVURL string
	Classes            []Count
	Symptoms           []Count // Label and Sick only
	Rows               []DayRow
}
