package event_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
)

// start runs a hub until the test ends and waits until it reads.
func start(t *testing.T, o event.HubOptions) *event.Hub {
	t.Helper()
	if o.Log == nil {
		o.Log = apptest.Logger()
	}
	h := event.NewHub(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-h.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("hub did not start")
	}
	return h
}

func publish(t *testing.T, g *gorm.DB, e event.Event) {
	t.Helper()
	if err := event.Publish(context.Background(), g, time.Now(), e); err != nil {
		t.Fatal(err)
	}
}

// next waits for the subscription's next event.
func next(t *testing.T, s *event.Sub, within time.Duration) (event.Event, bool) {
	t.Helper()
	select {
	case e, ok := <-s.C:
		return e, ok
	case <-time.After(within):
		t.Fatalf("no event within %s", within)
		return event.Event{}, false
	}
}

// none checks that nothing arrives while the hub reads the table: marker
// is published to another subscription afterwards and must come first.
func none(t *testing.T, g *gorm.DB, h *event.Hub, s *event.Sub) {
	t.Helper()
	m := h.Subscribe(999999, 0)
	defer h.Unsubscribe(m)
	publish(t, g, event.Event{UserID: 999999, Kind: event.Badge})
	h.Poke()
	next(t, m, 10*time.Second)
	select {
	case e, ok := <-s.C:
		if ok {
			t.Fatalf("unexpected event %+v", e)
		}
	default:
	}
}

func TestHubRouting(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		h := start(t, event.HubOptions{DB: g, Poll: 10 * time.Millisecond})
		alice := h.Subscribe(1, 7) // user 1 watching group 7
		aliceHome := h.Subscribe(1, 0)
		bob := h.Subscribe(2, 7)
		carol := h.Subscribe(3, 8)
		publish(t, g, event.Event{GroupID: 7, Kind: event.Message, RefID: 100})
		publish(t, g, event.Event{UserID: 1, GroupID: 7, Kind: event.Held, RefID: 101})
		publish(t, g, event.Event{UserID: 1, Kind: event.Badge})
		publish(t, g, event.Event{Kind: event.Settings}) // for the instances, not for pages
		for name, w := range map[string]struct {
			sub   *event.Sub
			kinds []string
		}{
			"alice":      {alice, []string{event.Message, event.Held, event.Badge}},
			"alice home": {aliceHome, []string{event.Badge}},
			"bob":        {bob, []string{event.Message}},
		} {
			for _, k := range w.kinds {
				if e, _ := next(t, w.sub, 10*time.Second); e.Kind != k {
					t.Errorf("%s got %s, want %v", name, e.Kind, w.kinds)
				}
			}
		}
		none(t, g, h, carol)
		none(t, g, h, alice)
		// A rolled-back change publishes nothing.
		_ = g.Transaction(func(tx *gorm.DB) error {
			_ = event.Publish(context.Background(), tx, time.Now(), event.Event{GroupID: 7, Kind: event.Message, RefID: 102})
			return gorm.ErrInvalidTransaction
		})
		none(t, g, h, bob)
		h.Unsubscribe(bob)
		if _, ok := <-bob.C; ok {
			t.Fatal("channel open after unsubscribe")
		}
	})
}

