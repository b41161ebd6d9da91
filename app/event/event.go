// Package event carries live updates to the users' open pages on every
// instance. Changes publish events into the events table inside their own
// transaction; a Hub in each serve process reads new rows and hands them to
// the subscriptions of its connected users. An event names a user, a
// group, or both: a group event reaches everyone watching that group, a
// user event every page of that user, and an event with both only that
// user's view of that group.
package event

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
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

// Publish records an event through db, normally the transaction of the
// change it tells about, so it is seen only if the change commits.
func Publish(ctx context.Context, db *gorm.DB, now time.Time, e Event) error {
	e.ID, e.CreatedAt = 0, now.UTC()
	if err := db.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("event: publish %s: %w", e.Kind, err)
	}
	return nil
}

// Sub is one subscription: a page of a user, optionally watching a group.
type Sub struct {
	C       chan Event
	userID  uint64
	groupID uint64
	closed  bool
}

// Hub reads new events and fans them out to the local subscriptions.
type Hub struct {
	db     *gorm.DB
	now    func() time.Time
	log    *slog.Logger
	poll   time.Duration
	window time.Duration

	mu   sync.Mutex
	subs map[*Sub]struct{}
	seen map[uint64]time.Time
}

// HubOptions configure NewHub.
type HubOptions struct {
	DB  *gorm.DB
	Now func() time.Time
	Log *slog.Logger
	// Poll is how often the table is read (default 250 ms).
	Poll time.Duration
}

// NewHub returns a hub; call Run to start it.
func NewHub(o HubOptions) *Hub {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll == 0 {
		o.Poll = 250 * time.Millisecond
	}
	return &Hub{db: o.DB, now: o.Now, log: o.Log, poll: o.Poll, window: 30 * time.Second,
		subs: map[*Sub]struct{}{}, seen: map[uint64]time.Time{}}
}

// Subscribe starts a subscription for a user, watching groupID (0: only
// the user's own events).
func (h *Hub) Subscribe(userID, groupID uint64) *Sub {
	s := &Sub{C: make(chan Event, 64), userID: userID, groupID: groupID}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Unsubscribe ends a subscription and closes its channel.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		if !s.closed {
			s.closed = true
			close(s.C)
		}
	}
}

// Subscribers counts the open subscriptions (for metrics and tests).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Run reads events until ctx ends. Rows are read by creation time over a
// short window rather than by id alone, because MySQL may commit a later
// id first; ids already delivered are remembered for the window.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.poll)
	defer t.Stop()
	start := h.now().UTC()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := h.tick(ctx, start); err != nil && ctx.Err() == nil {
			h.log.Warn("event: poll", "err", err)
		}
	}
}

func (h *Hub) tick(ctx context.Context, start time.Time) error {
	now := h.now().UTC()
	since := now.Add(-h.window)
	if since.Before(start) {
		since = start
	}
	var rows []Event
	if err := h.db.WithContext(ctx).Where("created_at >= ?", since).Order("id").Limit(5000).Find(&rows).Error; err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range rows {
		if _, done := h.seen[e.ID]; done {
			continue
		}
		h.seen[e.ID] = e.CreatedAt
		h.deliver(e)
	}
	for id, at := range h.seen {
		if at.Before(since) {
			delete(h.seen, id)
		}
	}
	return nil
}

// deliver hands e to every matching subscription; a subscription too slow
// to keep up is closed, and its page reconnects and reloads.
func (h *Hub) deliver(e Event) {
	for s := range h.subs {
		if (e.UserID != 0 && e.UserID != s.userID) || (e.GroupID != 0 && e.GroupID != s.groupID) {
			continue
		}
		if e.UserID == 0 && e.GroupID == 0 {
			continue
		}
		select {
		case s.C <- e:
		default:
			delete(h.subs, s)
			s.closed = true
			close(s.C)
		}
	}
}

// Prune deletes events older than an hour.
func Prune(ctx context.Context, db *gorm.DB, now time.Time) error {
	return db.WithContext(ctx).Where("created_at < ?", now.Add(-time.Hour)).Delete(&Event{}).Error
}
