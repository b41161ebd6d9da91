package group

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// Reachable is a subquery (one column, user_id) of the current accounts
// in any of groupIDs, each once, except except (the sender): who a
// notice to those groups reaches.
func Reachable(q *gorm.DB, groupIDs []uint64, except uint64) *gorm.DB {
	return db.Fresh(q).Model(&Member{}).Distinct("user_id").
		Where("group_id IN ? AND user_id <> ? AND user_id IN (?)", groupIDs, except, auth.CurrentIDs(q))
}

// Moderated is a subquery (one column, group_id) of the groups userID owns
// or moderates.
func Moderated(q *gorm.DB, userID uint64) *gorm.DB {
	return db.Fresh(q).Model(&Member{}).Select("group_id").Where("user_id = ? AND role IN ?", userID, []Role{RoleOwner, RoleModerator})
}

// MemberOf is a subquery (one column, group_id) of the groups userID is in.
func MemberOf(q *gorm.DB, userID uint64) *gorm.DB {
	return db.Fresh(q).Model(&Member{}).Select("group_id").Where("user_id = ?", userID)
}

// MemberClasses is the set of classes whose class group userID is a
// member of: for a parent, the classes where a moderator has not removed
// them, in one statement.
func MemberClasses(ctx context.Context, q *gorm.DB, userID uint64) (map[uint64]bool, error) {
	var ids []uint64
	err := db.FreshIn(ctx, q).Model(&Group{}).Where("class_id IS NOT NULL AND id IN (?)", MemberOf(q, userID)).Pluck("class_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("group: member classes: %w", err)
	}
	out := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ByIDs reads the groups with the given ids (a slice or a subquery of
// ids), in id order.
func ByIDs(ctx context.Context, q *gorm.DB, ids any) ([]Group, error) {
	var out []Group
	if err := db.FreshIn(ctx, q).Where(db.In("id", ids)).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("group: by ids: %w", err)
	}
	return out, nil
}

// InClassGroups is a subquery (one column, user_id) of the members of the
// class groups of classIDs.
func InClassGroups(q *gorm.DB, classIDs []uint64) *gorm.DB {
	return db.Fresh(q).Model(&Member{}).Select("user_id").
		Where("group_id IN (?)", db.Fresh(q).Model(&Group{}).Select("id").Where("class_id IN ?", classIDs))
}

// OfClasses is a subquery (one column, id) of the class groups of
// classIDs: where a class's homework is archived.
func OfClasses(q *gorm.DB, classIDs []uint64) *gorm.DB {
	return db.Fresh(q).Model(&Group{}).Select("id").Where("class_id IN ?", classIDs)
}
