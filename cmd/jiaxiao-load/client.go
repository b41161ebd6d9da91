package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	sessionCookie = "jx_session"
	csrfCookie    = "jx_csrf"
)

// newHTTP is the client for pages and posts: keep-alive connections enough
// for every worker, no compression, no redirects followed (a 303 to /login
// is an error, not a page).
func newHTTP(conns int) *http.Client {
	tr := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   conns + 64,
		DisableCompression:    true,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// cookie is the Cookie header of u.
func (u *vuser) cookie() string {
	c := sessionCookie + "=" + u.token
	if u.csrfCookie != "" {
		c += "; " + csrfCookie + "=" + u.csrfCookie
	}
	return c
}

var metaCSRF = []*regexp.Regexp{
	regexp.MustCompile(`<meta[^>]*name="csrf-token"[^>]*content="([^"]+)"`),
	regexp.MustCompile(`<meta[^>]*content="([^"]+)"[^>]*name="csrf-token"`),
}

// takeCSRF keeps the CSRF cookie a response sets and the token its page carries.
func (u *vuser) takeCSRF(resp *http.Response, body []byte) {
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie && c.Value != "" {
			u.csrfCookie = c.Value
		}
	}
	for _, re := range metaCSRF {
		if m := re.FindSubmatch(body); m != nil {
			u.csrf = string(m[1])
			return
		}
	}
}

// get fetches path as u (nil: anonymous) and returns the status and body.
func get(ctx context.Context, hc *http.Client, base, path string, u *vuser) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	if u != nil {
		req.Header.Set("Cookie", u.cookie())
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if u != nil {
		u.takeCSRF(resp, body)
	}
	return resp.StatusCode, body, err
}

// ensureCSRF gives u a CSRF cookie and token from a page, once.
func ensureCSRF(ctx context.Context, hc *http.Client, base string, u *vuser) error {
	if u.csrf != "" && u.csrfCookie != "" {
		return nil
	}
	st, _, err := get(ctx, hc, base, "/groups", u)
	if err != nil {
		return err
	}
	if st != 200 || u.csrf == "" {
		return fmt.Errorf("GET /groups as user %d: status %d, csrf token %q", u.id, st, u.csrf)
	}
	return nil
}

// post sends a form as u with the CSRF token in the form and the header,
// and returns the status and the Location header.
func post(ctx context.Context, hc *http.Client, base, path string, u *vuser, form url.Values) (int, string, error) {
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", u.csrf)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", u.cookie())
	req.Header.Set("X-CSRF-Token", u.csrf)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

// loadResult is what a closed-loop load phase measured.
type loadResult struct {
	n, errs  int
	lat      samples // sorted
	elapsed  time.Duration
	firstErr string
	timeout  bool
}

func (r loadResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

// request is one request of a load phase; it reports an error for any
// answer but the expected one.
type request func(ctx context.Context, hc *http.Client, worker int, seq int64) error

// closedLoop runs conns workers, each sending the next request as soon as
// the last one is answered, until dur has passed (dur > 0) or limit
// requests have been started (limit > 0), or hard passes.
func closedLoop(ctx context.Context, hc *http.Client, conns int, dur time.Duration, limit int64, hard time.Duration, do request) loadResult {
	ctx, cancel := context.WithTimeout(ctx, hard)
	defer cancel()
	var seq atomic.Int64
	var mu sync.Mutex
	var res loadResult
	var all samples
	start := time.Now()
	var deadline time.Time
	if dur > 0 {
		deadline = start.Add(dur)
	}
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat samples
			n, errs := 0, 0
			first := ""
			for ctx.Err() == nil {
				if dur > 0 && time.Now().After(deadline) {
					break
				}
				i := seq.Add(1) - 1
				if limit > 0 && i >= limit {
					break
				}
				t0 := time.Now()
				err := do(ctx, hc, w, i)
				if ctx.Err() != nil {
					break // cut off by the hard limit: not a measurement
				}
				lat = append(lat, time.Since(t0))
				n++
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			res.n += n
			res.errs += errs
			if res.firstErr == "" {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.timeout = ctx.Err() != nil && (limit <= 0 || seq.Load() < limit)
	res.lat = all.sorted()
	return res
}

// expectStatus reads and discards the body and checks the status.
func expectStatus(ctx context.Context, hc *http.Client, req *http.Request, want int) error {
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d (want %d)", req.Method, req.URL.Path, resp.StatusCode, want)
	}
	if n == 0 && want == 200 {
		return fmt.Errorf("%s %s: empty body", req.Method, req.URL.Path)
	}
	return nil
}
