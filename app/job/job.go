// Package job runs background work from the jobs table. Any number of
// workers (one in every serve process) poll the table and claim due rows
// with row locks (FOR UPDATE SKIP LOCKED on MySQL/MariaDB; SQLite has one
// writer at a time), so a job runs on one worker at a time. A failed job is
// retried with exponential backoff and its last error is kept; a claim is a
// lease, so a job whose worker died is picked up again once the lease ends.
package job

import (
	"encoding/json"
	"errors"
	"time"
)

// Job is one row of the jobs table.
type Job struct {
	ID          uint64
	Kind        string
	Payload     string
	RunAt       time.Time
	Attempts    int
	MaxAttempts int
	LastError   *string
	LockedBy    *string
	LockedUntil *time.Time
	DoneAt      *time.Time
	FailedAt    *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Decode unmarshals the job's JSON payload into v.
func (j Job) Decode(v any) error { return json.Unmarshal([]byte(j.Payload), v) }

// State is a short description for admin pages.
func (j Job) State() string {
	switch {
	case j.DoneAt != nil:
		return "done"
	case j.FailedAt != nil:
		return "failed"
	case j.LockedBy != nil:
		return "running"
	case j.Attempts > 0:
		return "retrying"
	}
	return "queued"
}

// DefaultMaxAttempts is how often a job is tried before it is marked failed.
const DefaultMaxAttempts = 25

// Backoff is the wait before attempt n+1 after n failed attempts:
// 5 s doubling up to 15 minutes.
func Backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts && d < 15*time.Minute; i++ {
		d *= 2
	}
	return min(d, 15*time.Minute)
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as not worth retrying: the job fails at once.
func Permanent(err error) error { return permanentError{err} }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
