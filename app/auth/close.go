package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
)

// Closing and erasing accounts (the erasure package orchestrates them and
// the other packages' parts): a closed account cannot log in from the
// moment it is closed and shows its phone number to nobody; an erased one
// keeps its row, named ErasedName, with no phone, password or department,
// so that receipts and the audit log still count it, and its phone number
// is free to register afresh.

// phoneTaken says why a phone cannot register: it has an account, or had
// one that is closed and not yet erased.
func phoneTaken(u User) error {
	if u.Status == StatusClosed {
		return apperr.Invalid("phone", "该手机号的账号已注销，学校删除其资料后才能用它重新注册")
	}
	return apperr.Invalid("phone", "该手机号已注册，请直接登录")
}

// errWrongPassword refuses a confirmation whose password is wrong.
var errWrongPassword = apperr.Invalid("password", "密码不正确，请重新输入")

// ConfirmPassword asks u for their password again before a change that
// cannot be undone. Each attempt counts against the login throttles (it
// is a password guess like any other), so a stolen session cannot be used
// to find the password.
func (s *Service) ConfirmPassword(ctx context.Context, u *User, password, ip string) error {
	if u == nil {
		return apperr.ErrUnauthenticated
	}
	if password == "" {
		return apperr.Invalid("password", "请输入登录密码以确认")
	}
	now := s.now()
	if err := recordFailure(ctx, s.db, u.Phone, ip, now); err != nil {
		return fmt.Errorf("auth: confirm password: %w", err)
	}
	c, err := countFailures(ctx, s.db, u.Phone, ip, now.Add(-FailureWindow))
	if err != nil {
		return fmt.Errorf("auth: confirm password: %w", err)
	}
	if c.PhoneIP > MaxPhoneFailures || c.Phone > MaxPhoneFailuresAnyIP || c.IP > MaxIPFailures {
		return ErrThrottled
	}
	cur, err := userByID(ctx, s.db, u.ID)
	if err != nil {
		return fmt.Errorf("auth: confirm password: %w", err)
	}
	match := false
	if cur.PasswordHash != "" && len(password) <= 128 {
		if match, err = s.check(ctx, cur.PasswordHash, password); err != nil {
			return err
		}
	}
	if !match {
		return errWrongPassword
	}
	return clearFailures(ctx, s.db.WithContext(ctx), u.ID)
}

// Close closes an account inside tx: it cannot log in from the moment tx
// commits, every session ends (here and, through the account event, on
// every instance), and it is due for erasure at eraseAt. The caller (the
// erasure package) takes it out of the school's groups in the same tx.
func (s *Service) Close(ctx context.Context, tx *gorm.DB, userID uint64, closedAt, eraseAt time.Time) error {
	res := tx.WithContext(ctx).Model(&User{}).Where("id = ? AND status IN ?", userID, Current).
		Updates(map[string]any{"status": StatusClosed, "closed_at": closedAt.UTC(), "erase_at": eraseAt.UTC(), "updated_at": s.now()})
	if res.Error != nil {
		return fmt.Errorf("auth: close: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.ErrConflict, "该账号已注销或已停用")
	}
	s.sessions.forget(userID)
	if err := tx.WithContext(ctx).Where("user_id = ?", userID).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("auth: close: %w", err)
	}
	return accountChanged(ctx, tx, userID, s.now())
}

// Erased is what an account was before Erase, for the caller to scrub
// from free text elsewhere (reasons typed into logs).
type Erased struct {
	Name, Phone string
}

