package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/db"
)

// ActivationLifetime is how long a roster import's activation code works.
const ActivationLifetime = 30 * 24 * time.Hour

// StaffInput is one staff row of a roster import, already validated.
type StaffInput struct {
	Phone      string
	Name       string
	Role       Role
	Department string
}

// StaffResult says what UpsertStaff did.
type StaffResult struct {
	User    User
	Created bool
	Changed bool
	// PrevRole is the role the account had before (a changed account).
	PrevRole Role
	// Code is the one-time activation code of a new account ("" otherwise).
	Code string
}

// UpsertStaff creates a pending account with an activation code for a new
// phone, or brings an existing account's name, role and department in line
// with the roster. It runs inside the import's transaction tx.
func (s *Service) UpsertStaff(ctx context.Context, tx *gorm.DB, in StaffInput) (StaffResult, error) {
	now := s.now()
	u, err := userByPhone(ctx, tx, in.Phone)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		u = User{Phone: in.Phone, Name: in.Name, Role: in.Role, Status: StatusPending, Department: in.Department}
		if err := insertUser(ctx, tx, &u, now); err != nil {
			return StaffResult{}, err
		}
		code, err := issueActivation(ctx, tx, u.ID, now)
		if err != nil {
			return StaffResult{}, err
		}
		return StaffResult{User: u, Created: true, Code: code}, nil
	case err != nil:
		return StaffResult{}, err
	}
	if u.Name == in.Name && u.Role == in.Role && u.Department == in.Department {
		return StaffResult{User: u}, nil
	}
	prev := u.Role
	u.Name, u.Role, u.Department, u.UpdatedAt = in.Name, in.Role, in.Department, now
	err = tx.WithContext(ctx).Model(&User{}).Where("id = ?", u.ID).
		Updates(map[string]any{"name": u.Name, "role": u.Role, "department": u.Department, "updated_at": now}).Error
	if err == nil {
		s.sessions.forget(u.ID)
		err = accountChanged(ctx, tx, u.ID, now)
	}
	return StaffResult{User: u, Changed: true, PrevRole: prev}, err
}

// activationCode checks a one-time activation code inside tx: it returns
// the pending account, or sets *fail (a wrong code counts as an attempt).
func (s *Service) activationCode(ctx context.Context, tx *gorm.DB, phone, code string, now time.Time, fail *error) (User, error) {
	u, err := userByPhone(ctx, tx, phone)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && u.Status != StatusPending) {
		*fail = errBadActivation
		return u, nil
	}
	if err != nil {
		return u, err
	}
	var ac activationCode
	if err := tx.Where("user_id = ?", u.ID).Take(&ac).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			*fail = errBadActivation
			return u, nil
		}
		return u, err
	}
	if !now.Before(ac.ExpiresAt) || ac.Attempts >= MaxCodeAttempts || ac.CodeHash != codeHash(fmt.Sprint(u.ID), normalizeCode(code)) {
		*fail = errBadActivation
		return u, tx.Model(&activationCode{}).Where("user_id = ?", u.ID).Update("attempts", gorm.Expr("attempts + 1")).Error
	}
	return u, nil
}

type activationCode struct {
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	CodeHash  string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// codeAlphabet leaves out look-alikes (0/O, 1/I/L) because codes are read
// off paper.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func issueActivation(ctx context.Context, tx *gorm.DB, userID uint64, now time.Time) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	code := string(b)
	ac := activationCode{UserID: userID, CodeHash: codeHash(fmt.Sprint(userID), code), CreatedAt: now, ExpiresAt: now.Add(ActivationLifetime)}
	err := tx.WithContext(ctx).Where("user_id = ?", userID).Delete(&activationCode{}).Error
	if err == nil {
		err = tx.WithContext(ctx).Create(&ac).Error
	}
	return code, err
}

// ActivateInput is the /activate form.
type ActivateInput struct {
	Phone, Code, Password, IP, UserAgent string
}

var errBadActivation = apperr.Invalid("code", "手机号或激活码不正确，或激活码已过期，请向学校办公室索取新的激活码")

