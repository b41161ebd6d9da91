package attendance

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// PunchesOf reads, through q, userID's punches, the newest first, at most
// limit.
func PunchesOf(ctx context.Context, q *gorm.DB, userID uint64, limit int) ([]Punch, error) {
	var out []Punch
	if err := db.FreshIn(ctx, q).Where("user_id = ?", userID).Order("at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: punches of %d: %w", userID, err)
	}
	return out, nil
}

// RequestsOf reads, through q, the leave and make-up requests userID
// filed, the newest first, at most limit.
func RequestsOf(ctx context.Context, q *gorm.DB, userID uint64, limit int) ([]Approval, error) {
	var out []Approval
	if err := db.FreshIn(ctx, q).Where("user_id = ?", userID).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("attendance: requests of %d: %w", userID, err)
	}
	return out, nil
}
