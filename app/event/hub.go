package event

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

// HubOptions configure NewHub.
type HubOptions struct {
	DB  *gorm.DB
	Now func() time.Time
	Log *slog.Logger
	// Poll is how often the table is read when nobody pokes (default 250 ms).
	Poll time.Duration
	// Batch is how many rows one query reads (default 1000); a burst is
	// read in consecutive batches.
	Batch int
	// Grace is how long a skipped id is waited for before it is taken for
	// a rolled-back insert (default 30 s).
	Grace time.Duration
	// MaxGaps bounds the id ranges re-read on each pass (default 64).
	MaxGaps int
	// Buffer is how many events a subscription may have queued before it
	// is cut off as too slow (default 64).
	Buffer int
	// Broker, when set, carries pokes to and from the other instances.
	Broker Broker
	// Metrics, when set, receives the hub's gauges and counters.
	Metrics prometheus.Registerer
}

// Hub reads new events and fans them out to the local subscriptions.
type Hub struct {
	db     *gorm.DB
	now    func() time.Time
	log    *slog.Logger
	poll   time.Duration
	batch  int
	buffer int
	broker Broker
	id     string // names this hub's pokes on the broker

	wake  chan struct{} // a local read is wanted
	out   chan struct{} // a poke is to be published
	ready chan struct{} // closed once the cursor is placed
	done  chan struct{} // closed by Close

	// cur is owned by the goroutine in Run; floor is the first id not yet
	// settled (delivered or given up on), published for Floor.
	cur   cursor
	floor atomic.Uint64
	seen  atomic.Uint64 // the highest id read, published for Seen

	mu      sync.Mutex
	byUser  map[uint64]map[*Sub]struct{}
	byGroup map[uint64]map[*Sub]struct{}
	n       int
	closed  bool

	lmu       sync.RWMutex
	listeners map[string][]func(Event)

	read, delivered, cutoffs prometheus.Counter
	gaps                     prometheus.Gauge
}

// NewHub returns a hub; call Run to start it.
func NewHub(o HubOptions) *Hub {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Grace <= 0 {
		o.Grace = 30 * time.Second
	}
	if o.MaxGaps <= 0 {
		o.MaxGaps = 64
	}
	if o.Buffer <= 0 {
		o.Buffer = 64
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	h := &Hub{db: o.DB, now: o.Now, log: o.Log, poll: o.Poll, batch: o.Batch, buffer: o.Buffer, broker: o.Broker, id: hex.EncodeToString(b),
		wake: make(chan struct{}, 1), out: make(chan struct{}, 1), ready: make(chan struct{}), done: make(chan struct{}),
		cur:    cursor{max: o.MaxGaps, grace: o.Grace},
		byUser: map[uint64]map[*Sub]struct{}{}, byGroup: map[uint64]map[*Sub]struct{}{}, listeners: map[string][]func(Event){},
		read:      prometheus.NewCounter(prometheus.CounterOpts{Name: "jiaxiao_events_read_total", Help: "Rows the live-event reader read from the events table."}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{Name: "jiaxiao_event_deliveries_total", Help: "Events handed to open streams."}),
		cutoffs:   prometheus.NewCounter(prometheus.CounterOpts{Name: "jiaxiao_event_cutoffs_total", Help: "Streams closed because they fell behind."}),
		gaps:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "jiaxiao_event_gaps", Help: "Id ranges the reader waits for (uncommitted or rolled back)."}),
	}
	if o.Metrics != nil {
		streams := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jiaxiao_event_streams", Help: "Open live-event subscriptions."},
			func() float64 { return float64(h.Subscribers()) })
		for _, c := range []prometheus.Collector{h.read, h.delivered, h.cutoffs, h.gaps, streams} {
			if err := o.Metrics.Register(c); err != nil {
				h.log.Warn("event: metrics", "err", err)
			}
		}
	}
	return h
}

// Sub is one subscription: a page of a user, optionally watching a group.
// C is closed when the subscription ends: unsubscribed, cut off for
// falling behind, or the hub closed.
type Sub struct {
	C       <-chan Event
	c       chan Event
	userID  uint64
	groupID uint64
	closed  bool // guarded by Hub.mu
}

// Wants reports whether an event for userID and groupID reaches this
// subscription.
func (s *Sub) Wants(e Event) bool { return wants(s.userID, s.groupID, e) }

func wants(userID, groupID uint64, e Event) bool {
	switch {
	case e.System():
		return false
	case e.GroupID == 0:
		return e.UserID == userID
	case e.UserID == 0:
		return e.GroupID == groupID
	default:
		return e.UserID == userID && e.GroupID == groupID
	}
}

// Subscribe starts a subscription for a user, watching groupID (0: only
// the user's own events). On a closed hub the subscription is already over.
func (h *Hub) Subscribe(userID, groupID uint64) *Sub {
	c := make(chan Event, h.buffer)
	s := &Sub{C: c, c: c, userID: userID, groupID: groupID}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.closed = true
		close(c)
		return s
	}
	add(h.byUser, userID, s)
	if groupID != 0 {
		add(h.byGroup, groupID, s)
	}
	h.n++
	return s
}

