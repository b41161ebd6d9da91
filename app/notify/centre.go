package notify

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/event"
)

// Notification is one entry of a user's notification centre.
type Notification struct {
	ID        uint64
	UserID    uint64
	Kind      string
	Title     string
	Body      string
	Link      string
	ReadAt    *time.Time
	CreatedAt time.Time
}

// Add puts a notification in the user's centre through db (normally the
// transaction of the change it reports) and refreshes their live badge.
func Add(ctx context.Context, db *gorm.DB, now time.Time, n Notification) error {
	n.ID, n.CreatedAt, n.ReadAt = 0, now.UTC(), nil
	if err := db.WithContext(ctx).Create(&n).Error; err != nil {
		return fmt.Errorf("notify: add: %w", err)
	}
	return event.Publish(ctx, db, now, event.Event{UserID: n.UserID, Kind: event.Badge})
}

// Centre reads and marks a user's notifications.
type Centre struct {
	db  *gorm.DB
	now func() time.Time
}

// NewCentre returns the notification centre.
func NewCentre(db *gorm.DB, now func() time.Time) *Centre {
	if now == nil {
		now = time.Now
	}
	return &Centre{db: db, now: now}
}

// Unread counts the user's unread notifications.
func (c *Centre) Unread(ctx context.Context, userID uint64) (int, error) {
	var n int64
	err := c.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error
	return int(n), err
}

// List returns the user's newest notifications.
func (c *Centre) List(ctx context.Context, userID uint64, limit int) ([]Notification, error) {
	var out []Notification
	err := c.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// MarkAllRead marks every notification of the user read.
func (c *Centre) MarkAllRead(ctx context.Context, userID uint64) error {
	now := c.now().UTC()
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", now).Error; err != nil {
			return err
		}
		return event.Publish(ctx, tx, now, event.Event{UserID: userID, Kind: event.Badge})
	})
}
