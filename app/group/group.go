// Package group keeps the groups the system makes from the roster — one
// staff group, one school group, one class group per class — and who is in
// them. Nobody creates or dissolves a group by hand; membership is derived:
// staff are in the staff group; teachers and every parent with an enrolled
// child are in the school group; a class group holds the class's teachers
// and the approved guardians of its enrolled students. A parent joins a
// class group only through a join request that names their child by 学号
// and name, checked against the roster with one generic error for any
// mismatch (5 misses in an hour lock the parent out for an hour), and
// approved by the head teacher or a moderator, within the cap of guardians
// per student.
package group

import (
	"time"
)

// Kind is what a group is for.
type Kind string

// Kinds.
const (
	KindStaff  Kind = "staff"
	KindSchool Kind = "school"
	KindClass  Kind = "class"
)

// Label is the kind's Chinese name.
func (k Kind) Label() string {
	switch k {
	case KindStaff:
		return "学校办公群"
	case KindSchool:
		return "学校家校群"
	}
	return "班级家校群"
}

// Group is one group.
type Group struct {
	ID          uint64
	Kind        Kind
	ClassID     *uint64
	Name        string
	InviteCode  string
	PostingOpen bool
	MutedAll    bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Role is a member's standing in a group.
type Role string

// Roles. The owner is derived (the head teacher of a class, the admins of
// the school-wide groups); moderators are appointed by the owner.
const (
	RoleOwner     Role = "owner"
	RoleModerator Role = "moderator"
	RoleMember    Role = "member"
)

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case RoleOwner:
		return "群主"
	case RoleModerator:
		return "管理员"
	case RoleMember:
		return "成员"
	}
	return ""
}

// Member is one row of group_members.
type Member struct {
	GroupID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Role     Role
	JoinedAt time.Time
}

// TableName implements gorm's Tabler.
func (Member) TableName() string { return "group_members" }

// RequestStatus is where a join request stands.
type RequestStatus string

// Request statuses.
const (
	Pending  RequestStatus = "pending"
	Approved RequestStatus = "approved"
	Rejected RequestStatus = "rejected"
)

// JoinRequest is a parent's request to join a class group for a child.
type JoinRequest struct {
	ID          uint64
	GroupID     uint64
	ParentID    uint64
	StudentID   uint64
	Relation    string
	Status      RequestStatus
	RosterMatch bool
	DecidedBy   *uint64
	DecidedAt   *time.Time
	Reason      string
	CreatedAt   time.Time
}

type joinFailure struct {
	ID        uint64
	UserID    uint64
	CreatedAt time.Time
}

// Join lockout: JoinMaxFailures misses within JoinWindow lock the parent
// out of join requests until the window has passed.
const (
	JoinMaxFailures = 5
	JoinWindow      = time.Hour
)
