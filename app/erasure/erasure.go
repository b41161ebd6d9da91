// Package erasure carries out a family's right to leave (PIPL art. 47)
// and the school's duty to keep personal data no longer than it needs
// (art. 19). It owns no table: each package erases what it keeps, and
// this one orders the steps.
//
// Rules: a parent closes their own account by typing their password, or
// an admin closes any parent's with a reason; either way the account
// cannot log in from that moment, its sessions end and it leaves every
// group at once, and after erase_after_days a job erases its name, phone
// and password, the text and files of its messages, its uploads, its join
// requests, guardianships and notifications. Its row stays, named
// auth.ErasedName, so that receipts still count it and the audit log
// keeps each event and the id (with the name and phone scrubbed from
// reasons). The phone can then register afresh. Stored objects are
// deleted by a job after the commit, retried while storage is down.
// Staff are not closed here: they leave the school (离职) through the
// admin.
//
// Retention: a nightly job deletes group messages and their files,
// notifications, decided join requests and login records older than the
// school's limits, and blanks old IP addresses and browser strings, a
// bounded batch per transaction so that a big school's tables are never
// locked for long; it is idempotent, and logs and audits what it did.
package erasure

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/message"
	"jiaxiao/app/modlog"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
)

// Job kinds.
const (
	// JobErase erases one closed account when its time comes.
	JobErase = "erasure.erase"
	// JobRetention applies the retention limits, nightly.
	JobRetention = "erasure.retention"
)

// Limits.
const (
	// MinReason and MaxReason bound an admin's reason for closing an
	// account, in characters.
	MinReason = 2
	MaxReason = 200
	// Batch is how many rows one retention statement touches, in its own
	// short transaction.
	Batch = 500
	// RetentionBudget is how long one retention run works before it
	// queues the rest a minute later (a job's lease is 5 minutes).
	RetentionBudget = 3 * time.Minute
	// NightlyAt is the school-time hour of the nightly run.
	NightlyAt = 2
)

// Part erases, inside the erasure's transaction, what a package outside
// this list keeps about an account (the consent record, say).
type Part func(ctx context.Context, tx *gorm.DB, userID uint64) error

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Location *time.Location // the school's, for the nightly hour
	Accounts *auth.Service
	Groups   *group.Service
	Messages *message.Service
	Settings *setting.Service
	Log      *slog.Logger
	Parts    []Part
}

// Service closes and erases accounts and applies the retention limits.
type Service struct {
	o Options
}

// NewService returns the erasure service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o}
}

func (s *Service) now() time.Time { return s.o.Now().UTC() }

// EraseAtIfClosedNow is when an account closed now would be erased, for
// the pages that say so before it is closed.
func (s *Service) EraseAtIfClosedNow(days int) time.Time {
	return s.now().Add(time.Duration(days) * 24 * time.Hour)
}

// AddPart adds a package's part of erasing an account.
func (s *Service) AddPart(p Part) { s.o.Parts = append(s.o.Parts, p) }

// Errors.
var (
	// ErrStaff refuses to close a staff account here.
	ErrStaff = apperr.New(apperr.ErrForbidden, "教职工账号不能在这里注销。如需离职或注销账号，请联系学校管理员。")
	// ErrNotParent refuses an admin's closing of a staff account.
	ErrNotParent = apperr.Invalid("", "这里只能注销家长账号；教职工离校请使用“标记离职”。")
	// ErrAlreadyClosed refuses to close an account twice.
	ErrAlreadyClosed = apperr.Invalid("", "该账号已注销。")
)

// Closed says what closing an account did.
type Closed struct {
	UserID  uint64
	EraseAt time.Time
	// Days is erase_after_days when it was closed.
	Days int
}