// Erase removes the personal data of a closed account inside tx: its
// name becomes ErasedName, its phone a placeholder that no login or
// registration can match (freeing the number), its password and
// department go, and so do its sessions, activation code, failed logins
// and SMS codes. An account that is not closed (already erased, say) is
// left alone: ok is false.
func (s *Service) Erase(ctx context.Context, tx *gorm.DB, userID uint64) (was Erased, ok bool, err error) {
	tx = tx.WithContext(ctx)
	u, err := userByID(ctx, tx, userID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Erased{}, false, nil
	}
	if err != nil {
		return Erased{}, false, fmt.Errorf("auth: erase: %w", err)
	}
	if u.Status != StatusClosed {
		return Erased{}, false, nil
	}
	now := s.now()
	res := tx.Model(&User{}).Where("id = ? AND status = ?", userID, StatusClosed).Updates(map[string]any{
		"name": ErasedName, "phone": ErasedPhone(userID), "password_hash": "", "department": "",
		"status": StatusErased, "updated_at": now,
	})
	if res.Error != nil {
		return Erased{}, false, fmt.Errorf("auth: erase: %w", res.Error)
	}
	if res.RowsAffected == 0 { // erased by another worker meanwhile
		return Erased{}, false, nil
	}
	s.sessions.forget(userID)
	for _, q := range []struct {
		where string
		arg   any
		model any
	}{
		{"user_id = ?", userID, &Session{}},
		{"user_id = ?", userID, &activationCode{}},
		{"phone = ?", u.Phone, &loginFailure{}},
		{"phone = ?", u.Phone, &verificationCode{}},
	} {
		if err := tx.Where(q.where, q.arg).Delete(q.model).Error; err != nil {
			return Erased{}, false, fmt.Errorf("auth: erase: %w", err)
		}
	}
	if err := accountChanged(ctx, tx, userID, now); err != nil {
		return Erased{}, false, err
	}
	return Erased{Name: u.Name, Phone: u.Phone}, true, nil
}

// ErasedPhone is the placeholder in the phone column of an erased
// account: unique (the column is), and no mobile number, so the number
// it replaces may register again and nothing can log in with it.
func ErasedPhone(userID uint64) string { return fmt.Sprintf("已注销-%d", userID) }

// DueForErasure reads, through q, up to limit closed accounts whose
// erasure is due at now, the longest due first.
func DueForErasure(ctx context.Context, q *gorm.DB, now time.Time, limit int) ([]uint64, error) {
	var ids []uint64
	err := q.WithContext(ctx).Model(&User{}).Where("status = ? AND erase_at <= ?", StatusClosed, now.UTC()).
		Order("erase_at, id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("auth: due for erasure: %w", err)
	}
	return ids, nil
}

// PurgeLoginRecords deletes, through q, up to limit failed logins and up
// to limit SMS codes made before before, and returns how many rows went.
// (Cleanup removes them sooner; this holds the school's own limit.)
func PurgeLoginRecords(ctx context.Context, q *gorm.DB, before time.Time, limit int) (int64, error) {
	var total int64
	for _, model := range []any{&loginFailure{}, &verificationCode{}} {
		var ids []uint64
		if err := q.WithContext(ctx).Model(model).Where("created_at < ?", before.UTC()).Order("id").Limit(limit).Pluck("id", &ids).Error; err != nil {
			return total, fmt.Errorf("auth: purge login records: %w", err)
		}
		if len(ids) == 0 {
			continue
		}
		res := q.WithContext(ctx).Where("id IN ?", ids).Delete(model)
		if res.Error != nil {
			return total, fmt.Errorf("auth: purge login records: %w", res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}

// ForgetSessionIPs blanks, through q, the IP address and browser string
// of up to limit sessions opened before before (a session in daily use
// lives on), and returns how many it blanked.
func ForgetSessionIPs(ctx context.Context, q *gorm.DB, before time.Time, limit int) (int64, error) {
	var ids []string
	if err := q.WithContext(ctx).Model(&Session{}).Where("created_at < ? AND (ip <> '' OR user_agent <> '')", before.UTC()).
		Order("created_at").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("auth: forget session addresses: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := q.WithContext(ctx).Model(&Session{}).Where("id IN ?", ids).Updates(map[string]any{"ip": "", "user_agent": ""})
	if res.Error != nil {
		return 0, fmt.Errorf("auth: forget session addresses: %w", res.Error)
	}
	return res.RowsAffected, nil
}
