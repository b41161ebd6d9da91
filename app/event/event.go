// Package event carries live updates to the users' open pages on every
// instance. Changes publish events into the events table inside their own
// transaction; a Hub in each serve process reads the table forward from a
// cursor (the last id it delivered) and hands each row to the
// subscriptions that want it. An event names a user, a group, or both: a
// group event reaches everyone watching that group, a user event every
// page of that user, and an event with both only that user's view of that
// group. An event with neither is a system event: no page gets it, but
// every instance's listeners do (cache invalidation). The table is the
// record; pokes (local, or through a Broker between instances) only make
// the reader look at once instead of at its next poll.
package event

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kinds.
const (
	Message = "message" // a message appeared or changed; RefID is the message
	Held    = "held"    // a message was held for review; to the author and moderators
	Deleted = "deleted" // a message was deleted; RefID is the message
	Removed = "removed" // the user was removed from the group
	Badge   = "badge"   // the user's unread notification count changed
	Account = "account" // the user's account or sessions changed (logout, departure, new role)

	// System kinds: published with user 0 and group 0, seen by Listen.
	Settings = "settings" // the school settings changed
	Members  = "members"  // a group's members or join requests changed (counts)
	Calendar = "calendar" // the school calendar changed
)

// Event is one row of the events table.
type Event struct {
	ID        uint64
	UserID    uint64
	GroupID   uint64
	Kind      string
	RefID     uint64
	CreatedAt time.Time
}

// System reports whether e is for the instances rather than for a page.
func (e Event) System() bool { return e.UserID == 0 && e.GroupID == 0 }

// Publish records an event through db, normally the transaction of the
// change it tells about, so it is seen only if the change commits.
func Publish(ctx context.Context, db *gorm.DB, now time.Time, e Event) error {
	e.ID, e.CreatedAt = 0, now.UTC()
	if err := db.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("event: publish %s: %w", e.Kind, err)
	}
	return nil
}

// PublishEach records e once for every user the subquery users selects
// (one column, user_id), with one statement; e.UserID is ignored.
func PublishEach(ctx context.Context, db *gorm.DB, now time.Time, users *gorm.DB, e Event) error {
	err := db.WithContext(ctx).Exec(`INSERT INTO events (user_id, group_id, kind, ref_id, created_at)
		SELECT r.user_id, ?, ?, ?, ? FROM (?) AS r`, e.GroupID, e.Kind, e.RefID, now.UTC(), users).Error
	if err != nil {
		return fmt.Errorf("event: publish %s to each: %w", e.Kind, err)
	}
	return nil
}

// Prune deletes events older than an hour. A page that was away longer
// than that reloads instead of catching up (see Hub.Missed).
func Prune(ctx context.Context, db *gorm.DB, now time.Time) error {
	if err := db.WithContext(ctx).Where("created_at < ?", now.Add(-time.Hour)).Delete(&Event{}).Error; err != nil {
		return fmt.Errorf("event: prune: %w", err)
	}
	return nil
}