// Close closes the actor's own parent account once they have typed their
// password again (a wrong one counts against the login throttles).
func (s *Service) Close(ctx context.Context, actor *auth.User, password, ip string) (Closed, error) {
	if actor == nil {
		return Closed{}, apperr.ErrUnauthenticated
	}
	if actor.Role != auth.RoleParent {
		return Closed{}, ErrStaff
	}
	if err := s.o.Accounts.ConfirmPassword(ctx, actor, password, ip); err != nil {
		return Closed{}, err
	}
	return s.close(ctx, actor.ID, audit.Entry{ActorID: &actor.ID, Action: "user.close", Subject: subject(actor.ID), IP: ip})
}

// CheckReason bounds an admin's reason for closing an account.
func CheckReason(reason string) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(reason)); n < MinReason || n > MaxReason {
		return apperr.Invalid("reason", fmt.Sprintf("请填写注销理由（%d–%d 字），理由会记入审计日志", MinReason, MaxReason))
	}
	return nil
}

// MayErase reports whether actor may close u's account from the users
// page: an admin, a parent's account that is not closed yet.
func MayErase(actor *auth.User, u auth.User) bool {
	return actor.IsAdmin() && u.Role == auth.RoleParent && !u.Status.Gone()
}

// AdminErase closes a parent's account for an admin, with a reason that
// goes into the audit log; the account is erased like one its owner
// closed.
func (s *Service) AdminErase(ctx context.Context, actor *auth.User, userID uint64, reason string) (Closed, error) {
	if !actor.IsAdmin() {
		return Closed{}, apperr.New(apperr.ErrForbidden, "只有学校管理员可以注销家长账号")
	}
	if err := CheckReason(reason); err != nil {
		return Closed{}, err
	}
	u, err := auth.UserIn(ctx, s.o.DB, userID)
	if err != nil {
		return Closed{}, err
	}
	switch {
	case u.Status.Gone():
		return Closed{}, ErrAlreadyClosed
	case u.Role != auth.RoleParent:
		return Closed{}, ErrNotParent
	}
	return s.close(ctx, userID, audit.Entry{ActorID: auth.ActorOf(actor), Action: "user.erase", Subject: subject(userID),
		Detail: "reason=" + strings.TrimSpace(reason)})
}

func subject(id uint64) string { return fmt.Sprintf("user:%d", id) }

