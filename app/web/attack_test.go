package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiaxiao/app/apptest"
)

// heapPeak samples the live heap every few milliseconds until stop is
// called, and returns the highest reading above the one at the start.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// TestAnonymousRegistrationFloodIsCheap: hundreds of registrations and
// activations with wrong codes, all at once and without an account, are
// refused quickly and hash no password: the heap stays small (each
// argon2id hash would take 32 MiB).
func TestAnonymousRegistrationFloodIsCheap(t *testing.T) {
	a := newApp(t, apptest.SQLite(t))
	c := apptest.NewClient(t, a.URL)
	c.Get("/register")
	token, cookie := c.CSRF, c.Cookie("jx_csrf")
	const n = 300
	stop := heapPeak()
	start := time.Now()
	var wg sync.WaitGroup
	statuses := make([]int, 2*n)
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
	elapsed, peak := time.Since(start), stop()
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
