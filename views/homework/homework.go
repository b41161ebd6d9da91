// Package homework renders the 家校本 screens: the list, the form that
// sets homework, an assignment with a family's hand-in, and the
// submissions sheet where teachers mark.
package homework

import "jiaxiao/views/component"

// SetRow is an assignment in its author's list.
type SetRow struct {
	URL, Title, Subject, Classes, Due, Progress string
}

// FamilyRow is a child's assignment in a parent's list.
type FamilyRow struct {
	URL, Title, Subject, Child, Due, Status string
	Pending                                 bool
}

// ListView is the homework list.
type ListView struct {
	CanSet bool
	Set    []SetRow
	Family []FamilyRow
}

// Form is the form that sets homework, with what was typed.
type Form struct {
	CSRF, Title, Subject, Body, Due string
	Requires                        bool
	Classes                         []component.Option
	Errors                          map[string]string
}

// File is an attachment; images show in the page.
type File struct {
	Name, URL string
	Image     bool
}

// ChildBlock is one of the viewer's children's hand-in.
type ChildBlock struct {
	StudentID, Name, Status, Body, When, Grade, Comment string
	Files                                               []File
	// CanSubmit shows the hand-in form (nothing yet, not yet marked, or sent back).
	CanSubmit bool
}

// Work is a featured submission.
type Work struct {
	Name, Class, Body, Grade, Comment string
	Files                             []File
}

// ShowView is one assignment.
type ShowView struct {
	CSRF, Title, Subject, Body, Due, Classes string
	Files                                    []File
	SheetURL, SubmitURL                      string
	Requires                                 bool
	Children                                 []ChildBlock
	Featured                                 []Work
	Errors                                   map[string]string
	// Typed is what the family typed, kept on a refused hand-in.
	Typed, TypedStudent string
}

// Line is a student on the submissions sheet.
type Line struct {
	No, Name, Class, Status, When, Body, Grade, Comment string
	Files                                               []File
	ReviewURL                                           string
	Featured                                            bool
	// Error is the refusal of this line's mark, shown beside it.
	Error string
}

// SheetView is the submissions sheet.
type SheetView struct {
	CSRF, Title, BackURL, CSVURL, Counts string
	Lines                                []Line
	Grades                               []string
}
