package job_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/db"
	"jiaxiao/app/job"
)

func enqueue(t *testing.T, g *gorm.DB, now time.Time, kind string, n int) []uint64 {
	t.Helper()
	ids := make([]uint64, n)
	for i := range ids {
		id, err := job.Enqueue(context.Background(), g, now, kind, map[string]int{"n": i}, job.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// Two workers, each with its own connection pool, poll one MySQL database;
// every job must run exactly once.
func TestTwoWorkersNeverRunAJobTwice(t *testing.T) {
	t.Parallel()
	dsn := apptest.MySQLDatabase(t)
	g1 := apptest.Open(t, db.MySQL, dsn)
	g2 := apptest.Open(t, db.MySQL, dsn)
	const n = 400
	ids := enqueue(t, g1, time.Now(), "count", n)

	var mu sync.Mutex
	runs := map[uint64]int{}
	var total atomic.Int64
	handler := func(ctx context.Context, j job.Job) error {
		mu.Lock()
		runs[j.ID]++
		mu.Unlock()
		total.Add(1)
		time.Sleep(time.Millisecond)
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, g := range []*gorm.DB{g1, g2} {
		w := job.NewWorker(job.WorkerOptions{DB: g, Handlers: map[string]job.Handler{"count": handler}, Concurrency: 8, Poll: 5 * time.Millisecond, Log: apptest.Logger()})
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var left int64
		if err := g1.Model(&job.Job{}).Where("done_at IS NULL").Count(&left).Error; err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still not done", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if total.Load() != n {
		t.Fatalf("ran %d handlers for %d jobs", total.Load(), n)
	}
	for _, id := range ids {
		if runs[id] != 1 {
			t.Errorf("job %d ran %d times", id, runs[id])
		}
	}
}

func TestRetryBackoffAndFailure(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		clock := apptest.NewClock(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
		id, err := job.Enqueue(ctx, g, clock.Now(), "flaky", nil, job.Options{MaxAttempts: 3})
		if err != nil {
			t.Fatal(err)
		}
		permID, _ := job.Enqueue(ctx, g, clock.Now(), "broken", nil, job.Options{})
		calls := 0
		w := job.NewWorker(job.WorkerOptions{DB: g, Now: clock.Now, Log: apptest.Logger(), Handlers: map[string]job.Handler{
			"flaky":  func(context.Context, job.Job) error { calls++; return errors.New("storage down") },
			"broken": func(context.Context, job.Job) error { return job.Permanent(errors.New("bad payload")) },
		}})
		if n, err := w.RunDue(ctx); err != nil || n != 2 {
			t.Fatalf("first run: %d %v", n, err)
		}
		j, _ := job.Get(ctx, g, id)
		if j.Attempts != 1 || j.LastError == nil || *j.LastError != "storage down" || j.LockedBy != nil || j.State() != "retrying" {
			t.Fatalf("after one failure: %+v", j)
		}
		if !j.RunAt.Equal(clock.Now().Add(job.Backoff(1))) {
			t.Fatalf("run_at %v, want now+%v", j.RunAt, job.Backoff(1))
		}
		p, _ := job.Get(ctx, g, permID)
		if p.FailedAt == nil {
			t.Fatalf("permanent error not failed: %+v", p)
		}
		// Not due yet: nothing runs.
		if n, _ := w.RunDue(ctx); n != 0 {
			t.Fatalf("ran %d before backoff passed", n)
		}
		for range 2 {
			clock.Advance(time.Hour)
			if n, err := w.RunDue(ctx); err != nil || n != 1 {
				t.Fatalf("retry: %d %v", n, err)
			}
		}
		j, _ = job.Get(ctx, g, id)
		if j.FailedAt == nil || j.Attempts != 3 || calls != 3 {
			t.Fatalf("after max attempts: %+v calls=%d", j, calls)
		}
		clock.Advance(time.Hour)
		if n, _ := w.RunDue(ctx); n != 0 {
			t.Fatal("failed job ran again")
		}
	})
}

func TestPanicIsAnError(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	ctx := context.Background()
	id, _ := job.Enqueue(ctx, g, time.Now(), "panics", nil, job.Options{})
	w := job.NewWorker(job.WorkerOptions{DB: g, Log: apptest.Logger(), Handlers: map[string]job.Handler{
		"panics": func(context.Context, job.Job) error { panic("boom") },
	}})
	if _, err := w.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	j, _ := job.Get(ctx, g, id)
	if j.LastError == nil || j.DoneAt != nil {
		t.Fatalf("panic not recorded: %+v", j)
	}
}

func TestExpiredLeaseIsReclaimed(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		clock := apptest.NewClock(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
		id, _ := job.Enqueue(ctx, g, clock.Now(), "archive", nil, job.Options{})
		// A worker that died mid-job leaves its claim behind.
		lease := clock.Now().Add(time.Minute)
		if err := g.Model(&job.Job{}).Where("id = ?", id).Updates(map[string]any{"locked_by": "dead-worker", "locked_until": lease, "attempts": 1}).Error; err != nil {
			t.Fatal(err)
		}
		ran := 0
		w := job.NewWorker(job.WorkerOptions{DB: g, Now: clock.Now, Log: apptest.Logger(), Handlers: map[string]job.Handler{
			"archive": func(context.Context, job.Job) error { ran++; return nil },
		}})
		if n, _ := w.RunDue(ctx); n != 0 {
			t.Fatal("claimed a job under a live lease")
		}
		clock.Advance(2 * time.Minute)
		if n, _ := w.RunDue(ctx); n != 1 || ran != 1 {
			t.Fatalf("expired lease not reclaimed: n=%d ran=%d", n, ran)
		}
		j, _ := job.Get(ctx, g, id)
		if j.DoneAt == nil || j.Attempts != 2 {
			t.Fatalf("%+v", j)
		}
	})
}

func TestRunStopsCleanly(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var finished atomic.Bool
	id, _ := job.Enqueue(context.Background(), g, time.Now(), "slow", nil, job.Options{})
	w := job.NewWorker(job.WorkerOptions{DB: g, Poll: 5 * time.Millisecond, Log: apptest.Logger(), Handlers: map[string]job.Handler{
		"slow": func(context.Context, job.Job) error {
			close(started)
			time.Sleep(200 * time.Millisecond)
			finished.Store(true)
			return nil
		},
	}})
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	<-started
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if !finished.Load() {
		t.Fatal("Run returned before the job in hand finished")
	}
	j, _ := job.Get(context.Background(), g, id)
	if j.DoneAt == nil {
		t.Fatalf("job not recorded done: %+v", j)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	for i, w := range want {
		if got := job.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if job.Backoff(30) != 15*time.Minute {
		t.Errorf("cap: %v", job.Backoff(30))
	}
}
