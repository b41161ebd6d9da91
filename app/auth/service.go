package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/notify"
)

// Service is the auth domain's API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	log      *slog.Logger
	sessions *sessionCache
	slots    chan struct{} // password hashing in progress (see hashing.go)
	cost     Cost
	dummy    string // a hash at cost, for unknown phones
}

// Options configure NewService.
type Options struct {
	DB  *gorm.DB
	Now func() time.Time // defaults to time.Now
	Log *slog.Logger
	// Cost of hashing a password (zero: DefaultCost). Tests that log in
	// often lower it; the tests of the hashing budgets keep the default.
	Cost Cost
}

// NewService returns the auth service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Cost == (Cost{}) {
		o.Cost = DefaultCost
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, log: o.Log, sessions: newSessionCache(),
		slots: make(chan struct{}, hashSlots), cost: o.Cost, dummy: dummyHash(o.Cost)}
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Phone      string
	Name       string
	Role       Role
	Password   string
	Department string
	// ActorID is the admin creating the account, nil from the command line.
	ActorID *uint64
}

// CreateUser validates and creates an active account.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	v := &apperr.ValidationError{}
	phone, ok := NormalizePhone(in.Phone)
	if !ok {
		v.Add("phone", msgPhone)
	}
	name, ok := NormalizeName(in.Name)
	if !ok {
		v.Add("name", msgName)
	}
	if !in.Role.Valid() {
		v.Add("role", msgRole)
	}
	if !validPassword(in.Password) {
		v.Add("password", msgPassword)
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	u := User{Phone: phone, Name: name, Role: in.Role, Status: StatusActive, PasswordHash: hash, Department: in.Department}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := insertUser(ctx, tx, &u, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: in.ActorID, Action: "user.create", Subject: fmt.Sprintf("user:%d", u.ID),
			Detail: fmt.Sprintf("role=%s", u.Role), CreatedAt: s.now()})
	})
	if err != nil {
		return User{}, fmt.Errorf("auth: create user: %w", err)
	}
	return u, nil
}

// User returns the account with the given id.
func (s *Service) User(ctx context.Context, id uint64) (User, error) {
	return userByID(ctx, s.db, id)
}

// UserByPhone returns the account with the (normalized) phone.
func (s *Service) UserByPhone(ctx context.Context, phone string) (User, error) {
	p, _ := NormalizePhone(phone)
	return userByPhone(ctx, s.db, p)
}

// LoginInput is what the login form sends plus where it came from.
type LoginInput struct {
	Phone, Password, IP, UserAgent string
	// OldToken is the session cookie presented with the login, if any; it is
	// revoked so a fixed session id never survives a login.
	OldToken string
}

// Login checks the credentials, applies the throttles, and on success opens
// a new session and returns its cookie token.
func (s *Service) Login(ctx context.Context, in LoginInput) (User, string, error) {
	now := s.now()
	phone, ok := NormalizePhone(in.Phone)
	if !ok {
		phone = in.Phone
	}
	// The attempt is recorded as a failure before it is judged, and counted
	// with the others: of many parallel attempts only those within the
	// limits get a password check, and a success clears the record.
	if err := recordFailure(ctx, s.db, phone, in.IP, now); err != nil {
		return User{}, "", fmt.Errorf("auth: login: %w", err)
	}
	c, err := countFailures(ctx, s.db, phone, in.IP, now.Add(-FailureWindow))
	if err != nil {
		return User{}, "", fmt.Errorf("auth: login: %w", err)
	}
	if c.PhoneIP > MaxPhoneFailures || c.Phone > MaxPhoneFailuresAnyIP || c.IP > MaxIPFailures {
		return User{}, "", ErrThrottled
	}
	u, err := userByPhone(ctx, s.db, phone)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return User{}, "", fmt.Errorf("auth: login: %w", err)
	}
	hash := s.dummy
	if err == nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	match := false
	if len(in.Password) <= 128 { // no password is longer (validPassword); do not hash megabytes
		var cerr error
		if match, cerr = s.check(ctx, hash, in.Password); cerr != nil {
			return User{}, "", cerr
		}
	}
	if !match || err != nil || u.PasswordHash == "" {
		return User{}, "", ErrBadCredentials // its failure is already recorded
	}
	switch u.Status {
	case StatusActive:
	case StatusPending:
		return User{}, "", ErrNotActivated
	case StatusClosed:
		return User{}, "", ErrClosed
	default:
		return User{}, "", ErrInactive
	}
	token, err := s.openSession(ctx, u.ID, in.IP, in.UserAgent, in.OldToken)
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

