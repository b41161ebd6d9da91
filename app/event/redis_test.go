package event_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/event"
)

// TestHubsWithRedis: two instances on one database. A change made through
// instance A is delivered by instance B at once after A's poke crosses
// Redis; both poll only every 10 s, so nothing else could explain it.
func TestHubsWithRedis(t *testing.T) {
	url := apptest.Redis(t)
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		channel := apptest.RandomName("jiaxiao:test:")
		brokers := make([]*event.Redis, 2)
		for i := range brokers {
			r, err := event.NewRedis(ctx, url, channel)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = r.Close() })
			brokers[i] = r
		}
		a := start(t, event.HubOptions{DB: g, Poll: 10 * time.Second, Broker: brokers[0]})
		b := start(t, event.HubOptions{DB: g, Poll: 10 * time.Second, Broker: brokers[1]})
		waitFor(t, func() bool { n, err := brokers[0].Subscribers(ctx); return err == nil && n == 2 })
		onA, onB := a.Subscribe(1, 7), b.Subscribe(2, 7)
		for i := uint64(1); i <= 3; i++ {
			began := time.Now()
			publish(t, g, event.Event{GroupID: 7, Kind: event.Message, RefID: i})
			a.Poke()
			for _, s := range []*event.Sub{onA, onB} {
				if e, _ := next(t, s, 5*time.Second); e.RefID != i {
					t.Fatalf("got %+v, want ref %d", e, i)
				}
			}
			if d := time.Since(began); d > 3*time.Second {
				t.Fatalf("delivery took %s", d)
			}
		}
	})
}

// TestRedisUnreachable: a configured Redis that does not answer is an
// error naming its address, within the connect deadline.
func TestRedisUnreachable(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for a connection to fail")
	}
	addr := apptest.FreeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := event.NewRedis(ctx, "redis://"+addr+"/0", "")
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("got %v, want an error naming %s", err, addr)
	}
}

// TestHubsResubscribe: after Redis restarts, the hubs subscribe again and
// pokes cross between them as before.
func TestHubsResubscribe(t *testing.T) {
	t.Parallel()
	rs := apptest.StartRedis(t)
	g := apptest.SQLite(t)
	ctx := context.Background()
	brokers := make([]*event.Redis, 2)
	for i := range brokers {
		r, err := event.NewRedis(ctx, rs.URL, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		brokers[i] = r
	}
	a := start(t, event.HubOptions{DB: g, Poll: 10 * time.Second, Broker: brokers[0]})
	b := start(t, event.HubOptions{DB: g, Poll: 10 * time.Second, Broker: brokers[1]})
	onB := b.Subscribe(2, 7)
	subscribed := func() bool { n, err := brokers[0].Subscribers(ctx); return err == nil && n == 2 }
	for round := uint64(1); round <= 2; round++ {
		waitFor(t, subscribed)
		publish(t, g, event.Event{GroupID: 7, Kind: event.Message, RefID: round})
		a.Poke()
		if e, _ := next(t, onB, 5*time.Second); e.RefID != round {
			t.Fatalf("round %d: got %+v", round, e)
		}
		rs.Stop()
		rs.Start()
	}
}
