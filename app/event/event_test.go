package event_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/event"
)

func recv(t *testing.T, s *event.Sub) (event.Event, bool) {
	t.Helper()
	select {
	case e, ok := <-s.C:
		return e, ok
	case <-time.After(300 * time.Millisecond):
		return event.Event{}, false
	}
}

func TestHubRouting(t *testing.T) {
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h := event.NewHub(event.HubOptions{DB: g, Poll: 10 * time.Millisecond, Log: apptest.Logger()})
		go h.Run(ctx)
		alice := h.Subscribe(1, 7) // user 1 watching group 7
		aliceHome := h.Subscribe(1, 0)
		bob := h.Subscribe(2, 7)
		carol := h.Subscribe(3, 8)
		time.Sleep(20 * time.Millisecond)
		now := time.Now()
		must := func(e event.Event) {
			if err := event.Publish(ctx, g, now, e); err != nil {
				t.Fatal(err)
			}
		}
		must(event.Event{GroupID: 7, Kind: event.Message, RefID: 100})
		must(event.Event{UserID: 1, GroupID: 7, Kind: event.Held, RefID: 101})
		must(event.Event{UserID: 1, Kind: event.Badge})
		type want struct {
			sub   *event.Sub
			kinds []string
		}
		for name, w := range map[string]want{
			"alice":      {alice, []string{event.Message, event.Held, event.Badge}},
			"alice home": {aliceHome, []string{event.Badge}},
			"bob":        {bob, []string{event.Message}},
			"carol":      {carol, nil},
		} {
			var got []string
			for {
				e, ok := recv(t, w.sub)
				if !ok {
					break
				}
				got = append(got, e.Kind)
			}
			if len(got) != len(w.kinds) {
				t.Errorf("%s got %v, want %v", name, got, w.kinds)
				continue
			}
			for i := range got {
				if got[i] != w.kinds[i] {
					t.Errorf("%s got %v, want %v", name, got, w.kinds)
				}
			}
		}
		// A rolled-back change publishes nothing.
		_ = g.Transaction(func(tx *gorm.DB) error {
			_ = event.Publish(ctx, tx, now, event.Event{GroupID: 7, Kind: event.Message, RefID: 102})
			return gorm.ErrInvalidTransaction
		})
		if e, ok := recv(t, bob); ok {
			t.Fatalf("rolled-back event delivered: %+v", e)
		}
		h.Unsubscribe(bob)
		if _, ok := <-bob.C; ok {
			t.Fatal("channel open after unsubscribe")
		}
	})
}
