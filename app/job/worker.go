package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/db"
)

// Handler runs one job. Returning an error schedules a retry (or, wrapped
// in Permanent, fails the job).
type Handler func(ctx context.Context, j Job) error

// WorkerOptions configure NewWorker.
type WorkerOptions struct {
	DB       *gorm.DB
	Handlers map[string]Handler
	Now      func() time.Time
	Log      *slog.Logger
	// Concurrency is how many jobs run at once (default 4).
	Concurrency int
	// Poll is the wait between polls when nothing is due (default 1 s).
	Poll time.Duration
	// Lease is how long a claim lasts; a job still running after it may be
	// claimed again by another worker, so handlers should finish well within
	// it (default 5 minutes). The handler's context ends with the lease.
	Lease time.Duration
	// Metrics, when set, receives the jiaxiao_jobs_total counter.
	Metrics prometheus.Registerer
	// OnDone, when set, is called after each job run has been recorded
	// (serve pokes the live-event hub: the job's changes have committed).
	OnDone func()
}

// Worker claims and runs due jobs.
type Worker struct {
	o     WorkerOptions
	id    string
	kinds []string
	runs  *prometheus.CounterVec
}

// NewWorker returns a worker for the given handlers.
func NewWorker(o WorkerOptions) *Worker {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	w := &Worker{o: o, id: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))}
	if len(w.id) > 64 {
		w.id = w.id[len(w.id)-64:]
	}
	for k := range o.Handlers {
		w.kinds = append(w.kinds, k)
	}
	w.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiaxiao_jobs_total", Help: "Background jobs run, by kind and result."}, []string{"kind", "result"})
	if o.Metrics != nil {
		if err := o.Metrics.Register(w.runs); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				w.runs = are.ExistingCollector.(*prometheus.CounterVec)
			}
		}
	}
	return w
}

// ID identifies the worker in the locked_by column.
func (w *Worker) ID() string { return w.id }

// Run polls and runs jobs until ctx ends, then waits for the jobs in hand
// to finish before it returns.
func (w *Worker) Run(ctx context.Context) {
	sem := make(chan struct{}, w.o.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		free := w.o.Concurrency - len(sem)
		var jobs []Job
		if free > 0 {
			var err error
			jobs, err = w.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				w.o.Log.Warn("job: claim", "err", err)
			}
		}
		for _, j := range jobs {
			sem <- struct{}{}
			wg.Add(1)
			go func(j Job) {
				defer wg.Done()
				defer func() { <-sem }()
				w.run(j)
			}(j)
		}
		// Poll again at once while there was a full batch of work.
		if len(jobs) > 0 && len(jobs) == free {
			timer.Reset(10 * time.Millisecond)
		} else {
			timer.Reset(w.o.Poll)
		}
	}
}

// RunDue claims and runs due jobs one batch at a time until none is due,
// and returns how many it ran. Tests and the command line use it.
func (w *Worker) RunDue(ctx context.Context) (int, error) {
	total := 0
	for {
		jobs, err := w.claim(ctx, w.o.Concurrency)
		if err != nil {
			return total, err
		}
		if len(jobs) == 0 {
			return total, nil
		}
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Add(1)
			go func(j Job) { defer wg.Done(); w.run(j) }(j)
		}
		wg.Wait()
		total += len(jobs)
	}
}

func (w *Worker) claim(ctx context.Context, n int) ([]Job, error) {
	if len(w.kinds) == 0 {
		return nil, nil
	}
	now := w.o.Now().UTC()
	var jobs []Job
	err := db.InTx(ctx, w.o.DB, func(tx *gorm.DB) error {
		q := tx.Where("done_at IS NULL AND failed_at IS NULL AND run_at <= ? AND (locked_until IS NULL OR locked_until < ?) AND kind IN ?", now, now, w.kinds).
			Order("run_at, id").Limit(n)
		if db.Dialect(tx) == db.MySQL {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&jobs).Error; err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		ids := make([]uint64, len(jobs))
		for i := range jobs {
			ids[i] = jobs[i].ID
			jobs[i].Attempts++
		}
		return tx.Model(&Job{}).Where("id IN ?", ids).Updates(map[string]any{
			"locked_by": w.id, "locked_until": now.Add(w.o.Lease), "attempts": gorm.Expr("attempts + 1"), "updated_at": now,
		}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("job: claim: %w", err)
	}
	return jobs, nil
}

func (w *Worker) run(j Job) {
	ctx, cancel := context.WithTimeout(context.Background(), w.o.Lease)
	defer cancel()
	err := w.call(ctx, j)
	now := w.o.Now().UTC()
	fields := map[string]any{"locked_by": nil, "locked_until": nil, "updated_at": now}
	result := "done"
	switch {
	case err == nil:
		fields["done_at"] = now
		fields["last_error"] = nil
	case isPermanent(err) || j.Attempts >= j.MaxAttempts:
		result = "failed"
		fields["failed_at"] = now
		fields["last_error"] = truncate(err.Error(), 4000)
		w.o.Log.Error("job: failed for good", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", err)
	default:
		result = "retry"
		fields["run_at"] = now.Add(Backoff(j.Attempts))
		fields["last_error"] = truncate(err.Error(), 4000)
		w.o.Log.Warn("job: will retry", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", err)
	}
	w.runs.WithLabelValues(j.Kind, result).Inc()
	// Only the holder of the claim records the outcome.
	if err := w.o.DB.WithContext(context.Background()).Model(&Job{}).Where("id = ? AND locked_by = ?", j.ID, w.id).Updates(fields).Error; err != nil {
		w.o.Log.Error("job: record outcome", "job", j.ID, "err", err)
	}
	if w.o.OnDone != nil {
		w.o.OnDone()
	}
}

func (w *Worker) call(ctx context.Context, j Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	h, ok := w.o.Handlers[j.Kind]
	if !ok {
		return Permanent(fmt.Errorf("no handler for kind %q", j.Kind))
	}
	return h(ctx, j)
}

// Prune deletes finished jobs older than keep.
func Prune(ctx context.Context, g *gorm.DB, now time.Time, keep time.Duration) (int64, error) {
	res := g.WithContext(ctx).Where("done_at IS NOT NULL AND done_at < ?", now.Add(-keep)).Delete(&Job{})
	return res.RowsAffected, res.Error
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
