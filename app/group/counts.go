package group

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/event"
)

// memo keeps in memory what the home page and every group header show:
// each group's member count and pending join requests (counting the
// school group's thousands of members on each page would cost the
// database more than the rest of the page), and each user's list of
// groups with their role. The counts are read for all groups in two
// grouped queries. A change of membership, of a join request or of a
// group drops everything on its own instance at once and publishes a
// members event by which every other instance drops its copy
// (ForgetCounts); a copy older than memoMaxAge is read again in any case.
type memo struct {
	mu       sync.Mutex
	members  map[uint64]int
	pending  map[uint64]int
	countsAt time.Time // wall clock of the read
	mine     map[uint64]mineEntry
	gen      uint64 // bumped by drop, so a read racing it is not kept
}

type mineEntry struct {
	rows []mineRow
	at   time.Time
}

type mineRow struct {
	Group
	Role Role
}

const (
	memoMaxAge   = time.Minute
	memoMaxUsers = 100_000
)

func (c *memo) drop() {
	c.mu.Lock()
	c.members, c.pending, c.mine = nil, nil, nil
	c.gen++
	c.mu.Unlock()
}

// counts returns the member and pending counts of every group.
func (c *memo) counts(ctx context.Context, g *gorm.DB) (members, pending map[uint64]int, err error) {
	c.mu.Lock()
	if c.members != nil && time.Since(c.countsAt) < memoMaxAge {
		members, pending = c.members, c.pending
		c.mu.Unlock()
		return members, pending, nil
	}
	gen := c.gen
	c.mu.Unlock()
	type row struct {
		GroupID uint64
		N       int
	}
	var m, p []row
	if err := g.WithContext(ctx).Table("group_members").Select("group_id, COUNT(*) AS n").Group("group_id").Scan(&m).Error; err != nil {
		return nil, nil, fmt.Errorf("group: count members: %w", err)
	}
	if err := g.WithContext(ctx).Table("join_requests").Select("group_id, COUNT(*) AS n").Where("status = ?", Pending).
		Group("group_id").Scan(&p).Error; err != nil {
		return nil, nil, fmt.Errorf("group: count requests: %w", err)
	}
	members, pending = make(map[uint64]int, len(m)), make(map[uint64]int, len(p))
	for _, r := range m {
		members[r.GroupID] = r.N
	}
	for _, r := range p {
		pending[r.GroupID] = r.N
	}
	c.mu.Lock()
	if c.gen == gen {
		c.members, c.pending, c.countsAt = members, pending, time.Now()
	}
	c.mu.Unlock()
	return members, pending, nil
}

// groupsOf returns the groups a user belongs to (every group for an
// admin, with the role where they are a member), read by read on a miss.
func (c *memo) groupsOf(userID uint64, read func() ([]mineRow, error)) ([]mineRow, error) {
	c.mu.Lock()
	if e, ok := c.mine[userID]; ok && time.Since(e.at) < memoMaxAge {
		c.mu.Unlock()
		return e.rows, nil
	}
	gen := c.gen
	c.mu.Unlock()
	rows, err := read()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.mine == nil || len(c.mine) >= memoMaxUsers {
			c.mine = map[uint64]mineEntry{}
		}
		c.mine[userID] = mineEntry{rows: rows, at: time.Now()}
	}
	c.mu.Unlock()
	return rows, nil
}

// ForgetCounts drops the cached counts and lists of groups; each instance
// calls it when it reads a members event.
func (s *Service) ForgetCounts() { s.memo.drop() }

// groupsChanged is called, inside tx, by every change of membership, of a
// join request or of a group's own fields: it drops this instance's memo
// and publishes the members event for the others.
func (s *Service) groupsChanged(ctx context.Context, tx *gorm.DB, now time.Time) error {
	s.memo.drop()
	return event.Publish(ctx, tx, now, event.Event{Kind: event.Members})
}
