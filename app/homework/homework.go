// Package homework is the 家校本: a teacher of a class (or an admin) sets
// an assignment to one or more classes they teach; a guardian of a student
// in one of those classes, still in the class group, hands it in for the
// child; a later hand-in replaces the earlier one until the work is marked,
// and one after the due time is 迟交. Teachers of the class mark each
// submission (优 良 合格 待改进, a comment), send it back (打回) or show it
// to the class as 优秀作业. A family sees only its own children's
// submissions and the featured ones.
package homework

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/file"
	"jiaxiao/app/filter"
)

// Grades a teacher gives, best first.
var Grades = []string{"优", "良", "合格", "待改进"}

// Submission statuses as stored.
const (
	Submitted = "submitted"
	Reviewed  = "reviewed"
	Returned  = "returned"
)

// Statuses as the pages and the CSV show them.
const (
	StatusMissing  = "未交"
	StatusDone     = "已交"
	StatusLate     = "迟交"
	StatusReviewed = "已批改"
	StatusReturned = "打回"
)

// DueLayout is how a due time is typed: 2026-12-03 20:00, school time.
const DueLayout = "2006-01-02 15:04"

// Assignment is one piece of homework.
type Assignment struct {
	ID                 uint64
	AuthorID           uint64
	Title              string
	Subject            string
	Body               string
	DueAt              time.Time
	RequiresSubmission bool
	CreatedAt          time.Time
	PublishedAt        *time.Time
	ArchivedAt         *time.Time
	// RemindedAt is when families who had not handed in were reminded
	// (remind.go); nil until then.
	RemindedAt *time.Time
}

type assignmentClass struct {
	AssignmentID uint64 `gorm:"primaryKey;autoIncrement:false"`
	ClassID      uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (assignmentClass) TableName() string { return "assignment_classes" }

type assignmentFile struct {
	AssignmentID uint64 `gorm:"primaryKey;autoIncrement:false"`
	FileID       uint64 `gorm:"primaryKey;autoIncrement:false"`
	Position     int
}

func (assignmentFile) TableName() string { return "assignment_files" }

// Submission is one student's hand-in of an assignment.
type Submission struct {
	ID           uint64
	AssignmentID uint64
	StudentID    uint64
	ParentID     uint64
	Body         string
	SubmittedAt  time.Time
	Late         bool
	Status       string
	Grade        string
	Comment      string
	Redo         bool
	Featured     bool
	ReviewedBy   *uint64
	ReviewedAt   *time.Time
}

// Shown is the submission's status as the pages show it.
func (s Submission) Shown() string {
	switch {
	case s.Status == Returned:
		return StatusReturned
	case s.Status == Reviewed:
		return StatusReviewed
	case s.Late:
		return StatusLate
	default:
		return StatusDone
	}
}

type submissionFile struct {
	SubmissionID uint64 `gorm:"primaryKey;autoIncrement:false"`
	FileID       uint64 `gorm:"primaryKey;autoIncrement:false"`
	Position     int
}

func (submissionFile) TableName() string { return "submission_files" }

// Filters gives the compiled banned-content filter (group 0: school-wide).
type Filters interface {
	Filter(ctx context.Context, groupID uint64) (*filter.Filter, error)
}

// Service is the homework API.
type Service struct {
	db      *gorm.DB
	now     func() time.Time
	loc     *time.Location
	filters Filters
	files   *file.Service
	log     *slog.Logger
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Location *time.Location
	Filters  Filters
	Files    *file.Service
	Log      *slog.Logger
}

// NewService returns the homework service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, filters: o.Filters, files: o.Files, log: o.Log}
}

// Link is the page of an assignment.
func Link(id uint64) string { return "/homework/" + itoa(id) }
