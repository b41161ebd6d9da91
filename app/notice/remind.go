package notice

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/job"
	"jiaxiao/app/notify"
)

// ErrDingTooSoon answers a DING within ManualFloor of the last.
type ErrDingTooSoon struct{ Wait time.Duration }

func (e *ErrDingTooSoon) Error() string {
	return fmt.Sprintf("每 5 分钟最多 DING 一次，请 %d 秒后再试", int(e.Wait.Seconds())+1)
}

// Unwrap makes it a rate limit (429).
func (e *ErrDingTooSoon) Unwrap() error { return apperr.ErrTooMany }

// DingTarget is whom a DING by hand reminds.
type DingTarget string

// DING targets. The zero value is DingUnread, what a DING always did.
const (
	// DingUnread: the recipients who have not opened the notice.
	DingUnread DingTarget = ""
	// DingUnacked: those who opened a notice that asks for 收到 and have
	// not acknowledged it.
	DingUnacked DingTarget = "unacked"
	// DingPending: everyone who has not done what the notice asks: the
	// unread, and for a notice that asks for 收到 the unacknowledged too.
	DingPending DingTarget = "pending"
)

// ParseDingTarget reads a target from a form: "unread" or nothing (what
// the DING form always meant), "unacked" or "pending"; anything else is
// false.
func ParseDingTarget(s string) (DingTarget, bool) {
	switch s {
	case "", "unread":
		return DingUnread, true
	case string(DingUnacked):
		return DingUnacked, true
	case string(DingPending):
		return DingPending, true
	}
	return DingUnread, false
}

// where selects the target's receipts of notice n.
func (t DingTarget) where(q *gorm.DB, n Notice) *gorm.DB {
	switch {
	case t == DingUnacked:
		return q.Where("receipts.read_at IS NOT NULL AND receipts.acked_at IS NULL")
	case t == DingPending && n.RequiresAck:
		return q.Where("receipts.acked_at IS NULL")
	}
	return q.Where("receipts.read_at IS NULL")
}

// Ding reminds the target's recipients now (parents in quiet hours in the
// morning); the author and admins may, once every five minutes whatever
// the target. It returns how many were reminded.
func (s *Service) Ding(ctx context.Context, actor *auth.User, id uint64, to DingTarget) (Dinged, error) {
	now := s.now()
	var count Dinged
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		v, err := s.access(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !v.CanDing {
			return apperr.New(apperr.ErrForbidden, "只有发布人和学校管理员可以 DING")
		}
		if v.Status != Published {
			return apperr.Invalid("", "通知尚未发布")
		}
		if to == DingUnacked && !v.RequiresAck {
			return apperr.Invalid("", "这条通知无需确认收到，只能 DING 未读的人")
		}
		if ok, wait := ManualAllowed(v.LastDingAt, now); !ok {
			return &ErrDingTooSoon{Wait: wait}
		}
		if err := tx.Model(&Notice{}).Where("id = ?", id).Update("last_ding_at", now).Error; err != nil {
			return err
		}
		count, err = s.remind(ctx, tx, v.Notice, now, to, false)
		return err
	})
	return count, err
}

// AutoDing is the job handler of the automatic reminder: once, to each
// recipient still unread and not reminded automatically before.
func (s *Service) AutoDing(ctx context.Context, j job.Job) error {
	var p struct {
		NoticeID uint64 `json:"notice_id"`
	}
	if err := j.Decode(&p); err != nil {
		return job.Permanent(err)
	}
	now := s.now()
	return s.inNoticeTx(ctx, p.NoticeID, func(tx *gorm.DB, n Notice) error {
		_, err := s.remind(ctx, tx, n, now, DingUnread, true)
		return err
	})
}

// DingWait is how long until the notice may be DINGed by hand again (0:
// now), on the service's clock.
func (s *Service) DingWait(n Notice) time.Duration {
	_, wait := ManualAllowed(n.LastDingAt, s.now())
	return wait
}

// Dinged is what a DING did: Now recipients reminded at once, Later
// parents whose reminder waits for the end of quiet hours, at At; of all
// of them, Unread had not opened the notice and Unacked had opened it but
// not acknowledged it.
type Dinged struct {
	Now, Later      int
	At              time.Time
	Unread, Unacked int
}