func (s *Service) openSession(ctx context.Context, userID uint64, ip, ua, oldToken string) (string, error) {
	now := s.now()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if len(ua) > 255 {
		ua = ua[:255]
	}
	sess := Session{ID: tokenID(token), UserID: userID, IP: ip, UserAgent: ua, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionLifetime)}
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if oldToken != "" {
			if err := deleteSession(ctx, tx, tokenID(oldToken)); err != nil {
				return err
			}
		}
		if err := clearFailures(ctx, tx, userID); err != nil {
			return err
		}
		return tx.Create(&sess).Error
	})
	if err != nil {
		return "", fmt.Errorf("auth: open session: %w", err)
	}
	if oldToken != "" {
		s.sessions.drop(tokenID(oldToken))
	}
	return token, nil
}

// Authenticate returns the active user behind a session token, extending
// the session when it is past half its life. A departed or disabled account
// loses its sessions at once. Sessions are kept in memory for a short
// while (see sessionCache); every change that ends a session or alters an
// account publishes an account event by which each instance forgets it.
func (s *Service) Authenticate(ctx context.Context, token string) (User, error) {
	if token == "" {
		return User{}, ErrNoSession
	}
	now := s.now()
	id := tokenID(token)
	sess, u, cached := s.sessions.get(id)
	if !cached {
		gen := s.sessions.generation()
		var err error
		sess, u, err = sessionUser(ctx, s.db, id)
		if errors.Is(err, apperr.ErrNotFound) {
			return User{}, ErrNoSession
		}
		if err != nil {
			return User{}, fmt.Errorf("auth: authenticate: %w", err)
		}
		s.sessions.put(sess, u, gen)
	}
	if !now.Before(sess.ExpiresAt) || u.Status != StatusActive {
		s.sessions.drop(id)
		_ = deleteSession(ctx, s.db.WithContext(ctx), id)
		return User{}, ErrNoSession
	}
	if sess.ExpiresAt.Sub(now) < SessionLifetime/2 || now.Sub(sess.LastSeenAt) > time.Hour {
		s.sessions.drop(id) // the next request reads the extended session
		if err := touchSession(ctx, s.db, id, now, now.Add(SessionLifetime)); err != nil {
			s.log.Warn("auth: extend session", "err", err)
		}
	}
	return u, nil
}

// Logout ends the session of token, here and on every instance.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	id := tokenID(token)
	defer s.sessions.drop(id)
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var sess Session
		if err := tx.Where("id = ?", id).Take(&sess).Error; err != nil {
			return db.Translate(err)
		}
		if err := deleteSession(ctx, tx, id); err != nil {
			return err
		}
		return accountChanged(ctx, tx, sess.UserID, s.now())
	})
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // already gone
	}
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}

// ForgetUser drops every cached session of a user; each instance calls it
// when it reads an account event.
func (s *Service) ForgetUser(userID uint64) { s.sessions.forget(userID) }

// accountChanged publishes the account event through tx (the change's own
// transaction): every instance forgets the user's cached sessions and the
// user's open pages check their session again.
func accountChanged(ctx context.Context, tx *gorm.DB, userID uint64, now time.Time) error {
	return event.Publish(ctx, tx, now, event.Event{UserID: userID, Kind: event.Account})
}

// Cleanup deletes expired sessions, old login failures and old codes.
func (s *Service) Cleanup(ctx context.Context) error {
	return cleanup(ctx, s.db, s.now())
}

// SendRegisterCode sends a 6-digit code to phone for self-registration:
// one a minute and MaxCodesPerDay a day per phone, MaxCodesPerIPHour an
// hour per IP.
func (s *Service) SendRegisterCode(ctx context.Context, phoneIn, ip string) error {
	phone, ok := NormalizePhone(phoneIn)
	if !ok {
		return apperr.Invalid("phone", msgPhone)
	}
	if u, err := userByPhone(ctx, s.db, phone); err == nil {
		return phoneTaken(u)
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	now := s.now()
	last, today, err := codeStats(ctx, s.db, phone, purposeRegister, now.Add(-24*time.Hour))
	if err != nil {
		return fmt.Errorf("auth: send code: %w", err)
	}
	if now.Sub(last) < CodeResendAfter || today >= MaxCodesPerDay {
		return ErrCodeTooSoon
	}
	var fromIP int64
	if err := s.db.WithContext(ctx).Model(&verificationCode{}).Where("ip = ? AND created_at > ?", ip, now.Add(-time.Hour)).Count(&fromIP).Error; err != nil {
		return err
	}
	if fromIP >= MaxCodesPerIPHour {
		return ErrCodeTooSoon
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	vc := verificationCode{Phone: phone, Purpose: purposeRegister, CodeHash: codeHash(phone, code), IP: ip, CreatedAt: now, ExpiresAt: now.Add(CodeLifetime)}
	msg := notify.Message{Phone: phone, Kind: "register_code", Text: fmt.Sprintf("【家校】您的注册验证码是 %s,%d 分钟内有效。如非本人操作请忽略。", code, int(CodeLifetime/time.Minute))}
	// The code and its message are one change: the outbox sends it once
	// the code is stored.
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&vc).Error; err != nil {
			return err
		}
		return notify.Queue(ctx, tx, now, msg)
	})
	if err != nil {
		return fmt.Errorf("auth: send code: %w", err)
	}
	return nil
}

