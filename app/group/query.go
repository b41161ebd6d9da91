package group

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// fresh starts a statement on q's connection (its transaction, if any)
// without the conditions q may carry.
func fresh(q *gorm.DB) *gorm.DB { return q.Session(&gorm.Session{NewDB: true}) }

// freshCtx is fresh with ctx. (WithContext after fresh would clone q's
// statement again, conditions and all.)
func freshCtx(ctx context.Context, q *gorm.DB) *gorm.DB {
	return q.Session(&gorm.Session{NewDB: true, Context: ctx})
}

// Reachable is a subquery (one column, user_id) of the current accounts
// in any of groupIDs, each once, except except (the sender): who a
// notice to those groups reaches.
func Reachable(q *gorm.DB, groupIDs []uint64, except uint64) *gorm.DB {
	return fresh(q).Model(&Member{}).Distinct("user_id").
		Where("group_id IN ? AND user_id <> ? AND user_id IN (?)", groupIDs, except, auth.CurrentIDs(q))
}

// Moderated is a subquery (one column, group_id) of the groups userID owns
// or moderates.
func Moderated(q *gorm.DB, userID uint64) *gorm.DB {
	return fresh(q).Model(&Member{}).Select("group_id").Where("user_id = ? AND role IN ?", userID, []Role{RoleOwner, RoleModerator})
}

// MemberOf is a subquery (one column, group_id) of the groups userID is in.
func MemberOf(q *gorm.DB, userID uint64) *gorm.DB {
	return fresh(q).Model(&Member{}).Select("group_id").Where("user_id = ?", userID)
}

// ByIDs reads the groups with the given ids (a slice or a subquery of
// ids), in id order.
func ByIDs(ctx context.Context, q *gorm.DB, ids any) ([]Group, error) {
	var out []Group
	if err := freshCtx(ctx, q).Where(db.In("id", ids)).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("group: by ids: %w", err)
	}
	return out, nil
}
