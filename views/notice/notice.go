// Package notice renders the notice screens: the list, the compose form,
// a notice, and its read receipts.
package notice

import "jiaxiao/views/component"

// Row is a notice in the list.
type Row struct {
	URL, Title, Category, When, State string
	// Tag is the state's look: "unread", "todo" (待确认), "done", "mine"
	// or "scheduled".
	Tag    string
	Unread bool
}

// ListView is the notices list.
type ListView struct {
	Rows     []Row
	CanWrite bool
	// Pending counts the listed notices still to read or acknowledge.
	Pending int
}

// Form is the compose form with what the user typed.
type Form struct {
	CSRF        string
	Title       string
	Body        string
	Categories  []component.Option
	Groups      []component.Option
	RequiresAck bool
	PublishAt   string
	Errors      map[string]string
	// Audience says who the checked groups reach ("将发送给 N 人…"), or
	// how to get that sentence.
	Audience AudienceLine
}

// AudienceLine is the recipient count under the groups of the form,
// fetched again whenever a group is checked or unchecked.
type AudienceLine struct {
	Text  string
	Error bool
	// Count says Text is a count (not a hint or an error).
	Count bool
}

// Attachment is a file of a notice.
type Attachment struct {
	Name, URL, Size string
}

// ShowView is one notice.
type ShowView struct {
	CSRF        string
	ID          uint64
	Title       string
	Body        string
	Category    string
	Author      string
	When        string
	Groups      string
	Scheduled   string // "" once published
	Attachments []Attachment
	RequiresAck bool
	AckURL      string // set for a recipient who has not acknowledged
	Acked       string // when the viewer acknowledged
	ReceiptsURL string // for the author, moderators and admins
	Archived    bool
	Progress    string
}

// Person is a recipient on the receipts page.
type Person struct {
	Name string
	// Phone is as the viewer may see it; Tel, set only when the viewer may
	// see the full number, calls it.
	Phone, Tel      string
	Role, Students  string
	State, StateTag string
	ReadAt, AckedAt string
}

// Who is the 身份/孩子 column: the role, and a parent's children.
func (p Person) Who() string {
	if p.Students == "" {
		return p.Role
	}
	return p.Role + " · " + p.Students
}

// Counts is the live head of the receipts page: it asks for itself again
// every so often while the page is open.
type Counts struct {
	// URL fetches the counts again (htmx); "" stops.
	URL         string
	Total       int
	Read        int
	Acked       int
	RequiresAck bool
	// ReloadURL, when set, says the lists below are older than the counts.
	ReloadURL string
}

// Unread is how many have not opened the notice.
func (c Counts) Unread() int { return c.Total - c.Read }

// Unacked is how many opened it without acknowledging it.
func (c Counts) Unacked() int { return c.Read - c.Acked }

// Done is how many did what the notice asks.
func (c Counts) Done() int {
	if c.RequiresAck {
		return c.Acked
	}
	return c.Read
}

// DoneLabel names those who did it.
func (c Counts) DoneLabel() string {
	if c.RequiresAck {
		return "已确认"
	}
	return "已读"
}

// Section is one state's list of recipients on the receipts page.
type Section struct {
	ID, Label string
	Count     int
	People    []Person
	// Elsewhere is the page that lists them when this page does not.
	Elsewhere string
	// Ding reminds this section's people, if the viewer may.
	Ding *DingButton
}

// DingButton is a DING form: To is the target the form posts.
type DingButton struct {
	URL, To, Label, TestID string
}

// ReceiptsView is the read-receipt page.
type ReceiptsView struct {
	CSRF        string
	Title       string
	NoticeURL   string
	Counts      Counts
	RequiresAck bool
	Sections    []Section
	CSVURL      string
	// Ding reminds everyone who has not done what the notice asks.
	Ding *DingButton
	// DingWait, if set, says when DING may be used again; the buttons wait.
	DingWait string
	Error    string
	// PageNote, PrevURL and NextURL page through the recipients when they
	// are more than one page holds.
	PageNote string
	PrevURL  string
	NextURL  string
}
