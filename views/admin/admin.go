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
	Name, Phone, Role, Status, Department string
	DepartURL                             string
}

// UsersView is the users page.
type UsersView struct {
	CSRF   string
	Role   string
	Users  []UserRow
	Notice string
}

// SettingField is one editable rule.
type SettingField struct {
	Name, Label, Value, Error string
}

// SettingsView is the settings page.
type SettingsView struct {
	CSRF   string
	Fields []SettingField
	Saved  bool
}

// AuditRow is one audit-log line.
type AuditRow struct {
	When, Actor, Action, Subject, Detail, IP string
}

// AuditView is the audit-log page.
type AuditView struct {
	Rows []AuditRow
}

// DepartmentRow is a department with the choice of its head.
type DepartmentRow struct {
	Name    string
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
	No, Name, Status string
	Guardians        int
	StatusURL        string
	Options          []component.Option
}

// ClassView is a class's students page.
type ClassView struct {
	CSRF     string
	Name     string
	Students []StudentRow
}
