package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/event"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/services"
	"jiaxiao/app/web"
)

type sink struct {
	mu    sync.Mutex
	msgs  []notify.Message
	delay time.Duration // a slow gateway: each Send takes this long
}

func (s *sink) Send(ctx context.Context, m notify.Message) error {
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	return nil
}

func (s *sink) slow(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// wait returns the first message, waiting for the outbox to send it.
func (s *sink) wait(t *testing.T) notify.Message {
	t.Helper()
	waitForWithin(t, "the outbox to send a message", 5*time.Second, func() bool { return s.count() > 0 })
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.msgs[0]
}

type app struct {
	*httptest.Server
	auth  *auth.Service
	sent  *sink
	world *apptest.World
	hub   *event.Hub
}

func newApp(t *testing.T, g *gorm.DB) *app {
	t.Helper()
	return newAppWith(t, g, nil)
}

// newAppWith is newApp with a change to the web layer's options.
func newAppWith(t *testing.T, g *gorm.DB, change func(*web.Options)) *app {
	t.Helper()
	s := &sink{}
	w := apptest.NewWorld(t, g)
	// Sessions on the real clock: the browser's cookies are.
	w.Auth = auth.NewService(auth.Options{DB: g, Log: apptest.Logger(), Cost: apptest.FastHashing})
	// The school service changes accounts through the same auth service
	// the pages use, as in serve.
	w.School = school.NewService(school.Options{DB: g, Now: w.Clock.Now, Groups: w.Groups, Accounts: w.Auth, Log: apptest.Logger()})
	// Closing an account ends its sessions on the pages' auth service too.
	w.Erasure = w.ErasureFor(w.Auth)
	// The hub and the outbox as serve runs them (jobs run when a test says).
	bg := w.Background(services.BackgroundOptions{Sender: s, Poll: 20 * time.Millisecond, WorkerNow: time.Now})
	ctx, cancel := context.WithCancel(context.Background())
	wait := services.Start(ctx, bg.Hub, bg.Outbox)
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	o := web.OptionsFor(w.Services, bg.Hub)
	o.Metrics = prometheus.NewRegistry()
	if change != nil {
		change(&o)
	}
	srv := httptest.NewServer(web.New(o))
	t.Cleanup(func() { cancel(); srv.Close(); wait() })
	return &app{Server: srv, auth: w.Auth, sent: s, world: w, hub: bg.Hub}
}

func (a *app) user(t *testing.T, role auth.Role, name, phone string) auth.User {
	t.Helper()
	u, err := a.auth.CreateUser(context.Background(), auth.NewUser{Phone: phone, Name: name, Role: role, Password: "secret-123"})
	if err != nil {
		t.Fatal(err)
	}
	if role == auth.RoleParent { // as registering does
		if err := a.world.Privacy.AgreeAll(context.Background(), []uint64{u.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		a := newApp(t, g)
		a.user(t, auth.RoleTeacher, "王老师", "13800138000")
		c := apptest.NewClient(t, a.URL)

		r := c.Get("/login")
		if r.StatusCode != 200 || !strings.Contains(r.Doc.Find("title").Text(), "登录") || r.Doc.Find("html").AttrOr("lang", "") != "zh-CN" {
			t.Fatalf("login page: %d %q", r.StatusCode, r.Doc.Find("title").Text())
		}
		// Wrong password: 401, the phone stays in the box, the reason is shown.
		r = c.Post("/login", url.Values{"phone": {"13800138000"}, "password": {"nope-nope"}})
		if r.StatusCode != http.StatusUnauthorized || r.InputValue("phone") != "13800138000" || r.TestID("alert-error") != "手机号或密码错误" {
			t.Fatalf("wrong password: %d phone=%q alert=%q", r.StatusCode, r.InputValue("phone"), r.TestID("alert-error"))
		}
		before := c.Cookie("jx_csrf")
		r = c.Post("/login", url.Values{"phone": {"13800138000"}, "password": {"secret-123"}})
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/" {
			t.Fatalf("login: %d %q", r.StatusCode, r.Location())
		}
		if c.Cookie("jx_session") == "" || c.Cookie("jx_csrf") == before {
			t.Fatal("login must set a session and rotate the CSRF token")
		}
		r = c.Get("/")
		if r.StatusCode != 200 || r.TestID("current-user") != "王老师(教师)" {
			t.Fatalf("home: %d %q", r.StatusCode, r.TestID("current-user"))
		}
		r = c.Post("/logout", nil)
		if r.StatusCode != http.StatusSeeOther || r.Location() != "/login" {
			t.Fatalf("logout: %d %q", r.StatusCode, r.Location())
		}
		if r = c.Get("/"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("home after logout: %d", r.StatusCode)
		}
	})
}

func TestLoginRotatesSession(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	a.user(t, auth.RoleParent, "张伟", "13900139000")
	c := apptest.NewClient(t, a.URL)
	c.Login("13900139000", "secret-123")
	first := c.Cookie("jx_session")
	c.Login("13900139000", "secret-123")
	if c.Cookie("jx_session") == first {
		t.Fatal("session id not rotated at login")
	}
	// The old session no longer works.
	old := apptest.NewClient(t, a.URL)
	u, _ := url.Parse(a.URL)
	old.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "jx_session", Value: first}})
	if r := old.Get("/"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session still valid: %d", r.StatusCode)
	}
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	a.user(t, auth.RoleParent, "张伟", "13900139000")
	c := apptest.NewClient(t, a.URL)
	c.Get("/login")
	for i := 0; i < 5; i++ {
		if r := c.Post("/login", url.Values{"phone": {"13900139000"}, "password": {"wrong-pass"}}); r.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
		}
	}
	r := c.Post("/login", url.Values{"phone": {"13900139000"}, "password": {"secret-123"}})
	if r.StatusCode != http.StatusTooManyRequests || r.InputValue("phone") != "13900139000" || !strings.Contains(r.TestID("alert-error"), "15分钟") {
		t.Fatalf("sixth attempt: %d %q", r.StatusCode, r.TestID("alert-error"))
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	a.user(t, auth.RoleParent, "张伟", "13900139000")
	c := apptest.NewClient(t, a.URL)
	c.Get("/login")
	for name, form := range map[string]url.Values{
		"missing": {"phone": {"13900139000"}, "password": {"secret-123"}, "_csrf": {""}},
		"wrong":   {"phone": {"13900139000"}, "password": {"secret-123"}, "_csrf": {strings.Repeat("x", 43)}},
	} {
		if r := c.Post("/login", form); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: %d", name, r.StatusCode)
		}
	}
	// The header works as well as the field.
	form := url.Values{"phone": {"13900139000"}, "password": {"secret-123"}, "_csrf": {""}}
	if r := c.Post("/login", form, "X-CSRF-Token", c.CSRF); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("header token: %d", r.StatusCode)
	}
	c.Get("/")
	if r := c.Post("/logout", url.Values{"_csrf": {""}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without token: %d", r.StatusCode)
	}
}

