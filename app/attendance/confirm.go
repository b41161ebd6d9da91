package attendance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
)

// ErrMonthLocked is in the chain of every refusal of a change to a
// confirmed month (errors.Is).
var ErrMonthLocked = errors.New("attendance: month confirmed")

// lockedError refuses a change to a confirmed month: a validation error
// the form shows, that also unwraps to ErrMonthLocked.
type lockedError struct {
	*apperr.ValidationError
}

func refuseMonth(m string) error {
	return lockedError{apperr.Invalid("", fmt.Sprintf("%s 的考勤已确认锁定，不能再修改", m))}
}

func (e lockedError) Unwrap() []error { return []error{e.ValidationError, ErrMonthLocked} }

// Locked reports whether a month ("2026-11") is confirmed.
func (s *Service) Locked(ctx context.Context, m string) (bool, error) { return lockedIn(ctx, s.db, m) }

func lockedIn(ctx context.Context, q *gorm.DB, m string) (bool, error) {
	var n int64
	err := q.WithContext(ctx).Model(&month{}).Where("month = ?", m).Count(&n).Error
	return n > 0, err
}

// refuseLocked refuses and logs an edit of a confirmed month. It goes
// through the pool: call it before any transaction.
func (s *Service) refuseLocked(ctx context.Context, actor *auth.User, t time.Time, what string) error {
	m := t.In(s.loc).Format("2006-01")
	locked, err := s.Locked(ctx, m)
	if err != nil || !locked {
		return err
	}
	s.logLockedEdit(ctx, actor, m, what)
	return refuseMonth(m)
}

// logLockedEdit records a refused edit of a confirmed month. The refused
// change's transaction has ended (rolled back) by now, so the entry is
// written on its own and kept.
func (s *Service) logLockedEdit(ctx context.Context, actor *auth.User, m, what string) {
	if err := audit.Record(ctx, s.db, audit.Entry{ActorID: auth.ActorOf(actor), Action: "attendance.locked_edit", Subject: m, Detail: what, CreatedAt: s.now()}); err != nil {
		s.log.Error("attendance: audit of a refused edit", "month", m, "err", err)
	}
}

// SetDay records a school-specific work (work) or rest day; admins only.
func (s *Service) SetDay(ctx context.Context, actor *auth.User, day string, work bool, note string) error {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return ErrNotAdmin
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return apperr.Invalid("day", "请选择日期")
	}
	if len([]rune(note)) > 100 {
		return apperr.Invalid("note", "说明最多 100 字")
	}
	now := s.now()
	defer s.settings.InvalidateCalendar()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := calendar.Set(ctx, tx, calendar.Day(day), work, strings.TrimSpace(note), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "calendar.set", Subject: day, Detail: fmt.Sprintf("work=%t %s", work, note), CreatedAt: now})
	})
}

// DeleteDay removes a school-specific day; admins only.
func (s *Service) DeleteDay(ctx context.Context, actor *auth.User, day string) error {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return ErrNotAdmin
	}
	now := s.now()
	defer s.settings.InvalidateCalendar()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := calendar.Delete(ctx, tx, calendar.Day(day), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "calendar.delete", Subject: day, CreatedAt: now})
	})
}

// Confirm locks a month: later punches, imports and decisions touching it
// are refused and logged.
func (s *Service) Confirm(ctx context.Context, actor *auth.User, m string) error {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return ErrNotAdmin
	}
	if _, err := time.Parse("2006-01", m); err != nil {
		return apperr.Invalid("month", "月份格式应为 2026-11")
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&month{Month: m, ConfirmedBy: actor.ID, ConfirmedAt: now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.ErrConflict, m+" 的考勤已经确认过了")
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "attendance.confirm", Subject: m, CreatedAt: now})
	})
}

// ErrLocked reports whether err is a refusal for a confirmed month.
func ErrLocked(err error) bool { return errors.Is(err, ErrMonthLocked) }
