package notify

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/event"
)

// Purge deletes, through tx, every notification of a user (an account
// being erased).
func Purge(ctx context.Context, tx *gorm.DB, userID uint64) (int64, error) {
	res := tx.WithContext(ctx).Where("user_id = ?", userID).Delete(&Notification{})
	if res.Error != nil {
		return 0, fmt.Errorf("notify: purge: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// PurgeBefore deletes, through tx, up to limit notifications made before
// before (the school's retention limit), oldest first, and refreshes the
// badges of those who lose unread ones. It returns how many went.
func PurgeBefore(ctx context.Context, tx *gorm.DB, now, before time.Time, limit int) (int64, error) {
	var rows []Notification
	if err := tx.WithContext(ctx).Select("id, user_id, read_at").Where("created_at < ?", before.UTC()).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("notify: purge before: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	ids := make([]uint64, len(rows))
	unread := map[uint64]bool{}
	for i, n := range rows {
		ids[i] = n.ID
		if n.ReadAt == nil {
			unread[n.UserID] = true
		}
	}
	res := tx.WithContext(ctx).Where("id IN ?", ids).Delete(&Notification{})
	if res.Error != nil {
		return 0, fmt.Errorf("notify: purge before: %w", res.Error)
	}
	for id := range unread {
		if err := event.Publish(ctx, tx, now, event.Event{UserID: id, Kind: event.Badge}); err != nil {
			return 0, err
		}
	}
	return res.RowsAffected, nil
}
