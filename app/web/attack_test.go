package web_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/web"

	"gorm.io/gorm"
)

// heapRise runs f and returns how far the live heap rose above where it
// was before, sampled every millisecond through runtime/metrics (which
// does not stop the world).
func heapRise(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		top := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			top = max(top, read())
			select {
			case <-done:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	return <-peak - base
}

// TestAnonymousRegistrationFloodIsCheap: hundreds of registrations and
// activations with wrong codes, all at once and without an account, are
// refused quickly and hash no password: the heap stays small (each
// argon2id hash would take 32 MiB).
func TestAnonymousRegistrationFloodIsCheap(t *testing.T) {
	g := apptest.SQLite(t)
	// Hashing at its real cost: the test is that none happens.
	a := newAppWith(t, g, func(o *web.Options) { o.Auth = auth.NewService(auth.Options{DB: g, Log: apptest.Logger()}) })
	c := apptest.NewClient(t, a.URL)
	c.Get("/register")
	token, cookie := c.CSRF, c.Cookie("jx_csrf")
	const n = 300
	start := time.Now()
	var wg sync.WaitGroup
	statuses := make([]int, 2*n)
	peak := heapRise(func() {
		for i := range 2 * n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				form := url.Values{"_csrf": {token}, "phone": {fmt.Sprintf("139%08d", i)}, "password": {"a-strong-password-2026"}}
				path := "/register"
				if i%2 == 0 {
					form.Set("name", "张伟")
					form.Set("code", "123456") // never sent
				} else {
					path = "/activate"
					form.Set("code", "WRONG123")
				}
				req, _ := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Cookie", "jx_csrf="+cookie)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}()
		}
		wg.Wait()
	})
	elapsed := time.Since(start)
	for i, st := range statuses {
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("request %d: %d, want 422", i, st)
		}
	}
	t.Logf("%d requests in %v, heap peak +%d MiB", 2*n, elapsed, peak>>20)
	if peak > 128<<20 {
		t.Fatalf("heap grew by %d MiB: passwords were hashed before the codes were checked", peak>>20)
	}
	if elapsed > 20*time.Second {
		t.Fatalf("%d refused requests took %v", 2*n, elapsed)
	}
}

// TestAnonymousBodiesAreSmall: without an account nobody sends more than
// a login form. A large body is refused before anything parses it, with
// or without a declared length, and a logged-in user's ordinary form
// still goes through.
func TestAnonymousBodiesAreSmall(t *testing.T) {
	a := newApp(t, apptest.SQLite(t))
	c := apptest.NewClient(t, a.URL)
	c.Get("/login")
	big := "--x\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + c.CSRF + "\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n" +
		strings.Repeat("A", 8<<20) + "\r\n--x--\r\n"
	post := func(chunked bool) int {
		t.Helper()
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(strings.NewReader(big)) // no length: sent chunked
		}
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/login", body)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Cookie", "jx_csrf="+c.Cookie("jx_csrf"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0 // the server may close the connection on a refused body
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var declared, chunked int
	peak := heapRise(func() { declared, chunked = post(false), post(true) })
	if declared != http.StatusRequestEntityTooLarge {
		t.Fatalf("8 MB declared: %d, want 413", declared)
	}
	if chunked != http.StatusForbidden && chunked != 0 {
		t.Fatalf("8 MB chunked: %d, want 403 (cut off before the token)", chunked)
	}
	if peak > 16<<20 {
		t.Fatalf("heap grew by %d MiB for two refused anonymous bodies", peak>>20)
	}
	a.user(t, auth.RoleParent, "张伟", "13900139000")
	c.Login("13900139000", "secret-123")
	if r := c.Post("/notifications/read", url.Values{"note": {strings.Repeat("字", 30000)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a logged-in user's 90 KB form: %d", r.StatusCode)
	}
}

// TestSlowSenderFreezesNothing: with an SMS gateway that takes seconds
// for every message, a DING to a whole class answers at once and, while
// the outbox is still sending, posts, logins and pages stay fast: no
// request waits on the gateway, and no transaction holds the database
// while it does.
func TestSlowSenderFreezesNothing(t *testing.T) {
	apptest.EachDBInTurn(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		n := s.notice(t, true)
		s.sent.slow(2 * time.Second)
		owner, parent := s.clients["owner"], s.clients["parent-member"]
		owner.Get(fmt.Sprintf("/notices/%d/receipts", n.ID))
		fast := func(what string, do func() int, want int) {
			t.Helper()
			start := time.Now()
			if st := do(); st != want {
				t.Fatalf("%s: %d, want %d", what, st, want)
			}
			if d := time.Since(start); d > time.Second {
				t.Fatalf("%s took %v while the gateway is slow", what, d)
			}
		}
		fast("the DING", func() int { return owner.Post(fmt.Sprintf("/notices/%d/ding", n.ID), nil).StatusCode }, http.StatusSeeOther)
		// The outbox is now sending, two seconds a message.
		parent.Get(fmt.Sprintf("/groups/%d", s.c32.ID))
		fast("a post", func() int {
			return parent.Post(fmt.Sprintf("/groups/%d/messages", s.c32.ID), url.Values{"body": {"收到，谢谢老师"}}).StatusCode
		}, http.StatusSeeOther)
		fast("a page", func() int { return parent.Get("/").StatusCode }, http.StatusOK)
		other := apptest.NewClient(t, s.URL)
		other.Get("/login")
		fast("a login", func() int {
			return other.Post("/login", url.Values{"phone": {"13800000003"}, "password": {"secret-123"}}).StatusCode
		}, http.StatusSeeOther)
		if s.sent.count() > 1 {
			t.Fatalf("%d messages already through a 2-second gateway: the test did not run while it was busy", s.sent.count())
		}
		waitForWithin(t, "the DINGs to go out", 20*time.Second, func() bool { return s.sent.count() >= 3 })
	})
}

// TestTrustedProxies: X-Forwarded-For names the client only when it comes
// from a configured proxy. The login throttle, counted per address, shows
// which address the server believed.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		proxies  []*net.IPNet
		believed bool
	}{
		{"loopback proxy (the default)", nil, true},
		{"a proxy elsewhere", []*net.IPNet{{IP: net.IPv4(10, 0, 0, 0), Mask: net.CIDRMask(8, 32)}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAppWith(t, apptest.SQLite(t), func(o *web.Options) { o.TrustedProxies = tc.proxies })
			a.user(t, auth.RoleParent, "张伟", "13900139000")
			c := apptest.NewClient(t, a.URL)
			c.Get("/login")
			for range auth.MaxPhoneFailures {
				c.Post("/login", url.Values{"phone": {"13900139000"}, "password": {"wrong-pass"}}, "X-Forwarded-For", "198.51.100.7")
			}
			r := c.Post("/login", url.Values{"phone": {"13900139000"}, "password": {"secret-123"}}, "X-Forwarded-For", "198.51.100.8")
			if believed := r.StatusCode == http.StatusSeeOther; believed != tc.believed {
				t.Fatalf("login from another forwarded address: %d (believed the header: %v, want %v)", r.StatusCode, believed, tc.believed)
			}
		})
	}
}