// remind DINGs the target's recipients: at once, or for parents in quiet
// hours by a job at the end of them. auto limits it to recipients not
// reminded automatically before.
func (s *Service) remind(ctx context.Context, tx *gorm.DB, n Notice, now time.Time, to DingTarget, auto bool) (Dinged, error) {
	var done Dinged
	rules, err := s.settings.GetIn(ctx, tx)
	if err != nil {
		return done, err
	}
	sched := ScheduleFrom(rules, s.loc)
	var rows []struct {
		UserID       uint64
		ReadAt       *time.Time
		ContactPhone string
		ContactRole  auth.Role
	}
	q := auth.JoinContact(tx.Model(&Receipt{}), "receipts.user_id").Select("receipts.user_id, receipts.read_at, "+auth.ContactColumns).
		Where("receipts.notice_id = ?", n.ID)
	q = to.where(q, n)
	if auto {
		q = q.Where("receipts.dinged_at IS NULL")
	}
	if err := q.Scan(&rows).Error; err != nil {
		return done, err
	}
	var later []uint64
	for _, r := range rows {
		if r.ReadAt == nil {
			done.Unread++
		} else {
			done.Unacked++
		}
		at := sched.Deliver(now, r.ContactRole == auth.RoleParent)
		if at.After(now) {
			later = append(later, r.UserID)
			continue
		}
		if err := s.deliver(ctx, tx, n, r.UserID, r.ContactPhone, r.ReadAt != nil, now); err != nil {
			return done, err
		}
		done.Now++
	}
	if len(later) > 0 {
		done.Later, done.At = len(later), sched.Deliver(now, true)
		if _, err := job.Enqueue(ctx, tx, now, JobRemind, remindLater{NoticeID: n.ID, Users: later, To: to}, job.Options{RunAt: done.At}); err != nil {
			return done, err
		}
	}
	if len(rows) > 0 {
		ids := make([]uint64, len(rows))
		for i, r := range rows {
			ids[i] = r.UserID
		}
		if err := tx.Model(&Receipt{}).Where("notice_id = ? AND user_id IN ?", n.ID, ids).Update("dinged_at", now).Error; err != nil {
			return done, err
		}
	}
	return done, nil
}

// remindLater is the payload of a reminder held back by quiet hours.
type remindLater struct {
	NoticeID uint64     `json:"notice_id"`
	Users    []uint64   `json:"users"`
	To       DingTarget `json:"to,omitempty"`
}

// deliver is one reminder: into the notification centre (live badge) and
// into the outbox, sent once tx commits. One who has read the notice is
// asked to acknowledge it.
func (s *Service) deliver(ctx context.Context, tx *gorm.DB, n Notice, userID uint64, phone string, read bool, now time.Time) error {
	title := "DING：请查看" + n.Category + "“" + n.Title + "”"
	if read {
		title = "DING：请确认收到" + n.Category + "“" + n.Title + "”"
	}
	if err := notify.Add(ctx, tx, now, notify.Notification{UserID: userID, Kind: "ding", Title: title, Link: Link(n.ID)}); err != nil {
		return err
	}
	return notify.Queue(ctx, tx, now, notify.Message{Phone: phone, Kind: "ding", Text: "【家校】" + title})
}

// RemindLater is the job handler that delivers reminders held back by
// quiet hours, to those who still have not done what they were reminded
// of.
func (s *Service) RemindLater(ctx context.Context, j job.Job) error {
	var p remindLater
	if err := j.Decode(&p); err != nil {
		return job.Permanent(err)
	}
	now := s.now()
	return s.inNoticeTx(ctx, p.NoticeID, func(tx *gorm.DB, n Notice) error {
		var rows []struct {
			UserID       uint64
			ReadAt       *time.Time
			ContactPhone string
		}
		q := auth.JoinContact(tx.Model(&Receipt{}), "receipts.user_id").Select("receipts.user_id, receipts.read_at, "+auth.ContactColumns).
			Where("receipts.notice_id = ? AND receipts.user_id IN ?", n.ID, p.Users)
		if err := p.To.where(q, n).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.deliver(ctx, tx, n, r.UserID, r.ContactPhone, r.ReadAt != nil, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// inNoticeTx runs fn in a transaction with the notice loaded; a notice that
// is gone fails the job for good.
func (s *Service) inNoticeTx(ctx context.Context, id uint64, fn func(tx *gorm.DB, n Notice) error) error {
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var n Notice
		if err := tx.Where("id = ?", id).Take(&n).Error; err != nil {
			return job.Permanent(err)
		}
		return fn(tx, n)
	})
}
