// Package notice renders the notice screens: the list, the compose form,
// a notice, and its read receipts.
package notice

import "jiaxiao/views/component"

// Row is a notice in the list.
type Row struct {
	URL, Title, Category, When, State string
	Unread                            bool
}

// ListView is the notices list.
type ListView struct {
	Rows     []Row
	CanWrite bool
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
	Name, Phone, Role, Students, ReadAt, AckedAt string
}

// ReceiptsView is the read-receipt page.
type ReceiptsView struct {
	CSRF        string
	Title       string
	NoticeURL   string
	Total       int
	Read        int
	Acked       int
	ReadPct     int
	AckedPct    int
	RequiresAck bool
	Unread      []Person
	ReadList    []Person
	CSVURL      string
	DingURL     string
	// DingWait, if set, says when DING may be used again; the button waits.
	DingWait string
	Error    string
	// PageNote, PrevURL and NextURL page through the recipients when they
	// are more than one page holds.
	PageNote string
	PrevURL  string
	NextURL  string
}

// UnreadCount is how many recipients have not read the notice.
func (v ReceiptsView) UnreadCount() int { return v.Total - v.Read }
