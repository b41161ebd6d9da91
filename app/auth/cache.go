package auth

import (
	"sync"
	"time"
)

// sessionCache keeps recently authenticated sessions in memory, so that a
// page does not read its session and user from the database every time.
// An entry lives at most sessionCacheTTL; a change to the account or its
// sessions drops the user's entries at once on the instance that made it,
// and on the others when they read the account event it publishes
// (Service.ForgetUser).
type sessionCache struct {
	mu     sync.Mutex
	byID   map[string]cachedSession
	byUser map[uint64]map[string]struct{}
	gen    uint64 // bumped by every drop, so a read racing one is not kept
}

type cachedSession struct {
	sess Session
	user User
	at   time.Time // wall clock of the read
}

const (
	// sessionCacheTTL bounds how long a cached session is believed without
	// reading it again, should an invalidation ever be missed.
	sessionCacheTTL = 30 * time.Second
	// sessionCacheMax bounds the entries; past it the cache starts afresh.
	sessionCacheMax = 100_000
)

func newSessionCache() *sessionCache {
	return &sessionCache{byID: map[string]cachedSession{}, byUser: map[uint64]map[string]struct{}{}}
}

func (c *sessionCache) get(id string) (Session, User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok || time.Since(e.at) >= sessionCacheTTL {
		return Session{}, User{}, false
	}
	return e.sess, e.user, true
}

// generation is read before the database, and put compares it, so that
// an entry read before a drop is not stored after it. Drops are rare
// (logouts, account changes), so the cost is an occasional extra read.
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *sessionCache) put(sess Session, u User, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.byID) >= sessionCacheMax {
		c.byID, c.byUser = map[string]cachedSession{}, map[uint64]map[string]struct{}{}
	}
	c.byID[sess.ID] = cachedSession{sess: sess, user: u, at: time.Now()}
	ids := c.byUser[u.ID]
	if ids == nil {
		ids = map[string]struct{}{}
		c.byUser[u.ID] = ids
	}
	ids[sess.ID] = struct{}{}
}

// drop forgets one session.
func (c *sessionCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		delete(c.byID, id)
		delete(c.byUser[e.user.ID], id)
	}
	c.gen++
}

// forget drops every session of a user.
func (c *sessionCache) forget(userID uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.byUser[userID] {
		delete(c.byID, id)
	}
	delete(c.byUser, userID)
	c.gen++
}
