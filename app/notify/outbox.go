package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/job"
)

// Outbound messages never leave inside a database transaction: a change
// that sends something queues it in the jobs table in the change's own
// transaction (Queue), and the outbox worker sends it once the change has
// committed (Outbox.Deliver), with a timeout and retries. A slow or broken
// SMS gateway then delays its messages and nothing else.

// JobSend is the job kind of one queued outbound message.
const JobSend = "notify.send"

// Retries and the time one attempt may take.
const (
	SendAttempts = 5
	SendTimeout  = 10 * time.Second
)

// Queue puts m in the outbox through tx, the transaction of the change
// it follows from, so it is sent exactly when that change commits.
// A message without a phone (a closed or erased account's) is not sent.
func Queue(ctx context.Context, tx *gorm.DB, now time.Time, m Message) error {
	if m.Phone == "" {
		return nil
	}
	if _, err := job.Enqueue(ctx, tx, now, JobSend, m, job.Options{MaxAttempts: SendAttempts}); err != nil {
		return fmt.Errorf("notify: queue %s: %w", m.Kind, err)
	}
	return nil
}

// Outbox sends queued messages through a Sender.
type Outbox struct {
	Sender  Sender
	Timeout time.Duration // per attempt; SendTimeout when zero
}

// Deliver is the job handler of JobSend. A failed attempt is retried
// with the job queue's backoff; a message that cannot be read is dropped.
func (o Outbox) Deliver(ctx context.Context, j job.Job) error {
	var m Message
	if err := json.Unmarshal([]byte(j.Payload), &m); err != nil {
		return job.Permanent(fmt.Errorf("notify: outbox: %w", err))
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = SendTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := o.Sender.Send(ctx, m); err != nil {
		return fmt.Errorf("notify: send %s: %w", m.Kind, err)
	}
	return nil
}
