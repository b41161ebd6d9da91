package event

import (
	"sort"
	"time"
)

// cursor is where a hub stands in the events table: every id up to last
// has been delivered except the ids in gaps. MySQL hands out ids when a
// row is inserted but makes the row visible only when its transaction
// commits, so a later id can be seen before an earlier one; InnoDB leaves
// holes for rolled-back inserts; TiDB and Galera allocate ids in steps.
// A hole the forward read skipped is remembered as a gap and read again on
// every pass until a row fills it or it has stayed empty for the grace
// period (then it was a rollback, or an allocation step never used).
type cursor struct {
	last  uint64
	gaps  []gap // sorted by lo, not overlapping
	max   int
	grace time.Duration
}

// gap is a range of ids below the cursor not yet seen. done holds ids
// inside it that were already delivered: only a gap made by merging two
// has them.
type gap struct {
	lo, hi uint64
	since  time.Time
	done   map[uint64]struct{}
}

// advance records the ids of a forward read (ascending, all above last)
// and moves last to the highest.
func (c *cursor) advance(ids []uint64, now time.Time) {
	for _, id := range ids {
		if id <= c.last {
			continue
		}
		if id > c.last+1 {
			c.gaps = append(c.gaps, gap{lo: c.last + 1, hi: id - 1, since: now})
		}
		c.last = id
	}
	c.bound()
}

// fill records that a row with id was read inside a gap, and reports
// whether it is new (not already delivered).
func (c *cursor) fill(id uint64, now time.Time) bool {
	i := sort.Search(len(c.gaps), func(i int) bool { return c.gaps[i].hi >= id })
	if i == len(c.gaps) || c.gaps[i].lo > id {
		return false
	}
	g := c.gaps[i]
	if _, seen := g.done[id]; seen {
		return false
	}
	// The ids below the row keep their age; the ids above it are where the
	// allocation that filled this row continues, so their wait restarts.
	var parts []gap
	if id > g.lo {
		parts = append(parts, gap{lo: g.lo, hi: id - 1, since: g.since, done: within(g.done, g.lo, id-1)})
	}
	if id < g.hi {
		parts = append(parts, gap{lo: id + 1, hi: g.hi, since: now, done: within(g.done, id+1, g.hi)})
	}
	c.gaps = append(c.gaps[:i], append(parts, c.gaps[i+1:]...)...)
	return true
}

// within returns the ids of done in [lo, hi], or nil.
func within(done map[uint64]struct{}, lo, hi uint64) map[uint64]struct{} {
	var out map[uint64]struct{}
	for id := range done {
		if id >= lo && id <= hi {
			if out == nil {
				out = map[uint64]struct{}{}
			}
			out[id] = struct{}{}
		}
	}
	return out
}

// expire drops the gaps that stayed empty for the grace period, and gaps
// made only of delivered ids.
func (c *cursor) expire(now time.Time) {
	kept := c.gaps[:0]
	for _, g := range c.gaps {
		if now.Sub(g.since) >= c.grace || uint64(len(g.done)) == g.hi-g.lo+1 {
			continue
		}
		kept = append(kept, g)
	}
	c.gaps = kept
}

// bound merges the two closest neighbouring gaps until at most max remain,
// so a pass never asks for more than max ranges. The ids between the two
// were delivered and are remembered in done; choosing the closest pair
// keeps that set, and the rows read again, small.
func (c *cursor) bound() {
	for c.max > 0 && len(c.gaps) > c.max {
		best := 0
		for i := 1; i+1 < len(c.gaps); i++ {
			if c.gaps[i+1].lo-c.gaps[i].hi < c.gaps[best+1].lo-c.gaps[best].hi {
				best = i
			}
		}
		a, b := c.gaps[best], c.gaps[best+1]
		m := gap{lo: a.lo, hi: b.hi, since: a.since, done: map[uint64]struct{}{}}
		if b.since.After(m.since) {
			m.since = b.since // the younger of the two waits longer
		}
		for id := range a.done {
			m.done[id] = struct{}{}
		}
		for id := range b.done {
			m.done[id] = struct{}{}
		}
		for id := a.hi + 1; id < b.lo; id++ {
			m.done[id] = struct{}{}
		}
		c.gaps = append(c.gaps[:best], append([]gap{m}, c.gaps[best+2:]...)...)
	}
}

// ranges are the open gaps as [lo, hi] pairs.
func (c *cursor) ranges() [][2]uint64 {
	out := make([][2]uint64, len(c.gaps))
	for i, g := range c.gaps {
		out[i] = [2]uint64{g.lo, g.hi}
	}
	return out
}
