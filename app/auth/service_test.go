package auth_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/job"
	"jiaxiao/app/notify"
)

// captureSender keeps what the outbox sends; lastCode first runs the
// outbox, as a serve process's worker would after the code's commit.
type captureSender struct {
	mu   sync.Mutex
	sent []notify.Message
	db   *gorm.DB
}

func (c *captureSender) Send(_ context.Context, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return nil
}

func (c *captureSender) lastCode(t *testing.T) string {
	w := job.NewWorker(job.WorkerOptions{DB: c.db, Log: apptest.Logger(), Handlers: map[string]job.Handler{notify.JobSend: notify.Outbox{Sender: c}.Deliver}})
	if _, err := w.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sent) == 0 {
		t.Fatal("no message sent")
	}
	m := regexp.MustCompile(`\d{6}`).FindString(c.sent[len(c.sent)-1].Text)
	if m == "" {
		t.Fatalf("no code in %q", c.sent[len(c.sent)-1].Text)
	}
	return m
}

func newService(g *gorm.DB) (*auth.Service, *apptest.Clock, *captureSender) {
	clock := apptest.NewClock(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
	sender := &captureSender{db: g}
	return auth.NewService(auth.Options{DB: g, Now: clock.Now, Log: apptest.Logger()}), clock, sender
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		s, _, _ := newService(g)
		u, err := s.CreateUser(ctx, auth.NewUser{Phone: "138 0013 8000", Name: "王老师", Role: auth.RoleTeacher, Password: "secret-123"})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Phone != "13800138000" || u.Status != auth.StatusActive || u.PasswordHash == "secret-123" {
			t.Fatalf("created %+v", u)
		}
		_, err = s.CreateUser(ctx, auth.NewUser{Phone: "13800138000", Name: "李老师", Role: auth.RoleTeacher, Password: "secret-123"})
		if !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("duplicate phone: %v", err)
		}
		_, err = s.CreateUser(ctx, auth.NewUser{Phone: "123", Name: "x", Role: "boss", Password: "1"})
		v, ok := apperr.AsValidation(err)
		if !ok || len(v.Fields) != 4 {
			t.Fatalf("want four field errors, got %v", err)
		}
	})
}

func TestLoginLogoutAndRotation(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		s, clock, _ := newService(g)
		u, err := s.CreateUser(ctx, auth.NewUser{Phone: "13800138000", Name: "王老师", Role: auth.RoleTeacher, Password: "secret-123"})
		if err != nil {
			t.Fatal(err)
		}
		_, first, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Authenticate(ctx, first)
		if err != nil || got.ID != u.ID {
			t.Fatalf("authenticate: %+v %v", got, err)
		}
		// Logging in again with the old cookie rotates it away.
		_, second, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1", OldToken: first})
		if err != nil || second == first {
			t.Fatalf("second login: %v", err)
		}
		if _, err := s.Authenticate(ctx, first); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("old token still valid: %v", err)
		}
		if err := s.Logout(ctx, second); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, second); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("token valid after logout: %v", err)
		}
		// Sessions expire.
		_, third, _ := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1"})
		clock.Advance(auth.SessionLifetime + time.Second)
		if _, err := s.Authenticate(ctx, third); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("expired session accepted: %v", err)
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		s, clock, _ := newService(g)
		if _, err := s.CreateUser(ctx, auth.NewUser{Phone: "13800138000", Name: "王老师", Role: auth.RoleTeacher, Password: "secret-123"}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < auth.MaxPhoneFailures; i++ {
			_, _, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "wrong-pass", IP: "10.0.0.1"})
			if !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		// The sixth attempt from that address is refused even with the right password.
		_, _, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1"})
		if !errors.Is(err, apperr.ErrTooMany) {
			t.Fatalf("sixth attempt: %v", err)
		}
		// The owner of the phone, on their own device, is not locked out.
		if _, _, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.2"}); err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		for i := 0; i < auth.MaxPhoneFailures; i++ {
			_, _, _ = s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "wrong-pass", IP: "10.0.0.1"})
		}
		// Another phone behind the same school Wi-Fi is not affected.
		if _, err := s.CreateUser(ctx, auth.NewUser{Phone: "13900139000", Name: "李家长", Role: auth.RoleParent, Password: "secret-456"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, auth.LoginInput{Phone: "13900139000", Password: "secret-456", IP: "10.0.0.1"}); err != nil {
			t.Fatalf("other phone on the same IP: %v", err)
		}
		clock.Advance(auth.FailureWindow + time.Second)
		if _, _, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1"}); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestLoginUnknownAndInactive(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		s, _, _ := newService(g)
		if _, _, err := s.Login(ctx, auth.LoginInput{Phone: "13700137000", Password: "whatever-1", IP: "10.0.0.1"}); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("unknown phone: %v", err)
		}
		u, err := s.CreateUser(ctx, auth.NewUser{Phone: "13800138000", Name: "王老师", Role: auth.RoleTeacher, Password: "secret-123"})
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Model(&auth.User{}).Where("id = ?", u.ID).Update("status", auth.StatusDeparted).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("departed user's session still valid: %v", err)
		}
		if _, _, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1"}); !errors.Is(err, auth.ErrInactive) {
			t.Fatalf("departed login: %v", err)
		}
	})
}