func TestAnonymous(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	c := apptest.NewClient(t, a.URL)
	r := c.Get("/")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
		t.Fatalf("page: %d %q", r.StatusCode, r.Location())
	}
	if r = c.Get("/", "HX-Request", "true"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("htmx: %d", r.StatusCode)
	}
	if r = c.Get("/no/such/page"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "页面不存在") {
		t.Fatalf("404: %d", r.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	r := apptest.NewClient(t, a.URL).Get("/login")
	h := r.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
		t.Errorf("headers %v", h)
	}
	// No inline script anywhere on the page.
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]+</script>`).MatchString(r.Body) || strings.Contains(r.Body, " onclick=") {
		t.Error("inline script on the login page")
	}
	ck := r.Header.Values("Set-Cookie")
	if len(ck) == 0 || !strings.Contains(ck[0], "HttpOnly") || !strings.Contains(ck[0], "SameSite=Lax") {
		t.Errorf("cookie %v", ck)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		a := newApp(t, g)
		c := apptest.NewClient(t, a.URL)
		c.Get("/register")
		r := c.Post("/register/code", url.Values{"phone": {"1360013"}, "name": {"赵丽"}})
		if r.StatusCode != http.StatusUnprocessableEntity || r.InputValue("name") != "赵丽" || r.TestID("field-error") == "" {
			t.Fatalf("bad phone: %d", r.StatusCode)
		}
		r = c.Post("/register/code", url.Values{"phone": {"13600136000"}, "name": {"赵丽"}})
		if r.StatusCode != 303 {
			t.Fatalf("send code: %d", r.StatusCode)
		}
		if r = c.Get(r.Location()); r.TestID("alert-ok") == "" || r.InputValue("name") != "赵丽" || r.InputValue("phone") != "13600136000" {
			t.Fatalf("after sending the code: %q %q", r.TestID("alert-ok"), r.InputValue("name"))
		}
		code := regexp.MustCompile(`\d{6}`).FindString(a.sent.wait(t).Text)
		// A bad name keeps every field but the password.
		r = c.Post("/register", url.Values{"phone": {"13600136000"}, "name": {"赵"}, "password": {"parent-123"}, "code": {code}})
		if r.StatusCode != http.StatusUnprocessableEntity || r.InputValue("code") != code || r.InputValue("password") != "" {
			t.Fatalf("bad name: %d", r.StatusCode)
		}
		r = c.Post("/register", url.Values{"phone": {"13600136000"}, "name": {"赵丽"}, "password": {"parent-123"}, "code": {code}, "consent": {"1"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("register: %d %s", r.StatusCode, r.Body)
		}
		if r = c.Get("/"); r.TestID("current-user") != "赵丽(家长)" {
			t.Fatalf("after register: %q", r.TestID("current-user"))
		}
	})
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	a.user(t, auth.RoleParent, "张伟", "13900139000")
	a.user(t, auth.RoleAdmin, "王建国", "13800138001")
	c := apptest.NewClient(t, a.URL)
	if r := c.Get("/healthz"); r.StatusCode != 200 {
		t.Fatalf("healthz %d", r.StatusCode)
	}
	if r := c.Get("/readyz"); r.StatusCode != 200 || !strings.Contains(r.Body, "database: ok") {
		t.Fatalf("readyz %d %s", r.StatusCode, r.Body)
	}
	c.Get("/login")
	admin := apptest.NewClient(t, a.URL)
	admin.Login("13800138001", "secret-123")
	parent := apptest.NewClient(t, a.URL)
	parent.Login("13900139000", "secret-123")
	// On loopback anyone sees metrics and the profiler; through a proxy,
	// only admins.
	proxied := []string{"X-Forwarded-For", "203.0.113.9"}
	for path, want := range map[string]string{
		"/metrics":                  "jiaxiao_http_request_duration_seconds",
		"/debug/pprof/":             "goroutine",
		"/debug/pprof/heap?debug=1": "heap profile",
	} {
		if r := c.Get(path); r.StatusCode != 200 || !strings.Contains(r.Body, want) {
			t.Fatalf("%s on loopback: %d", path, r.StatusCode)
		}
		if r := c.Get(path, proxied...); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s anonymous via proxy: %d", path, r.StatusCode)
		}
		if r := parent.Get(path, proxied...); r.StatusCode != http.StatusForbidden {
			t.Fatalf("%s parent via proxy: %d", path, r.StatusCode)
		}
		if r := admin.Get(path, proxied...); r.StatusCode != 200 || !strings.Contains(r.Body, want) {
			t.Fatalf("%s admin via proxy: %d", path, r.StatusCode)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	t.Parallel()
	a := newApp(t, apptest.SQLite(t))
	c := apptest.NewClient(t, a.URL)
	r := c.Get("/login")
	var srcs []string
	r.Doc.Find("script[src], link[rel=stylesheet]").Each(func(_ int, s *goquery.Selection) {
		if v, ok := s.Attr("src"); ok {
			srcs = append(srcs, v)
		}
		if v, ok := s.Attr("href"); ok {
			srcs = append(srcs, v)
		}
	})
	if len(srcs) != 5 {
		t.Fatalf("assets %v", srcs)
	}
	for _, src := range srcs {
		resp, err := http.Get(a.URL + src)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q", src, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
}
