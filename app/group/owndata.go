package group

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// MembershipLine is one group a user is in, for the user's own copy of
// their data.
type MembershipLine struct {
	GroupID  uint64
	Name     string
	Kind     Kind
	Role     Role
	JoinedAt time.Time
}

// MembershipsOf reads, through q, the groups userID is a member of, in
// the order they joined.
func MembershipsOf(ctx context.Context, q *gorm.DB, userID uint64) ([]MembershipLine, error) {
	var out []MembershipLine
	err := db.FreshIn(ctx, q).Table("group_members").
		Select("`groups`.id AS group_id, `groups`.name, `groups`.kind, group_members.role, group_members.joined_at").
		Joins("JOIN `groups` ON `groups`.id = group_members.group_id").
		Where("group_members.user_id = ?", userID).
		Order("group_members.joined_at, `groups`.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("group: memberships of %d: %w", userID, err)
	}
	return out, nil
}

// RequestsBy reads, through q, the join requests parentID filed, decided
// or not, the newest first, at most limit.
func RequestsBy(ctx context.Context, q *gorm.DB, parentID uint64, limit int) ([]JoinRequest, error) {
	var out []JoinRequest
	err := db.FreshIn(ctx, q).Where("parent_id = ?", parentID).Order("id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("group: requests by %d: %w", parentID, err)
	}
	return out, nil
}
