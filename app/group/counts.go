package group

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/event"
)

// counts keeps every group's member count and pending join requests in
// memory: the home page and every group header show them, and counting
// the school group's thousands of members on each page would cost the
// database more than the rest of the page. Both are read for all groups
// in two grouped queries. A change of membership or of a join request
// drops them on its own instance at once and publishes a members event by
// which every other instance drops its copy (ForgetCounts); a copy older
// than countsMaxAge is read again in any case.
type counts struct {
	mu      sync.Mutex
	members map[uint64]int
	pending map[uint64]int
	at      time.Time // wall clock of the read; zero when dropped
	gen     uint64    // bumped by drop, so a read racing it is not kept
}

const countsMaxAge = time.Minute

func (c *counts) drop() {
	c.mu.Lock()
	c.members, c.pending, c.at = nil, nil, time.Time{}
	c.gen++
	c.mu.Unlock()
}

// get returns the member and pending counts of every group.
func (c *counts) get(ctx context.Context, g *gorm.DB) (members, pending map[uint64]int, err error) {
	c.mu.Lock()
	if c.members != nil && time.Since(c.at) < countsMaxAge {
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
		c.members, c.pending, c.at = members, pending, time.Now()
	}
	c.mu.Unlock()
	return members, pending, nil
}

// ForgetCounts drops the cached counts; each instance calls it when it
// reads a members event.
func (s *Service) ForgetCounts() { s.counts.drop() }

// countsChanged is called, inside tx, by every change of membership or of
// a join request: it drops this instance's counts and publishes the
// members event for the others.
func (s *Service) countsChanged(ctx context.Context, tx *gorm.DB, now time.Time) error {
	s.counts.drop()
	return event.Publish(ctx, tx, now, event.Event{Kind: event.Members})
}
