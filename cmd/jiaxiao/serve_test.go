package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"jiaxiao/app/apptest"
)

// serveInProcess runs `jiaxiao serve` through run with vars on top of a
// fresh data directory, and returns its base URL, a stop function that
// cancels it (as SIGTERM does), and the channel its exit code arrives on.
func serveInProcess(t *testing.T, vars map[string]string) (string, context.CancelFunc, func(time.Duration) (int, bool), *syncBuffer) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	addr := apptest.FreeAddr(t)
	getenv := func(k string) string {
		switch k {
		case "JIAXIAO_DATA_DIR":
			return dir
		case "JIAXIAO_ADDR":
			return addr
		}
		return vars[k]
	}
	var out strings.Builder
	errb := &syncBuffer{}
	if code := run(context.Background(), []string{"user", "add", "--role", "teacher", "--name", "李芳", "--phone", "13800000002", "--password", "teach-2026"}, getenv, &out, errb); code != 0 {
		t.Fatalf("user add: %d %s", code, errb.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var code int
	go func() { defer close(done); code = run(ctx, []string{"serve"}, getenv, &out, errb) }()
	wait := func(d time.Duration) (int, bool) {
		select {
		case <-done:
			return code, true
		case <-time.After(d):
			return 0, false
		}
	}
	t.Cleanup(func() {
		cancel()
		if _, ok := wait(30 * time.Second); !ok {
			t.Error("serve did not stop")
		}
	})
	base := "http://" + addr
	if err := apptest.WaitHTTP(base+"/healthz", 60*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	return base, cancel, wait, errb
}

// TestServeStopsWithOpenStreams: stopping serve (SIGTERM cancels the
// context) ends open event streams at once and exits 0 within 5 s.
func TestServeStopsWithOpenStreams(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"polling": nil,
		"redis":   {"JIAXIAO_REDIS_URL": ""},
	} {
		t.Run(name, func(t *testing.T) {
			if vars != nil {
				vars["JIAXIAO_REDIS_URL"] = apptest.Redis(t)
			}
			base, stop, wait, errb := serveInProcess(t, vars)
			c := apptest.NewClient(t, base)
			c.Login("13800000002", "teach-2026")
			var streams []*bufio.Reader
			for i := 0; i < 3; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
				resp, err := c.HTTP.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("stream: %v", err)
				}
				defer resp.Body.Close()
				r := bufio.NewReader(resp.Body)
				if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, ": connected") {
					t.Fatalf("stream: %q %v", line, err)
				}
				streams = append(streams, r)
			}
			began := time.Now()
			stop()
			got, ok := wait(5 * time.Second)
			if !ok {
				t.Fatalf("serve still running 5 s after stop\n%s", errb.String())
			}
			if got != 0 {
				t.Fatalf("exit %d after %s\n%s", got, time.Since(began), errb.String())
			}
			t.Logf("stopped in %s", time.Since(began))
			for i, r := range streams {
				ended := make(chan error, 1)
				go func() { _, err := io.Copy(io.Discard, r); ended <- err }()
				select {
				case <-ended: // EOF, or the connection closed under it
				case <-time.After(2 * time.Second):
					t.Errorf("stream %d still open", i)
				}
			}
		})
	}
}

// TestServeUnreachableRedis: a configured Redis that does not answer
// stops serve with an error naming it, well within 30 s.
func TestServeUnreachableRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a connection to fail")
	}
	addr := apptest.FreeAddr(t)
	getenv := func(k string) string {
		switch k {
		case "JIAXIAO_DATA_DIR":
			return t.TempDir()
		case "JIAXIAO_ADDR":
			return apptest.FreeAddr(t)
		case "JIAXIAO_REDIS_URL":
			return "redis://" + addr + "/0"
		}
		return ""
	}
	var out strings.Builder
	errb := &syncBuffer{}
	began := time.Now()
	if code := run(context.Background(), []string{"serve"}, getenv, &out, errb); code == 0 || !strings.Contains(errb.String(), addr) {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if d := time.Since(began); d > 30*time.Second {
		t.Fatalf("took %s", d)
	}
}
