package notify

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/memo"
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

// Centre reads and marks a user's notifications. It keeps each user's
// unread count in memory (every page shows it): every change to a user's
// notifications publishes a badge event, and each instance drops the count
// when it reads one (Forget); a count is read again after unreadTTL in any
// case.
type Centre struct {
	db     *gorm.DB
	now    func() time.Time
	unread *memo.Keyed[uint64, int]
}

const (
	unreadTTL = 30 * time.Second
	unreadMax = 100_000
)

// NewCentre returns the notification centre.
func NewCentre(db *gorm.DB, now func() time.Time) *Centre {
	if now == nil {
		now = time.Now
	}
	return &Centre{db: db, now: now, unread: memo.NewKeyed[uint64, int](unreadTTL, unreadMax)}
}

// Unread counts the user's unread notifications.
func (c *Centre) Unread(ctx context.Context, userID uint64) (int, error) {
	return c.unread.Get(userID, func() (int, error) {
		var n int64
		if err := c.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error; err != nil {
			return 0, fmt.Errorf("notify: unread: %w", err)
		}
		return int(n), nil
	})
}

// Forget drops a user's cached unread count; each instance calls it when
// it reads a badge event.
func (c *Centre) Forget(userID uint64) { c.unread.Drop(userID) }

// List returns the user's newest notifications.
func (c *Centre) List(ctx context.Context, userID uint64, limit int) ([]Notification, error) {
	var out []Notification
	err := c.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// MarkAllRead marks every notification of the user read.
func (c *Centre) MarkAllRead(ctx context.Context, userID uint64) error {
	now := c.now().UTC()
	defer c.Forget(userID)
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", now).Error; err != nil {
			return err
		}
		return event.Publish(ctx, tx, now, event.Event{UserID: userID, Kind: event.Badge})
	})
}

// ReadLink marks read, through db (normally the transaction of the change
// that answered them), the user's unread notifications that point at link,
// and refreshes their live badge on every page they have open if any
// changed. It returns how many it marked.
func ReadLink(ctx context.Context, db *gorm.DB, now time.Time, userID uint64, link string) (int64, error) {
	res := db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL AND link = ?", userID, link).Update("read_at", now.UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("notify: read link: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, nil
	}
	return res.RowsAffected, event.Publish(ctx, db, now, event.Event{UserID: userID, Kind: event.Badge})
}

// Open marks one of the user's notifications read (tapping it in the
// list) and returns it; someone else's is not found.
func (c *Centre) Open(ctx context.Context, userID, id uint64) (Notification, error) {
	var n Notification
	err := c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND user_id = ?", id, userID).Take(&n).Error; err != nil {
			return db.Translate(err)
		}
		if n.ReadAt != nil {
			return nil
		}
		now := c.now().UTC()
		if err := tx.Model(&Notification{}).Where("id = ? AND read_at IS NULL", id).Update("read_at", now).Error; err != nil {
			return err
		}
		n.ReadAt = &now
		return event.Publish(ctx, tx, now, event.Event{UserID: userID, Kind: event.Badge})
	})
	if err != nil {
		return n, fmt.Errorf("notify: open: %w", err)
	}
	c.Forget(userID)
	return n, nil
}

// AddEach puts the same notification in the centre of every user the
// subquery users selects (one column, user_id), with one statement, and
// refreshes their badges.
func AddEach(ctx context.Context, db *gorm.DB, now time.Time, users *gorm.DB, n Notification) error {
	err := db.WithContext(ctx).Exec(`INSERT INTO notifications (user_id, kind, title, body, link, created_at)
		SELECT r.user_id, ?, ?, ?, ?, ? FROM (?) AS r`, n.Kind, n.Title, n.Body, n.Link, now.UTC(), users).Error
	if err != nil {
		return fmt.Errorf("notify: add each: %w", err)
	}
	return event.PublishEach(ctx, db, now, users, event.Event{Kind: event.Badge})
}