func add(m map[uint64]map[*Sub]struct{}, k uint64, s *Sub) {
	set := m[k]
	if set == nil {
		set = map[*Sub]struct{}{}
		m[k] = set
	}
	set[s] = struct{}{}
}

func remove(m map[uint64]map[*Sub]struct{}, k uint64, s *Sub) {
	if set := m[k]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

// Unsubscribe ends a subscription and closes its channel.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

// drop removes s and closes its channel; h.mu is held.
func (h *Hub) drop(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	close(s.c)
	remove(h.byUser, s.userID, s)
	if s.groupID != 0 {
		remove(h.byGroup, s.groupID, s)
	}
	h.n--
}

// Subscribers counts the open subscriptions (for metrics and tests).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// Listen calls fn in the reader's goroutine for every event of kind read
// after the hub started, on every instance: system events (user 0,
// group 0, such as a settings change) and user or group events alike (a
// badge event drops the user's cached unread count). fn must return
// quickly: it holds up the delivery of the events after it.
func (h *Hub) Listen(kind string, fn func(Event)) {
	h.lmu.Lock()
	defer h.lmu.Unlock()
	h.listeners[kind] = append(h.listeners[kind], fn)
}

// Poke makes the reader read at once rather than at its next poll, here
// and, through the broker, on every other instance. Call it after a
// change that published events has committed. It never blocks; pokes
// that come while one is pending are one poke.
func (h *Hub) Poke() {
	h.nudge()
	if h.broker != nil {
		select {
		case h.out <- struct{}{}:
		default:
		}
	}
}

// nudge wakes the local reader only.
func (h *Hub) nudge() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Ready is closed once Run has placed the cursor: events published after
// that are delivered.
func (h *Hub) Ready() <-chan struct{} { return h.ready }

// Close ends every subscription, now and to come, and stops Run. Open
// streams return at once, so a server shutting down is not held up by
// them. It may be called more than once.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.done)
	for _, set := range h.byUser {
		for s := range set {
			s.closed = true
			close(s.c)
		}
	}
	h.byUser, h.byGroup, h.n = map[uint64]map[*Sub]struct{}{}, map[uint64]map[*Sub]struct{}{}, 0
}