// close closes an account in one transaction: status and sessions, the
// children's guardianships, every group and pending join request, and the
// erasure job at the due time; e is the audit entry of who did it.
func (s *Service) close(ctx context.Context, userID uint64, e audit.Entry) (Closed, error) {
	rules, err := s.o.Settings.Get(ctx)
	if err != nil {
		return Closed{}, err
	}
	now := s.now()
	c := Closed{UserID: userID, Days: rules.EraseAfterDays, EraseAt: now.Add(time.Duration(rules.EraseAfterDays) * 24 * time.Hour)}
	days := fmt.Sprintf("days=%d", c.Days)
	if e.Detail == "" {
		e.Detail = days
	} else {
		e.Detail = days + " " + e.Detail
	}
	e.CreatedAt = now
	err = db.InTx(ctx, s.o.DB, func(tx *gorm.DB) error {
		if err := s.o.Accounts.Close(ctx, tx, userID, now, c.EraseAt); err != nil {
			return err
		}
		if err := school.RevokeGuardianships(ctx, tx, userID, now); err != nil {
			return err
		}
		if _, err := s.o.Groups.RemoveAllMemberships(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := job.Enqueue(ctx, tx, now, JobErase, erasePayload{UserID: userID}, job.Options{RunAt: c.EraseAt}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, e)
	})
	// After the commit too: a page read between the drop inside the
	// transaction and its commit may have kept the account as it was.
	s.o.Accounts.ForgetUser(userID)
	s.o.Groups.ForgetCounts()
	s.o.Messages.ForgetAll()
	if err != nil {
		return Closed{}, fmt.Errorf("erasure: close: %w", err)
	}
	s.o.Log.Info("erasure: account closed", "user", userID, "erase_at", c.EraseAt)
	return c, nil
}

type erasePayload struct {
	UserID uint64 `json:"user_id"`
}

// EraseJob is the handler of JobErase.
func (s *Service) EraseJob(ctx context.Context, j job.Job) error {
	var p erasePayload
	if err := j.Decode(&p); err != nil || p.UserID == 0 {
		return job.Permanent(fmt.Errorf("erasure: job %d: bad payload %q", j.ID, j.Payload))
	}
	_, err := s.Erase(ctx, p.UserID)
	return err
}

// Erased says what erasing an account took away.
type Erased struct {
	Messages, Files, Objects, Requests, Notifications int64
}

// replaced stands in for a scrubbed phone number in free text.
const replacedPhone = "（手机号已删除）"

// Erase erases a closed account whose erasure is due, in one transaction;
// the stored objects of its files are deleted by a job after the commit.
// An account that is not closed, or not due yet, is left alone (ok is
// false): running it again changes nothing.
func (s *Service) Erase(ctx context.Context, userID uint64) (ok bool, err error) {
	now := s.now()
	var done Erased
	err = db.InTx(ctx, s.o.DB, func(tx *gorm.DB) error {
		u, err := auth.UserIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Status != auth.StatusClosed || u.EraseAt == nil || u.EraseAt.After(now) {
			return nil
		}
		files, n, err := message.EraseAuthor(ctx, tx, userID)
		if err != nil {
			return err
		}
		done.Messages = n
		uploads, err := file.UploadedIDs(ctx, tx, userID)
		if err != nil {
			return err
		}
		files = union(files, uploads)
		done.Files = int64(len(files))
		objects, err := file.Forget(ctx, tx, now, files)
		if err != nil {
			return err
		}
		done.Objects = int64(objects)
		if done.Requests, err = group.EraseUser(ctx, tx, userID); err != nil {
			return err
		}
		if err := school.EraseGuardian(ctx, tx, userID); err != nil {
			return err
		}
		if done.Notifications, err = notify.Purge(ctx, tx, userID); err != nil {
			return err
		}
		for _, p := range s.o.Parts {
			if err := p(ctx, tx, userID); err != nil {
				return err
			}
		}
		was, erased, err := s.o.Accounts.Erase(ctx, tx, userID)
		if err != nil || !erased {
			return err
		}
		scrub := map[string]string{was.Name: auth.ErasedName, was.Phone: replacedPhone}
		if _, err := audit.Scrub(ctx, tx, userID, scrub); err != nil {
			return err
		}
		if _, err := modlog.Scrub(ctx, tx, userID, scrub); err != nil {
			return err
		}
		ok = true
		return audit.Record(ctx, tx, audit.Entry{Action: "user.erased", Subject: subject(userID), CreatedAt: now,
			Detail: fmt.Sprintf("messages=%d files=%d requests=%d", done.Messages, done.Files, done.Requests)})
	})
	if err != nil {
		return false, fmt.Errorf("erasure: erase user %d: %w", userID, err)
	}
	if ok {
		s.o.Accounts.ForgetUser(userID)
		s.o.Messages.ForgetAll()
		s.o.Groups.ForgetCounts()
		s.o.Log.Info("erasure: account erased", "user", userID, "messages", done.Messages, "files", done.Files,
			"objects", done.Objects, "requests", done.Requests, "notifications", done.Notifications)
	}
	return ok, nil
}

// Due erases the closed accounts whose erasure is due and has not run
// (its job lost, or failed for good), up to limit; it returns how many.
func (s *Service) Due(ctx context.Context, limit int) (int, error) {
	ids, err := auth.DueForErasure(ctx, s.o.DB, s.now(), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		ok, err := s.Erase(ctx, id)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func union(a, b []uint64) []uint64 {
	seen := make(map[uint64]bool, len(a)+len(b))
	var out []uint64
	for _, list := range [][]uint64{a, b} {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