// RegisterInput is the parent self-registration form.
type RegisterInput struct {
	Phone, Name, Password, Code, IP, UserAgent string
	// Consent records, in the transaction that creates the account, that
	// the parent agreed to the privacy notice. Nil: they did not tick the
	// box, and registration is refused (field "consent").
	Consent func(ctx context.Context, tx *gorm.DB, userID uint64) error
}

// msgConsent is the message beside an unticked consent box.
const msgConsent = "请阅读并勾选同意《隐私政策》和《儿童个人信息保护规则》后再注册"

// Register creates a parent account after checking the code sent to the
// phone, and opens a session for it.
func (s *Service) Register(ctx context.Context, in RegisterInput) (User, string, error) {
	v := &apperr.ValidationError{}
	phone, ok := NormalizePhone(in.Phone)
	if !ok {
		v.Add("phone", msgPhone)
	}
	name, ok := NormalizeName(in.Name)
	if !ok {
		v.Add("name", msgName)
	}
	if !validPassword(in.Password) {
		v.Add("password", msgPassword)
	}
	if len(in.Code) != 6 {
		v.Add("code", "请输入6位验证码")
	}
	if in.Consent == nil {
		v.Add("consent", msgConsent)
	}
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	now := s.now()
	// The code first: checking it is cheap and hashing the password is
	// not, so a wrong or missing code costs the server nothing.
	var codeErr error
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		_, err := s.registerCode(ctx, tx, phone, in.Code, now, &codeErr)
		return err
	})
	if err != nil {
		return User{}, "", fmt.Errorf("auth: register: %w", err)
	}
	if codeErr != nil {
		return User{}, "", codeErr
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return User{}, "", err
	}
	u := User{Phone: phone, Name: name, Role: RoleParent, Status: StatusActive, PasswordHash: hash}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		// Again, and used up here: another request may have used it meanwhile.
		vc, err := s.registerCode(ctx, tx, phone, in.Code, now, &codeErr)
		if err != nil || codeErr != nil {
			return err
		}
		res := tx.Model(&vc).Where("used_at IS NULL").Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			codeErr = apperr.Invalid("code", "验证码已失效，请重新获取")
			return nil
		}
		if err := insertUser(ctx, tx, &u, s.now()); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				codeErr = apperr.Invalid("phone", "该手机号已注册，请直接登录")
				if other, err := userByPhone(ctx, tx, phone); err == nil {
					codeErr = phoneTaken(other)
				}
				return errRollback
			}
			return err
		}
		if err := in.Consent(ctx, tx, u.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &u.ID, Action: "user.register", Subject: fmt.Sprintf("user:%d", u.ID), IP: in.IP, CreatedAt: now})
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	if err != nil {
		return User{}, "", fmt.Errorf("auth: register: %w", err)
	}
	if codeErr != nil {
		return User{}, "", codeErr
	}
	token, err := s.openSession(ctx, u.ID, in.IP, in.UserAgent, "")
	return u, token, err
}

var errRollback = errors.New("rollback")

// registerCode checks a registration code inside tx: it returns the code's
// row, or sets *codeErr to the reason it is refused (a wrong code counts
// as an attempt).
func (s *Service) registerCode(ctx context.Context, tx *gorm.DB, phone, code string, now time.Time, codeErr *error) (verificationCode, error) {
	vc, err := latestCode(ctx, tx, phone, purposeRegister)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		*codeErr = apperr.Invalid("code", "请先获取验证码")
	case err != nil:
		return vc, err
	case vc.UsedAt != nil || !now.Before(vc.ExpiresAt) || vc.Attempts >= MaxCodeAttempts:
		*codeErr = apperr.Invalid("code", "验证码已失效，请重新获取")
	case vc.CodeHash != codeHash(phone, code):
		*codeErr = apperr.Invalid("code", "验证码错误")
		return vc, tx.Model(&vc).Update("attempts", gorm.Expr("attempts + 1")).Error
	}
	return vc, nil
}

func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func codeHash(phone, code string) string {
	sum := sha256.Sum256([]byte(phone + ":" + code))
	return hex.EncodeToString(sum[:])
}
