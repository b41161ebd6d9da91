// Package admin renders the office's management screens: roster import,
// users, school settings and the audit log.
package admin

import "jiaxiao/views/component"

// ClassLine summarises one class on the roster page.
type ClassLine struct {
	URL      string
	Name     string
	Head     string
	Students int
	Teachers int
}

// RosterView is the roster page: upload form, preview, result.
type RosterView struct {
	CSRF    string
	Kind    string // "students" or "staff"
	Classes []ClassLine
	// Errors lists the bad lines of a refused file.
	Errors []string
	// Preview is set after a dry run; Confirm carries the file to apply it.
	Preview  *Outcome
	Filename string
	Data     string // the file, base64, so the confirm step needs no server state
	// Result is set after a real import.
	Result *Outcome
}

// Outcome is what an import did or would do.
type Outcome struct {
	Lines   []string
	Leaving []string
	Codes   []Code
	// LeftMarked is true when leavers were marked transferred.
	LeftMarked bool
}

// Code is a new staff account's activation code.
type Code struct{ Name, Phone, Code string }

// UserRow is one account on the users page.
type UserRow struct {
	ID                                    string
	Name, Phone, Role, Status, Department string
	DepartURL                             string
	// RoleURL and Roles offer the other staff role(s), when the admin may
	// change this account's role.
	RoleURL string
	Roles   []component.Option
	// Error is the message of a refused change to this account, shown on
	// its card with the menu open.
	Error string
	// EraseURL closes a parent's account (with a reason, EraseReason as
	// typed into a refused form), when the admin may.
	EraseURL, EraseReason string
}

// UsersView is the users page.
type UsersView struct {
	CSRF    string
	Role    string
	Filters []Link // the role filters; Note "current" marks the one shown
	Users   []UserRow
	// Error is a refused change to an account not on this list.
	Error string
	// EraseDays is erase_after_days, for the words of closing an account.
	EraseDays int
}

// SettingField is one editable rule.
type SettingField struct {
	Name, Label, Value, Error string
	Unit, Help, Default       string
	// Unset: the rule has no value until an admin sets it.
	Unset bool
	// InputMode is the phone keyboard: "numeric", "decimal" or "" for a time.
	InputMode, Type string
}

// SettingGroup is a section of the settings page.
type SettingGroup struct {
	Key, Title, Help string
	Fields           []SettingField
}

// SettingsView is the settings page.
type SettingsView struct {
	CSRF   string
	Groups []SettingGroup
	// Point is the school point's fields (latitude, longitude), shown with
	// the location tools at the top of 考勤; Geofence is the punch radius
	// in metres.
	Point    []SettingField
	Geofence string
	// Errors counts the fields in error after a refused save.
	Errors int
}

// AuditPart is a piece of an audit sentence; a person's name links to
// their entries.
type AuditPart struct {
	Text, URL string
}

// AuditEntry is one audit-log entry in words.
type AuditEntry struct {
	Parts []AuditPart
	IP    string
}

// AuditView is the audit-log page.
type AuditView struct {
	Entries    []AuditEntry
	Categories []component.Option
	// Person is the name of the person the log is filtered to ("" for
	// everyone), ClearURL the log without that filter.
	Person, ClearURL  string
	Phone, PhoneError string
	// NextURL is the next (older) page; FirstURL the newest page, when
	// this is not it.
	NextURL, FirstURL string
}

// DepartmentRow is a department with the choice of its head.
type DepartmentRow struct {
	ID      string
	Name    string
	Error   string // a refused choice, shown beside it
	Head    string
	Staff   int
	SetURL  string
	Options []component.Option
}

// DepartmentsView is the departments page.
type DepartmentsView struct {
	CSRF        string
	Departments []DepartmentRow
}

// StudentRow is one student of a class.
type StudentRow struct {
	ID               string
	Error            string // a refused change, shown beside it
	No, Name, Status string
	Guardians        int
	StatusURL        string
	Options          []component.Option
}

// ClassView is a class's students page.
type ClassView struct {
	CSRF     string
	Name     string
	Head     string
	Counts   string // "在读 57 人"
	Students []StudentRow
}