func TestRegister(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		s, clock, sender := newService(g)
		if err := s.SendRegisterCode(ctx, "1380013", "10.0.0.9"); err == nil {
			t.Fatal("bad phone accepted")
		}
		if err := s.SendRegisterCode(ctx, "13600136000", "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		if err := s.SendRegisterCode(ctx, "13600136000", "10.0.0.9"); !errors.Is(err, apperr.ErrTooMany) {
			t.Fatalf("resend within a minute: %v", err)
		}
		code := sender.lastCode(t)
		in := auth.RegisterInput{Phone: "13600136000", Name: "张小明妈妈", Password: "parent-123", Code: code, IP: "10.0.0.9"}
		// Without the parent's consent to the privacy notice: refused
		// before the code is looked at, the box named.
		if _, _, err := s.Register(ctx, in); !hasField(err, "consent") {
			t.Fatalf("registered without consent: %v", err)
		}
		var consented uint64
		in.Consent = func(_ context.Context, tx *gorm.DB, id uint64) error { consented = id; return nil }
		in.Code = "000000"
		if code == "000000" {
			in.Code = "111111"
		}
		if _, _, err := s.Register(ctx, in); err == nil {
			t.Fatal("wrong code accepted")
		}
		in.Code = code
		clock.Advance(time.Minute)
		u, token, err := s.Register(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != auth.RoleParent || token == "" || consented != u.ID {
			t.Fatalf("registered %+v, consent recorded for %d", u, consented)
		}
		if _, _, err := s.Register(ctx, in); err == nil {
			t.Fatal("code used twice")
		}
		if err := s.SendRegisterCode(ctx, "13600136000", "10.0.0.9"); err == nil {
			t.Fatal("code sent for a registered phone")
		}
	})
}

