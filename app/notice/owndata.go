package notice

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// ReceivedLine is a notice a user received, with when they read it and
// acknowledged it (收到).
type ReceivedLine struct {
	NoticeID    uint64
	Title       string
	Category    string
	RequiresAck bool
	PublishedAt *time.Time
	ReadAt      *time.Time
	AckedAt     *time.Time
}

// ReceivedBy reads, through q, the notices userID received, the newest
// first, at most limit.
func ReceivedBy(ctx context.Context, q *gorm.DB, userID uint64, limit int) ([]ReceivedLine, error) {
	var out []ReceivedLine
	err := db.FreshIn(ctx, q).Table("receipts").
		Select("notices.id AS notice_id, notices.title, notices.category, notices.requires_ack, notices.published_at, receipts.read_at, receipts.acked_at").
		Joins("JOIN notices ON notices.id = receipts.notice_id").
		Where("receipts.user_id = ?", userID).
		Order("receipts.notice_id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("notice: received by %d: %w", userID, err)
	}
	return out, nil
}
