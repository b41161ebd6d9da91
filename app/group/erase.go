package group

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/event"
)

// Leaving the school for good (a parent who closes their account) and
// forgetting what the groups kept about them (erasure, retention).

// RemoveAllMemberships takes a closing account out of every group at once
// inside tx: its memberships and mutes go, its pending join requests are
// withdrawn, its open pages lose each group, and every member of those
// groups (and their moderators, for the requests) sees the new counts
// live. The account must already be out of auth.Current, so that a later
// roster sync does not put it back. It returns the groups it left.
func (s *Service) RemoveAllMemberships(ctx context.Context, tx *gorm.DB, userID uint64) ([]uint64, error) {
	tx = tx.WithContext(ctx)
	now := s.now()
	var groups, requested []uint64
	if err := tx.Model(&Member{}).Where("user_id = ?", userID).Order("group_id").Pluck("group_id", &groups).Error; err != nil {
		return nil, fmt.Errorf("group: leave all: %w", err)
	}
	if err := tx.Model(&JoinRequest{}).Where("parent_id = ? AND status = ?", userID, Pending).Distinct().Pluck("group_id", &requested).Error; err != nil {
		return nil, fmt.Errorf("group: leave all: %w", err)
	}
	for _, q := range []struct {
		model any
		where string
	}{
		{&Member{}, "user_id = ?"},
		{&Mute{}, "user_id = ?"},
		{&JoinRequest{}, "parent_id = ? AND status = '" + string(Pending) + "'"},
	} {
		if err := tx.Where(q.where, userID).Delete(q.model).Error; err != nil {
			return nil, fmt.Errorf("group: leave all: %w", err)
		}
	}
	if len(groups) == 0 && len(requested) == 0 {
		return nil, nil
	}
	for _, g := range groups {
		if err := event.Publish(ctx, tx, now, event.Event{UserID: userID, GroupID: g, Kind: event.Removed}); err != nil {
			return nil, err
		}
		if err := countsChanged(ctx, tx, now, g, everyMember); err != nil {
			return nil, err
		}
	}
	for _, g := range requested {
		if !slices.Contains(groups, g) {
			if err := countsChanged(ctx, tx, now, g, moderatorsOnly); err != nil {
				return nil, err
			}
		}
	}
	return groups, s.groupsChanged(ctx, tx, now)
}

// EraseUser deletes, inside tx, what the groups keep about an account
// being erased: its join requests (whatever their state), its failed join
// attempts, and its removals and mutes. The moderation log keeps its
// entries, which name the account only by id.
func EraseUser(ctx context.Context, tx *gorm.DB, userID uint64) (requests int64, err error) {
	tx = tx.WithContext(ctx)
	res := tx.Where("parent_id = ?", userID).Delete(&JoinRequest{})
	if res.Error != nil {
		return 0, fmt.Errorf("group: erase: %w", res.Error)
	}
	for _, model := range []any{&joinFailure{}, &Removal{}, &Mute{}} {
		if err := tx.Where("user_id = ?", userID).Delete(model).Error; err != nil {
			return 0, fmt.Errorf("group: erase: %w", err)
		}
	}
	return res.RowsAffected, nil
}

// PurgeDecidedRequests deletes, through q, up to limit join requests
// approved or rejected before before (the school's retention limit);
// pending ones stay whatever their age. It returns how many went.
func PurgeDecidedRequests(ctx context.Context, q *gorm.DB, before time.Time, limit int) (int64, error) {
	var ids []uint64
	if err := q.WithContext(ctx).Model(&JoinRequest{}).Where("status IN ? AND decided_at < ?", []RequestStatus{Approved, Rejected}, before.UTC()).
		Order("id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("group: purge requests: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := q.WithContext(ctx).Where("id IN ?", ids).Delete(&JoinRequest{})
	if res.Error != nil {
		return 0, fmt.Errorf("group: purge requests: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// PurgeJoinFailures deletes, through q, up to limit failed join attempts
// made before before; the lockout needs only the last JoinWindow.
func PurgeJoinFailures(ctx context.Context, q *gorm.DB, before time.Time, limit int) (int64, error) {
	var ids []uint64
	if err := q.WithContext(ctx).Model(&joinFailure{}).Where("created_at < ?", before.UTC()).Order("id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("group: purge join failures: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := q.WithContext(ctx).Where("id IN ?", ids).Delete(&joinFailure{})
	if res.Error != nil {
		return 0, fmt.Errorf("group: purge join failures: %w", res.Error)
	}
	return res.RowsAffected, nil
}