func TestHubListen(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	h := event.NewHub(event.HubOptions{DB: g, Poll: time.Hour, Log: apptest.Logger()})
	got := make(chan event.Event, 4)
	h.Listen(event.Settings, func(e event.Event) { got <- e })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.Run(ctx)
	<-h.Ready()
	page := h.Subscribe(1, 0)
	publish(t, g, event.Event{Kind: event.Calendar})
	publish(t, g, event.Event{Kind: event.Settings})
	h.Poke()
	select {
	case e := <-got:
		if e.Kind != event.Settings {
			t.Fatalf("listener got %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("listener not called")
	}
	none(t, g, h, page)
}

// TestHubPoke: a poke makes the reader read at once; the poll is an hour.
func TestHubPoke(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	h := start(t, event.HubOptions{DB: g, Poll: time.Hour})
	s := h.Subscribe(1, 0)
	for i := 0; i < 3; i++ {
		publish(t, g, event.Event{UserID: 1, Kind: event.Badge})
		h.Poke()
		next(t, s, 5*time.Second)
	}
}

// TestHubBurst: a burst larger than a batch is read in consecutive batches
// and an event after it follows promptly.
func TestHubBurst(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		const burst = 2500
		h := start(t, event.HubOptions{DB: g, Poll: 20 * time.Millisecond, Batch: 1000, Buffer: burst + 10})
		parents := h.Subscribe(1, 7)
		other := h.Subscribe(2, 8)
		// One notice to 2,500 parents: one statement, like notice.publish.
		rows := make([]event.Event, burst)
		now := time.Now().UTC()
		for i := range rows {
			rows[i] = event.Event{UserID: uint64(1000 + i), Kind: event.Badge, CreatedAt: now}
		}
		rows[burst-1] = event.Event{GroupID: 7, Kind: event.Message, RefID: 1, CreatedAt: now}
		if err := g.CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		publish(t, g, event.Event{GroupID: 8, Kind: event.Message, RefID: 2})
		began := time.Now()
		if e, _ := next(t, parents, 10*time.Second); e.RefID != 1 {
			t.Fatalf("got %+v", e)
		}
		if e, _ := next(t, other, 10*time.Second); e.RefID != 2 {
			t.Fatalf("got %+v", e)
		}
		t.Logf("burst of %d read in %s", burst, time.Since(began))
		// Every row of the burst is delivered, in order, to their owners.
		subs := make([]*event.Sub, 1200)
		for i := range subs {
			subs[i] = h.Subscribe(uint64(5000+i), 0)
		}
		rows = rows[:0]
		for i := 0; i < 2*len(subs); i++ {
			rows = append(rows, event.Event{UserID: uint64(5000 + i%len(subs)), Kind: event.Badge, RefID: uint64(i), CreatedAt: now})
		}
		if err := g.CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		for i, s := range subs {
			for _, want := range []uint64{uint64(i), uint64(i + len(subs))} {
				if e, _ := next(t, s, 10*time.Second); e.RefID != want {
					t.Fatalf("sub %d got ref %d, want %d", i, e.RefID, want)
				}
			}
		}
	})
}

