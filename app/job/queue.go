package job

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Options for Enqueue.
type Options struct {
	RunAt       time.Time // zero: now
	MaxAttempts int       // zero: DefaultMaxAttempts
}

// Enqueue adds a job of kind with payload marshalled as JSON. Pass the
// transaction that makes the change the job follows from, so the job exists
// exactly when the change commits.
func Enqueue(ctx context.Context, tx *gorm.DB, now time.Time, kind string, payload any, o Options) (uint64, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return 0, fmt.Errorf("job: enqueue %s: %w", kind, err)
	}
	now = now.UTC()
	if o.RunAt.IsZero() {
		o.RunAt = now
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	j := Job{Kind: kind, Payload: string(b), RunAt: o.RunAt.UTC(), MaxAttempts: o.MaxAttempts, CreatedAt: now, UpdatedAt: now}
	if err := tx.WithContext(ctx).Create(&j).Error; err != nil {
		return 0, fmt.Errorf("job: enqueue %s: %w", kind, err)
	}
	return j.ID, nil
}

// Get returns one job.
func Get(ctx context.Context, g *gorm.DB, id uint64) (Job, error) {
	var j Job
	err := g.WithContext(ctx).Where("id = ?", id).Take(&j).Error
	return j, err
}

// Pending reports whether a job of kind other than except (0: none) waits
// to run or is running: for a job that schedules itself, such as a
// nightly one, so that it is queued once.
func Pending(ctx context.Context, g *gorm.DB, kind string, except uint64) (bool, error) {
	var n int64
	err := g.WithContext(ctx).Model(&Job{}).Where("kind = ? AND id <> ? AND done_at IS NULL AND failed_at IS NULL", kind, except).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("job: pending %s: %w", kind, err)
	}
	return n > 0, nil
}
