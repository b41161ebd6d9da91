package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/notice"
)

// statements counts the SQL statements GORM runs, by every path it has
// (query, row, raw, create, update, delete), while on.
type statements struct {
	mu  sync.Mutex
	on  bool
	sql []string
}

func countStatements(t testing.TB, g *gorm.DB) *statements {
	t.Helper()
	s := &statements{}
	hook := func(db *gorm.DB) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if db.DryRun {
			return // a subquery being built, not a round trip
		}
		sql := db.Statement.SQL.String()
		// The live-event reader and the outbox worker poll on their own;
		// pages read neither events nor jobs.
		if s.on && !strings.Contains(sql, "events") && !strings.Contains(sql, "`jobs`") {
			s.sql = append(s.sql, sql)
		}
	}
	cb := g.Callback()
	name := "jx:count"
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, hook),
		cb.Row().After("gorm:row").Register(name, hook),
		cb.Raw().After("gorm:raw").Register(name, hook),
		cb.Create().After("gorm:create").Register(name, hook),
		cb.Update().After("gorm:update").Register(name, hook),
		cb.Delete().After("gorm:delete").Register(name, hook),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// during returns the statements run by fn.
func (s *statements) during(fn func()) []string {
	s.mu.Lock()
	s.on, s.sql = true, nil
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.sql
}

// TestPageQueryBudget holds the busiest pages to a fixed number of SQL
// statements, whatever the size of the group or the number of notices:
// the session, user, unread count, group counts and a feed's newest page
// come from memory once read, the group with the membership and mute is
// one read, and lists are one query each rather than one per row.
func TestPageQueryBudget(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		// Registered before the app starts its hub, which reads the database.
		counter := countStatements(t, g)
		s := newSchool(t, g)
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			s.postAs(t, "13900000001", fmt.Sprintf("第%d条消息", i))
		}
		head := s.world.ByPhone("13800000002")
		var last notice.Notice
		for i := 0; i < 3; i++ {
			n, err := s.world.Notices.Compose(ctx, head, notice.ComposeInput{Title: fmt.Sprintf("通知%d", i), Body: "明天八点到校", Category: "通知",
				GroupIDs: []uint64{s.c32.ID}, RequiresAck: true})
			if err != nil {
				t.Fatal(err)
			}
			last = n
		}
		feed := fmt.Sprintf("/groups/%d", s.c32.ID)
		budgets := []struct {
			actor, path string
			max         int
		}{
			{"parent-member", "/", 1},
			{"parent-member", feed, 1},
			{"parent-member", "/notices", 1},
			{"owner", "/", 6},
			{"owner", feed, 1},
			// The receipts show the class's parents' full numbers to their
			// head teacher: the last two write the access log (pii.view).
			{"owner", fmt.Sprintf("/notices/%d/receipts", last.ID), 9},
			// The audit log: its page of entries, then one statement per
			// kind of thing they name (people, groups, students; requests
			// and departments when named), however many entries.
			{"admin", "/admin/audit", 6},
		}
		cost := func(actor, path string) int {
			// Let the hub read every event so far: a badge event read
			// between the two requests would rightly drop a cached count.
			var last uint64
			g.Table("events").Select("COALESCE(MAX(id), 0)").Scan(&last)
			waitFor(t, "the hub to catch up", func() bool { return s.hub.Seen() >= last })
			c := s.clients[actor]
			c.Get(path) // warm the caches
			var status int
			sql := counter.during(func() { status = c.Get(path).StatusCode })
			if status != 200 {
				t.Fatalf("%s %s: %d", actor, path, status)
			}
			t.Logf("%s %s: %d statements\n  %s", actor, path, len(sql), strings.Join(sql, "\n  "))
			return len(sql)
		}
		got := map[string]int{}
		for _, b := range budgets {
			n := cost(b.actor, b.path)
			got[b.actor+" "+b.path] = n
			if n > b.max {
				t.Errorf("%s %s: %d statements, budget %d", b.actor, b.path, n, b.max)
			}
		}
		// More messages, more members and more notices cost no more statements.
		for i := 0; i < 20; i++ {
			s.postAs(t, "13900000003", fmt.Sprintf("又一条消息%d", i))
		}
		s.freshMember(t)
		s.freshMember(t)
		for _, b := range budgets {
			if n := cost(b.actor, b.path); n > got[b.actor+" "+b.path] {
				t.Errorf("%s %s: %d statements after the group grew, %d before", b.actor, b.path, n, got[b.actor+" "+b.path])
			}
		}
	})
}