// Activate sets the password of a pending account with its one-time code
// and logs it in. Five wrong codes spend the code.
func (s *Service) Activate(ctx context.Context, in ActivateInput) (User, string, error) {
	v := &apperr.ValidationError{}
	phone, ok := NormalizePhone(in.Phone)
	if !ok {
		v.Add("phone", msgPhone)
	}
	if len(in.Code) == 0 {
		v.Add("code", "请输入激活码")
	}
	if !validPassword(in.Password) {
		v.Add("password", msgPassword)
	}
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	now := s.now()
	var u User
	var fail error
	// The code first: checking it is cheap and hashing the password is not.
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		u, err = s.activationCode(ctx, tx, phone, in.Code, now, &fail)
		return err
	})
	if err != nil {
		return User{}, "", fmt.Errorf("auth: activate: %w", err)
	}
	if fail != nil {
		return User{}, "", fail
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return User{}, "", err
	}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		// Again: another request may have used the code meanwhile.
		if u, err = s.activationCode(ctx, tx, phone, in.Code, now, &fail); err != nil || fail != nil {
			return err
		}
		res := tx.Model(&User{}).Where("id = ? AND status = ?", u.ID, StatusPending).
			Updates(map[string]any{"password_hash": hash, "status": StatusActive, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // activated by a request that got here first
			fail = errBadActivation
			return nil
		}
		u.Status = StatusActive
		if err := tx.Where("user_id = ?", u.ID).Delete(&activationCode{}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &u.ID, Action: "user.activate", Subject: fmt.Sprintf("user:%d", u.ID), IP: in.IP, CreatedAt: now})
	})
	if err != nil {
		return User{}, "", fmt.Errorf("auth: activate: %w", err)
	}
	if fail != nil {
		return User{}, "", fail
	}
	token, err := s.openSession(ctx, u.ID, in.IP, in.UserAgent, "")
	return u, token, err
}

func normalizeCode(c string) string {
	out := make([]byte, 0, len(c))
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch != ' ' && ch != '-' {
			out = append(out, ch)
		}
	}
	return string(out)
}

// SetStatus changes an account's status inside tx; leaving active ends
// every session of the account at once.
func (s *Service) SetStatus(ctx context.Context, tx *gorm.DB, userID uint64, st Status) error {
	now := s.now()
	if err := tx.WithContext(ctx).Model(&User{}).Where("id = ?", userID).
		Updates(map[string]any{"status": st, "updated_at": now}).Error; err != nil {
		return err
	}
	s.sessions.forget(userID)
	if st != StatusActive {
		if err := tx.WithContext(ctx).Where("user_id = ?", userID).Delete(&Session{}).Error; err != nil {
			return err
		}
	}
	return accountChanged(ctx, tx, userID, now)
}

// SetRole changes an account's role inside tx; the account's cached
// sessions learn it at once.
func (s *Service) SetRole(ctx context.Context, tx *gorm.DB, userID uint64, role Role) error {
	now := s.now()
	if err := tx.WithContext(ctx).Model(&User{}).Where("id = ?", userID).
		Updates(map[string]any{"role": role, "updated_at": now}).Error; err != nil {
		return err
	}
	s.sessions.forget(userID)
	return accountChanged(ctx, tx, userID, now)
}

// ErrNotAdmin refuses the list of accounts to anyone but an admin.
var ErrNotAdmin = apperr.New(apperr.ErrForbidden, "只有学校管理员可以查看用户列表")

// Users returns accounts, staff first then by name, optionally filtered by
// role, to admins only.
func (s *Service) Users(ctx context.Context, actor *User, role Role, limit int) ([]User, error) {
	if !actor.IsAdmin() {
		return nil, ErrNotAdmin
	}
	q := s.db.WithContext(ctx).Order("CASE role WHEN 'admin' THEN 0 WHEN 'teacher' THEN 1 ELSE 2 END, name, id").Limit(limit)
	if role != "" {
		q = q.Where("role = ?", role)
	}
	var out []User
	return out, q.Find(&out).Error
}