// Run reads events until ctx ends or the hub is closed, then closes it.
// It starts from the newest event: older ones are not delivered (a page
// that missed them catches up with Missed).
func (h *Hub) Run(ctx context.Context) {
	defer h.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-h.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	if !h.start(ctx) {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // runs before wg.Wait
	if h.broker != nil {
		wg.Add(2)
		go func() { defer wg.Done(); h.subscribe(ctx) }()
		go func() { defer wg.Done(); h.publish(ctx) }()
	}
	t := time.NewTicker(h.poll)
	defer t.Stop()
	for {
		if err := h.pass(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("event: read", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-t.C:
		}
	}
}

// start places the cursor at the newest event, retrying until the
// database answers; it reports false if ctx ended first.
func (h *Hub) start(ctx context.Context) bool {
	for {
		var last *uint64
		err := h.db.WithContext(ctx).Model(&Event{}).Select("MAX(id)").Scan(&last).Error
		if err == nil {
			if last != nil {
				h.cur.last = *last
			}
			h.seen.Store(h.cur.last)
			h.floor.Store(h.cur.last + 1)
			close(h.ready)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		h.log.Warn("event: start", "err", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(h.poll):
		}
	}
}

// pass reads everything new: first the rows that filled gaps (they are
// older), then forward from the cursor, a batch at a time until a batch
// comes back short, delivering each batch before reading the next.
func (h *Hub) pass(ctx context.Context) error {
	now := h.now()
	h.cur.expire(now)
	if ranges := h.cur.ranges(); len(ranges) > 0 {
		where := make([]string, len(ranges))
		args := make([]any, 0, 2*len(ranges)+1)
		for i, r := range ranges {
			where[i] = "id BETWEEN ? AND ?"
			args = append(args, r[0], r[1])
		}
		cond := "(" + strings.Join(where, " OR ") + ")"
		var after uint64
		for {
			var rows []Event
			if err := h.db.WithContext(ctx).Where("id > ?", after).Where(cond, args...).Order("id").Limit(h.batch).Find(&rows).Error; err != nil {
				return fmt.Errorf("event: read gaps: %w", err)
			}
			fresh := rows[:0:0]
			for _, e := range rows {
				if h.cur.fill(e.ID, now) {
					fresh = append(fresh, e)
				}
			}
			h.deliver(fresh)
			if len(rows) < h.batch {
				break
			}
			after = rows[len(rows)-1].ID
		}
	}
	for {
		var rows []Event
		if err := h.db.WithContext(ctx).Where("id > ?", h.cur.last).Order("id").Limit(h.batch).Find(&rows).Error; err != nil {
			return fmt.Errorf("event: read: %w", err)
		}
		ids := make([]uint64, len(rows))
		for i, e := range rows {
			ids[i] = e.ID
		}
		h.cur.advance(ids, now)
		h.deliver(rows)
		if len(rows) < h.batch {
			break
		}
	}
	h.gaps.Set(float64(len(h.cur.gaps)))
	floor := h.cur.last + 1
	if len(h.cur.gaps) > 0 {
		floor = h.cur.gaps[0].lo
	}
	// Seen first: whoever sees the new floor sees what was read with it.
	h.seen.Store(h.cur.last)
	h.floor.Store(floor)
	return nil
}

// Floor is the lowest id this hub may still deliver: every event below it
// has been read, or its gap was given up on. A page reconnecting with a
// last event id above it may have missed events that committed late, so
// it is sent what lies above the floor (duplicates are harmless: every
// swap replaces by id). 0 before Run has placed the cursor.
func (h *Hub) Floor() uint64 { return h.floor.Load() }

// Seen is the highest event id this hub has read and delivered. Unlike
// Floor it does not wait on gaps: on MySQL an INSERT … SELECT reserves
// more ids than it uses, and the holes it leaves stay open for the gap's
// grace period though nothing will ever fill them.
func (h *Hub) Seen() uint64 { return h.seen.Load() }

// deliver hands each event to the subscriptions that want it, found
// through the indexes, and to the listeners of its kind. A
// subscription whose buffer is full is cut off rather than waited for:
// its page reconnects and catches up from its last event id.
func (h *Hub) deliver(events []Event) {
	if len(events) == 0 {
		return
	}
	h.read.Add(float64(len(events)))
	// Listeners first: a stream that renders a badge must not find the
	// count this event makes stale still cached.
	h.lmu.RLock()
	if len(h.listeners) > 0 {
		for _, e := range events {
			for _, fn := range h.listeners[e.Kind] {
				fn(e)
			}
		}
	}
	h.lmu.RUnlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range events {
		switch {
		case e.System():
		case e.GroupID == 0:
			for s := range h.byUser[e.UserID] {
				h.send(s, e)
			}
		case e.UserID == 0:
			for s := range h.byGroup[e.GroupID] {
				h.send(s, e)
			}
		default:
			for s := range h.byUser[e.UserID] {
				if s.groupID == e.GroupID {
					h.send(s, e)
				}
			}
		}
	}
}

// send queues e for s or cuts s off; h.mu is held.
func (h *Hub) send(s *Sub, e Event) {
	select {
	case s.c <- e:
		h.delivered.Inc()
	default:
		h.drop(s)
		h.cutoffs.Inc()
	}
}

// subscribe pokes the local reader on every message from another
// instance, resubscribing with backoff when the broker fails.
func (h *Hub) subscribe(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for {
		began := time.Now()
		err := h.broker.Subscribe(ctx, func(msg string) {
			if msg != h.id {
				h.nudge()
			}
		})
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("subscription ended")
		}
		if time.Since(began) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		h.log.Warn("event: broker", "err", err, "retry_in", backoff)
		h.nudge() // pokes may have been missed meanwhile
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// publish sends the pending poke to the other instances, one at a time:
// pokes made while one is being sent become one.
func (h *Hub) publish(ctx context.Context) {
	var warned time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.out:
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := h.broker.Publish(pctx, h.id)
		cancel()
		// The others still poll, so a broker outage slows them but
		// loses nothing; say so once in a while, not on every poke.
		if err != nil && ctx.Err() == nil && time.Since(warned) > 30*time.Second {
			warned = time.Now()
			h.log.Warn("event: broker", "err", err)
		}
	}
}

// Missed returns, oldest first, the events after id that a subscription
// of userID watching groupID (0: none) would have been sent, at most
// limit of them. complete is false when there were more than limit, or
// when events after id may have been pruned: the page should reload.
func (h *Hub) Missed(ctx context.Context, after, userID, groupID uint64, limit int) (events []Event, complete bool, err error) {
	q := h.db.WithContext(ctx).Where("id > ?", after)
	if groupID == 0 {
		q = q.Where("user_id = ? AND group_id = 0", userID)
	} else {
		q = q.Where("(user_id = ? AND group_id IN (0, ?)) OR (user_id = 0 AND group_id = ?)", userID, groupID, groupID)
	}
	if err := q.Order("id").Limit(limit + 1).Find(&events).Error; err != nil {
		return nil, false, fmt.Errorf("event: missed: %w", err)
	}
	if len(events) > limit {
		return events[:limit], false, nil
	}
	var oldest *uint64
	if err := h.db.WithContext(ctx).Model(&Event{}).Select("MIN(id)").Scan(&oldest).Error; err != nil {
		return nil, false, fmt.Errorf("event: missed: %w", err)
	}
	if oldest != nil && *oldest > after+1 {
		return events, false, nil
	}
	return events, true, nil
}
