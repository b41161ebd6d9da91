package attendance

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/setting"
)

// Punch sources.
const (
	SourceGPS      = "gps"
	SourceTerminal = "terminal"
)

// Punch is one row of the punches table.
type Punch struct {
	ID        uint64
	UserID    uint64
	At        time.Time
	Source    string
	Lat       float64
	Lng       float64
	Accuracy  float64
	DistanceM float64
	Field     bool
	Flagged   bool
	Note      string
	IP        string
	UserAgent string
	CreatedAt time.Time
}

// Approval kinds and statuses.
const (
	KindLeave  = "leave"
	KindMakeup = "makeup"

	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusRejected = "rejected"
)

// LeaveKinds are the kinds of leave (DESIGN §5).
var LeaveKinds = []string{"事假", "病假", "调休", "年假", "婚假", "产假", "公出"}

// Approval is a leave or make-up request.
type Approval struct {
	ID           uint64
	UserID       uint64
	Kind         string
	LeaveKind    string
	StartAt      *time.Time
	EndAt        *time.Time
	Days         float64
	Day          string
	Which        string
	Reason       string
	ApproverID   *uint64 // nil: any admin (the principal's office)
	Status       string
	DecidedBy    *uint64
	DecidedAt    *time.Time
	RejectReason string
	CreatedAt    time.Time
}

type month struct {
	Month       string `gorm:"primaryKey"`
	ConfirmedBy uint64
	ConfirmedAt time.Time
}

func (month) TableName() string { return "attendance_months" }

// JobRemind reminds an approver of a request pending four working hours.
const JobRemind = "approval.remind"

// ReminderAfter is how long a request may wait before its approver is reminded.
const ReminderAfter = 4 * time.Hour

// Service is attendance's API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	loc      *time.Location
	settings *setting.Service
	log      *slog.Logger
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Location *time.Location
	Settings *setting.Service
	Log      *slog.Logger
}

// NewService returns the attendance service.
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
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, settings: o.Settings, log: o.Log}
}

// Location is the school's time zone.
func (s *Service) Location() *time.Location { return s.loc }

// ErrNotStaff refuses attendance to parents.
var ErrNotStaff = apperr.New(apperr.ErrForbidden, "考勤只对教职工开放")

// ErrNotAdmin refuses the principal's pages to others.
var ErrNotAdmin = apperr.New(apperr.ErrForbidden, "只有学校管理员可以查看全校考勤")

// adminOnly: admins and the command line (auth.System); nobody else.
func adminOnly(u *auth.User) error {
	switch {
	case u == nil:
		return apperr.ErrUnauthenticated
	case u.Role != auth.RoleAdmin:
		return ErrNotAdmin
	}
	return nil
}

func staffOnly(u *auth.User) error {
	if u == nil || !u.Role.Staff() {
		return ErrNotStaff
	}
	return nil
}

func (s *Service) rules(ctx context.Context) (Rules, setting.Settings, calendar.Calendar, error) {
	set, err := s.settings.Get(ctx)
	if err != nil {
		return Rules{}, set, calendar.Calendar{}, err
	}
	cal, err := s.settings.Calendar(ctx)
	return RulesFrom(set, s.loc), set, cal, err
}
