package notify

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// Of reads, through q, userID's notifications, the newest first, at most
// limit.
func Of(ctx context.Context, q *gorm.DB, userID uint64, limit int) ([]Notification, error) {
	var out []Notification
	if err := db.FreshIn(ctx, q).Where("user_id = ?", userID).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("notify: notifications of %d: %w", userID, err)
	}
	return out, nil
}
