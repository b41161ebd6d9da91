package erasure

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/attendance"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/message"
	"jiaxiao/app/notify"
)

// Report is what one retention run did.
type Report struct {
	Messages      int64 // group messages deleted
	Files         int64 // their file records deleted (objects follow by job)
	Notifications int64
	Requests      int64 // decided join requests deleted
	Addresses     int64 // sessions and punches whose IP and browser were blanked
	Logins        int64 // failed logins, SMS codes and failed join attempts deleted
	Erased        int   // closed accounts erased that were due (catch-up)
	// More: the run stopped at RetentionBudget with work left.
	More bool
}

// Total is how many records the run changed.
func (r Report) Total() int64 {
	return r.Messages + r.Files + r.Notifications + r.Requests + r.Addresses + r.Logins + int64(r.Erased)
}

// Retention applies the school's retention limits once: each kind of
// record older than its limit goes (or, for addresses, is blanked), Batch
// rows per short transaction, until none is left or RetentionBudget has
// passed (More). Running it again at once finds nothing to do.
func (s *Service) Retention(ctx context.Context) (Report, error) {
	var r Report
	rules, err := s.o.Settings.Get(ctx)
	if err != nil {
		return r, err
	}
	now := s.now()
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	start := time.Now() // the budget is wall time, whatever the clock says
	// each runs step until it does less than a full batch.
	each := func(total *int64, step func() (int64, error)) error {
		for {
			if time.Since(start) > RetentionBudget {
				r.More = true
				return nil
			}
			n, err := step()
			*total += n
			if err != nil || n < Batch {
				return err
			}
		}
	}
	inTx := func(fn func(tx *gorm.DB) (int64, error)) func() (int64, error) {
		return func() (int64, error) {
			var n int64
			err := db.InTx(ctx, s.o.DB, func(tx *gorm.DB) error {
				var err error
				n, err = fn(tx)
				return err
			})
			return n, err
		}
	}
	steps := []struct {
		total *int64
		step  func() (int64, error)
	}{
		{&r.Messages, inTx(func(tx *gorm.DB) (int64, error) {
			p, err := message.PurgeBefore(ctx, tx, days(rules.RetainMessagesDays), Batch)
			if err != nil {
				return 0, err
			}
			if _, err := file.Forget(ctx, tx, now, p.Files); err != nil {
				return 0, err
			}
			r.Files += int64(len(p.Files))
			return p.Messages, nil
		})},
		{&r.Notifications, inTx(func(tx *gorm.DB) (int64, error) {
			return notify.PurgeBefore(ctx, tx, now, days(rules.RetainNotificationsDays), Batch)
		})},
		{&r.Requests, func() (int64, error) {
			return group.PurgeDecidedRequests(ctx, s.o.DB, days(rules.RetainRequestsDays), Batch)
		}},
		{&r.Addresses, func() (int64, error) { return auth.ForgetSessionIPs(ctx, s.o.DB, days(rules.RetainIPDays), Batch) }},
		{&r.Addresses, func() (int64, error) {
			return attendance.ForgetPunchIPs(ctx, s.o.DB, days(rules.RetainIPDays), Batch)
		}},
		{&r.Logins, func() (int64, error) { return auth.PurgeLoginRecords(ctx, s.o.DB, days(rules.RetainLoginDays), Batch) }},
		{&r.Logins, func() (int64, error) { return group.PurgeJoinFailures(ctx, s.o.DB, days(rules.RetainLoginDays), Batch) }},
	}
	for _, st := range steps {
		if err := each(st.total, st.step); err != nil {
			return r, fmt.Errorf("erasure: retention: %w", err)
		}
	}
	if r.Messages > 0 {
		s.o.Messages.ForgetAll()
	}
	if r.Requests > 0 {
		s.o.Groups.ForgetCounts()
	}
	if !r.More {
		if r.Erased, err = s.Due(ctx, Batch); err != nil {
			return r, err
		}
	}
	s.o.Log.Info("erasure: retention", "messages", r.Messages, "files", r.Files, "notifications", r.Notifications,
		"requests", r.Requests, "addresses", r.Addresses, "logins", r.Logins, "erased", r.Erased, "more", r.More)
	if r.Total()-int64(r.Erased) > 0 {
		err := audit.Record(ctx, s.o.DB, audit.Entry{Action: "retention.purge", CreatedAt: now,
			Detail: fmt.Sprintf("messages=%d files=%d notifications=%d requests=%d addresses=%d logins=%d",
				r.Messages, r.Files, r.Notifications, r.Requests, r.Addresses, r.Logins)})
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// RetentionJob is the handler of JobRetention: one run, then the next one
// at NightlyAt the next night, or a minute later when work was left. A
// run queued twice (by two instances at once) does not queue itself again.
func (s *Service) RetentionJob(ctx context.Context, j job.Job) error {
	r, err := s.Retention(ctx)
	if err != nil {
		return err
	}
	next := s.nextNight()
	if r.More {
		next = s.now().Add(time.Minute)
	}
	return db.InTx(ctx, s.o.DB, func(tx *gorm.DB) error {
		queued, err := job.Pending(ctx, tx, JobRetention, j.ID)
		if err != nil || queued {
			return err
		}
		_, err = job.Enqueue(ctx, tx, s.now(), JobRetention, struct{}{}, job.Options{RunAt: next})
		return err
	})
}

// Schedule queues the nightly retention run if none is queued: at the
// start of every serving process and every hour after, so that a lost or
// failed run is queued again.
func (s *Service) Schedule(ctx context.Context) error {
	return db.InTx(ctx, s.o.DB, func(tx *gorm.DB) error {
		queued, err := job.Pending(ctx, tx, JobRetention, 0)
		if err != nil || queued {
			return err
		}
		_, err = job.Enqueue(ctx, tx, s.now(), JobRetention, struct{}{}, job.Options{RunAt: s.nextNight()})
		return err
	})
}

// nextNight is the next NightlyAt o'clock in the school's time zone.
func (s *Service) nextNight() time.Time {
	now := s.now().In(s.o.Location)
	t := time.Date(now.Year(), now.Month(), now.Day(), NightlyAt, 0, 0, 0, s.o.Location)
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t.UTC()
}
