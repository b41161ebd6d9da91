// Package auth owns accounts, passwords, sessions and parent
// self-registration.
//
// Rules: the login is a mainland mobile number; names are real full names
// (DESIGN §1); passwords are stored as argon2id hashes; only active accounts
// log in; after 5 failed logins within 15 minutes for one phone the next
// attempt is refused (429), and one IP is limited far more loosely because a
// school's Wi-Fi puts hundreds of parents behind one address; a new session
// is issued at every login; sessions live in the database.
package auth

import "time"

// Role is what an account is in the school.
type Role string

// Roles.
const (
	RoleAdmin   Role = "admin"
	RoleTeacher Role = "teacher"
	RoleParent  Role = "parent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleTeacher || r == RoleParent }

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "管理员"
	case RoleTeacher:
		return "教师"
	case RoleParent:
		return "家长"
	}
	return string(r)
}

// Staff reports whether the role belongs to school staff.
func (r Role) Staff() bool { return r == RoleAdmin || r == RoleTeacher }

// Status is an account's life-cycle state.
type Status string

// Statuses.
const (
	StatusActive   Status = "active"
	StatusPending  Status = "pending"  // created by a roster import, not yet activated
	StatusDeparted Status = "departed" // staff who left the school (离职)
	StatusDisabled Status = "disabled"
	// StatusClosed is a parent account closed by its owner or an admin:
	// it cannot log in, and is erased at EraseAt.
	StatusClosed Status = "closed"
	// StatusErased is a closed account whose personal data is gone: its
	// row stays, named ErasedName, so that what refers to it (receipts,
	// the audit log) still counts it.
	StatusErased Status = "erased"
)

// ErasedName is the name an erased account shows everywhere.
const ErasedName = "已注销用户"

// Gone reports whether the account is closed or erased: its phone number
// is shown to nobody and nothing is sent to it.
func (s Status) Gone() bool { return s == StatusClosed || s == StatusErased }

// User is an account.
type User struct {
	ID           uint64
	Phone        string
	Name         string
	Role         Role
	Status       Status
	PasswordHash string
	Department   string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// ClosedAt is when the account was closed, EraseAt when it is (or was)
	// due to be erased; both nil for an account never closed.
	ClosedAt *time.Time
	EraseAt  *time.Time
}

// IsAdmin reports whether u is a school admin; false for nobody.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// System acts for the command line and for the app itself (the demo
// school): an admin with no account. Services refuse a missing (nil)
// actor; they accept System where an admin may act, and record it in the
// audit log as no one (ActorOf).
var System = &User{Role: RoleAdmin, Name: "系统"}

// ActorOf is the id an audit entry records for u: none for System.
func ActorOf(u *User) *uint64 {
	if u == nil || u == System {
		return nil
	}
	return &u.ID
}

// Session is a server-side login session. Its ID is the SHA-256 of the
// cookie token, so a database leak does not leak live cookies.
type Session struct {
	ID         string
	UserID     uint64
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Limits.
const (
	SessionLifetime = 30 * 24 * time.Hour
	FailureWindow   = 15 * time.Minute
	// MaxPhoneFailures is how many wrong passwords one address may try
	// for one phone in FailureWindow; counted per address, so that nobody
	// can lock another person out from their own device.
	MaxPhoneFailures = 5
	// MaxPhoneFailuresAnyIP bounds the wrong passwords for one phone from
	// every address together (guessing from many addresses).
	MaxPhoneFailuresAnyIP = 50
	MaxIPFailures         = 300
	CodeLifetime          = 10 * time.Minute
	CodeResendAfter       = time.Minute
	MaxCodesPerDay        = 10
	MaxCodesPerIPHour     = 200
	MaxCodeAttempts       = 5
	MinPasswordLength     = 8
)
