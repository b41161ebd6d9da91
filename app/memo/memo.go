// Package memo keeps values read from the database in memory until they
// are dropped or grow old. It is how every instance keeps what every page
// needs (unread counts, each group's newest feed page, the settings)
// without serving it stale: the change's own instance drops its copy when
// the change commits, the others when their hub reads the change's event,
// and a copy is read again after MaxAge in any case, should an
// invalidation ever be missed.
//
// A read that races a drop is not kept: each key has a generation, taken
// before the database is read and compared before the value is stored.
package memo

import (
	"sync"
	"time"
)

// Keyed keeps one value per key.
type Keyed[K comparable, V any] struct {
	maxAge time.Duration
	max    int // entries; past it the cache starts afresh

	mu      sync.Mutex
	entries map[K]entry[V]
	gen     map[K]uint64 // bumped by Drop
	all     uint64       // bumped by DropAll
}

type entry[V any] struct {
	v  V
	at time.Time // wall clock of the read (not a service's clock)
}

// NewKeyed returns a cache whose values live at most maxAge, of at most
// max keys.
func NewKeyed[K comparable, V any](maxAge time.Duration, max int) *Keyed[K, V] {
	return &Keyed[K, V]{maxAge: maxAge, max: max}
}

// Get returns the value of key, from memory when it is there and young
// enough, or else from read, which it keeps unless key was dropped
// meanwhile.
func (c *Keyed[K, V]) Get(key K, read func() (V, error)) (V, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && time.Since(e.at) < c.maxAge {
		c.mu.Unlock()
		return e.v, nil
	}
	gen, all := c.gen[key], c.all
	c.mu.Unlock()
	v, err := read()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen[key] == gen && c.all == all {
		if c.entries == nil || len(c.entries) >= c.max {
			c.entries = map[K]entry[V]{}
		}
		c.entries[key] = entry[V]{v: v, at: time.Now()}
	}
	return v, nil
}

// Cached returns key's value if memory holds a young enough one.
func (c *Keyed[K, V]) Cached(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && time.Since(e.at) < c.maxAge {
		return e.v, true
	}
	var zero V
	return zero, false
}

// Drop forgets key's value; a read of it in progress is not kept.
func (c *Keyed[K, V]) Drop(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
	if c.gen == nil || len(c.gen) >= c.max {
		// Starting the generations afresh would let a racing read store a
		// stale value, so every value goes with them.
		c.gen, c.entries = map[K]uint64{}, nil
		c.all++
	}
	c.gen[key]++
}

// DropAll forgets every value; no read in progress is kept.
func (c *Keyed[K, V]) DropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
	c.all++
}

// One keeps a single value.
type One[V any] struct{ k Keyed[struct{}, V] }

// NewOne returns a cache of one value that lives at most maxAge.
func NewOne[V any](maxAge time.Duration) *One[V] {
	return &One[V]{k: Keyed[struct{}, V]{maxAge: maxAge, max: 1}}
}

// Get is Keyed.Get for the one value.
func (o *One[V]) Get(read func() (V, error)) (V, error) { return o.k.Get(struct{}{}, read) }

// Cached is Keyed.Cached for the one value.
func (o *One[V]) Cached() (V, bool) { return o.k.Cached(struct{}{}) }

// Drop forgets the value.
func (o *One[V]) Drop() { o.k.DropAll() }