func TestRegisterCodeExpires(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	ctx := context.Background()
	s, clock, sender := newService(g)
	if err := s.SendRegisterCode(ctx, "13600136000", "10.0.0.9"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(auth.CodeLifetime + time.Second)
	_, _, err := s.Register(ctx, auth.RegisterInput{Phone: "13600136000", Name: "张三", Password: "parent-123", Code: sender.lastCode(t),
		Consent: func(context.Context, *gorm.DB, uint64) error { return nil }})
	if v, ok := apperr.AsValidation(err); !ok || v.Fields["code"] == "" {
		t.Fatalf("expired code: %v", err)
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("正确的密码 123")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(h, "正确的密码 123") || auth.CheckPassword(h, "正确的密码 124") || auth.CheckPassword("garbage", "x") {
		t.Fatal("password check wrong")
	}
}

func TestRegisterCodeIPLimit(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	ctx := context.Background()
	s, clock, _ := newService(g)
	for i := 0; i < auth.MaxCodesPerIPHour; i++ {
		if err := s.SendRegisterCode(ctx, fmt.Sprintf("1360000%04d", i), "203.0.113.7"); err != nil {
			t.Fatalf("code %d: %v", i+1, err)
		}
	}
	if err := s.SendRegisterCode(ctx, "13700000001", "203.0.113.7"); !errors.Is(err, apperr.ErrTooMany) {
		t.Fatalf("over the IP limit: %v", err)
	}
	if err := s.SendRegisterCode(ctx, "13700000001", "198.51.100.1"); err != nil {
		t.Fatalf("another IP: %v", err)
	}
	clock.Advance(time.Hour + time.Second)
	if err := s.SendRegisterCode(ctx, "13700000002", "203.0.113.7"); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}

// TestSessionCacheAcrossInstances: each instance keeps sessions in memory.
// A logout or a departure takes effect at once on the instance that made
// it, and on another instance once it reads the account event published
// with the change (ForgetUser is what its hub calls).
func TestSessionCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		a, _, _ := newService(g)
		b, _, _ := newService(g)
		u, err := a.CreateUser(ctx, auth.NewUser{Phone: "13800138000", Name: "王老师", Role: auth.RoleTeacher, Password: "secret-123"})
		if err != nil {
			t.Fatal(err)
		}
		login := func() string {
			_, token, err := a.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			return token
		}
		accountEvents := func() int64 {
			var n int64
			g.Model(&event.Event{}).Where("kind = ? AND user_id = ?", event.Account, u.ID).Count(&n)
			return n
		}
		token := login()
		for _, s := range []*auth.Service{a, b} {
			if _, err := s.Authenticate(ctx, token); err != nil {
				t.Fatal(err)
			}
		}
		before := accountEvents()
		if err := a.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authenticate(ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("instance a after its own logout: %v", err)
		}
		// b answers from memory until it reads the event.
		if _, err := b.Authenticate(ctx, token); err != nil {
			t.Fatalf("instance b read the database, not its cache: %v", err)
		}
		if accountEvents() != before+1 {
			t.Fatal("logout published no account event")
		}
		b.ForgetUser(u.ID)
		if _, err := b.Authenticate(ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("instance b after the account event: %v", err)
		}
		// Logging out twice is harmless.
		if err := a.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}

		// A departure, made in a transaction of its own, the same way.
		token = login()
		for _, s := range []*auth.Service{a, b} {
			if _, err := s.Authenticate(ctx, token); err != nil {
				t.Fatal(err)
			}
		}
		before = accountEvents()
		if err := db.InTx(ctx, g, func(tx *gorm.DB) error { return a.SetStatus(ctx, tx, u.ID, auth.StatusDeparted) }); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authenticate(ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("departed user on instance a: %v", err)
		}
		if accountEvents() != before+1 {
			t.Fatal("departure published no account event")
		}
		b.ForgetUser(u.ID)
		if _, err := b.Authenticate(ctx, token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("departed user on instance b after the event: %v", err)
		}
	})
}

// TestLoginThrottleHoldsInParallel: many wrong passwords at once for one
// phone from one address get no more password checks than the limit.
func TestLoginThrottleHoldsInParallel(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		s, _, _ := newService(g)
		if _, err := s.CreateUser(ctx, auth.NewUser{Phone: "13800138000", Name: "王校长", Role: auth.RoleAdmin, Password: "secret-123"}); err != nil {
			t.Fatal(err)
		}
		const n = 40
		var wg sync.WaitGroup
		var checked, throttled atomic.Int32
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "wrong-pass", IP: "203.0.113.9"})
				switch {
				case errors.Is(err, auth.ErrBadCredentials):
					checked.Add(1)
				case errors.Is(err, auth.ErrThrottled):
					throttled.Add(1)
				default:
					t.Errorf("parallel attempt: %v", err)
				}
			}()
		}
		wg.Wait()
		if checked.Load() > auth.MaxPhoneFailures || checked.Load()+throttled.Load() != n {
			t.Fatalf("%d of %d parallel wrong passwords were checked (limit %d), %d throttled", checked.Load(), n, auth.MaxPhoneFailures, throttled.Load())
		}
		// The principal, elsewhere, still logs in.
		if _, _, err := s.Login(ctx, auth.LoginInput{Phone: "13800138000", Password: "secret-123", IP: "10.1.1.1"}); err != nil {
			t.Fatalf("the principal after someone else's attack: %v", err)
		}
	})
}

// hasField says err is a validation error with a message for field.
func hasField(err error, field string) bool {
	v, ok := apperr.AsValidation(err)
	return ok && v.Fields[field] != ""
}