// TestHubOutOfOrder: on MySQL a transaction that took its id first can
// commit last; the later id is delivered at once and the earlier one when
// it commits. On SQLite writers take turns (BEGIN IMMEDIATE), so ids
// commit in order: the second writer waits for the first.
func TestHubOutOfOrder(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		clock := apptest.NewClock(time.Now())
		h := start(t, event.HubOptions{DB: g, Now: clock.Now, Poll: 10 * time.Millisecond, Grace: 30 * time.Second})
		s := h.Subscribe(1, 7)
		ctx := context.Background()
		first := g.WithContext(ctx).Begin()
		if first.Error != nil {
			t.Fatal(first.Error)
		}
		defer first.Rollback()
		if err := event.Publish(ctx, first, time.Now(), event.Event{GroupID: 7, Kind: event.Message, RefID: 1}); err != nil {
			t.Fatal(err)
		}
		second := make(chan error, 1)
		go func() {
			second <- g.Transaction(func(tx *gorm.DB) error {
				return event.Publish(ctx, tx, time.Now(), event.Event{GroupID: 7, Kind: event.Message, RefID: 2})
			})
		}()
		if db.Dialect(g) == db.MySQL {
			if err := <-second; err != nil {
				t.Fatal(err)
			}
			if e, _ := next(t, s, 10*time.Second); e.RefID != 2 {
				t.Fatalf("got %+v, want the second", e)
			}
			if err := first.Commit().Error; err != nil {
				t.Fatal(err)
			}
			e, _ := next(t, s, 10*time.Second)
			if e.RefID != 1 {
				t.Fatalf("got %+v, want the first", e)
			}
			waitFor(t, func() bool { return h.Floor() > e.ID }) // the gap is closed
		} else {
			select {
			case err := <-second:
				t.Fatalf("second writer did not wait: %v", err)
			default:
			}
			if err := first.Commit().Error; err != nil {
				t.Fatal(err)
			}
			if err := <-second; err != nil {
				t.Fatal(err)
			}
			for _, want := range []uint64{1, 2} {
				if e, _ := next(t, s, 10*time.Second); e.RefID != want {
					t.Fatalf("got %+v, want ref %d", e, want)
				}
			}
		}
		// A rolled-back insert: on MySQL its id is a gap, waited for during
		// the grace period and then given up; SQLite reuses the id.
		_ = g.Transaction(func(tx *gorm.DB) error {
			_ = event.Publish(ctx, tx, time.Now(), event.Event{GroupID: 7, Kind: event.Message, RefID: 3})
			return gorm.ErrInvalidTransaction
		})
		publish(t, g, event.Event{GroupID: 7, Kind: event.Message, RefID: 4})
		e, _ := next(t, s, 10*time.Second)
		if e.RefID != 4 {
			t.Fatalf("got %+v", e)
		}
		waitFor(t, func() bool { return h.Floor() > 0 })
		if db.Dialect(g) == db.MySQL {
			waitFor(t, func() bool { return h.Floor() == e.ID-1 })
			if h.Seen() != e.ID {
				t.Fatalf("seen %d while the gap is open, want %d: it waits on nothing", h.Seen(), e.ID)
			}
			clock.Advance(31 * time.Second)
		}
		h.Poke()
		waitFor(t, func() bool { return h.Floor() == e.ID+1 })
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHubSlowSubscriber: a page that stops reading is cut off; the others
// get everything and are not held up.
func TestHubSlowSubscriber(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	h := start(t, event.HubOptions{DB: g, Poll: 10 * time.Millisecond, Buffer: 4})
	slow := h.Subscribe(1, 7)
	fast := h.Subscribe(2, 7)
	for i := 1; i <= 20; i++ {
		publish(t, g, event.Event{GroupID: 7, Kind: event.Message, RefID: uint64(i)})
		h.Poke()
		if e, ok := next(t, fast, 10*time.Second); !ok || e.RefID != uint64(i) {
			t.Fatalf("fast subscriber got %+v %v, want ref %d", e, ok, i)
		}
	}
	n := 0
	for range slow.C {
		n++
	}
	if n != 4 {
		t.Fatalf("slow subscriber got %d before being cut off, want its buffer of 4", n)
	}
	if h.Subscribers() != 1 {
		t.Fatalf("%d subscribers, want the fast one", h.Subscribers())
	}
}

// TestHubClose: closing the hub ends every subscription, and later ones.
func TestHubClose(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	h := start(t, event.HubOptions{DB: g})
	subs := []*event.Sub{h.Subscribe(1, 0), h.Subscribe(1, 7), h.Subscribe(2, 7)}
	h.Close()
	for i, s := range append(subs, h.Subscribe(3, 0)) {
		select {
		case _, ok := <-s.C:
			if ok {
				t.Fatalf("sub %d got an event", i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("sub %d still open", i)
		}
	}
	h.Unsubscribe(subs[0]) // harmless after Close
	h.Close()
}

func TestMissed(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		h := event.NewHub(event.HubOptions{DB: g})
		publish(t, g, event.Event{UserID: 1, Kind: event.Badge}) // before
		var first event.Event
		if err := g.Last(&first).Error; err != nil {
			t.Fatal(err)
		}
		for _, e := range []event.Event{
			{GroupID: 7, Kind: event.Message, RefID: 1},
			{UserID: 1, GroupID: 7, Kind: event.Held, RefID: 2},
			{UserID: 1, GroupID: 8, Kind: event.Held, RefID: 3},
			{UserID: 2, Kind: event.Badge, RefID: 4},
			{UserID: 1, Kind: event.Badge, RefID: 5},
			{GroupID: 8, Kind: event.Message, RefID: 6},
			{Kind: event.Settings, RefID: 7},
		} {
			publish(t, g, e)
		}
		ctx := context.Background()
		refs := func(es []event.Event) string {
			var out []uint64
			for _, e := range es {
				out = append(out, e.RefID)
			}
			return fmt.Sprint(out)
		}
		for _, tc := range []struct {
			user, group uint64
			limit       int
			want        string
			complete    bool
		}{
			{1, 7, 10, "[1 2 5]", true},
			{1, 0, 10, "[5]", true},
			{2, 8, 10, "[4 6]", true},
			{1, 7, 2, "[1 2]", false},
		} {
			got, complete, err := h.Missed(ctx, first.ID, tc.user, tc.group, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if refs(got) != tc.want || complete != tc.complete {
				t.Errorf("Missed(user %d, group %d, limit %d) = %s %v, want %s %v", tc.user, tc.group, tc.limit, refs(got), complete, tc.want, tc.complete)
			}
		}
		// Pruned events: the page cannot catch up.
		if err := g.Where("id <= ?", first.ID+1).Delete(&event.Event{}).Error; err != nil {
			t.Fatal(err)
		}
		if _, complete, err := h.Missed(ctx, first.ID, 1, 7, 10); err != nil || complete {
			t.Fatalf("after pruning: complete=%v err=%v", complete, err)
		}
	})
}
