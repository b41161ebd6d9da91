package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/jiaxiao once per test run, as a user would run it.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jiaxiao-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "jiaxiao")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a running `jiaxiao serve`.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	base   string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cleanEnv is a nearly empty environment: only what a shell always has,
// plus the given JIAXIAO_* variables.
func cleanEnv(vars ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	return append(env, vars...)
}

// jiaxiao runs a one-shot command of the binary in dir and returns its
// stdout, stderr and exit code.
func jiaxiao(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// serve starts `jiaxiao serve` in dir and waits for /healthz.
func serve(t *testing.T, dir string, env []string) *process {
	t.Helper()
	addr := apptest.FreeAddr(t)
	cmd := exec.Command(binary(t), "serve")
	cmd.Dir = dir
	cmd.Env = append(env, "JIAXIAO_ADDR="+addr)
	p := &process{cmd: cmd, stderr: &syncBuffer{}, base: "http://" + addr}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(25 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("serve did not stop within 25 s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("serve stderr:\n%s", p.stderr.String())
		}
	})
	if err := apptest.WaitHTTP(p.base+"/healthz", 60*time.Second); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, p.stderr.String())
	}
	return p
}

func status(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// loginLogout drives a real browser through logging in and out.
func loginLogout(t *testing.T, base, phone, password, wantName string) {
	t.Helper()
	ctx := apptest.Browser(t, 90*time.Second)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "wrong-password"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-error"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="phone"]`)))
	if err != nil || kept != phone {
		t.Fatalf("phone not kept after a failed login: %q %v", kept, err)
	}
	apptest.Screenshot(t, ctx, "login-failed")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "home")
	// On a phone the name and 退出 are on 我的, one tap away.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="tab-me"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="me"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="me"]`)))
	if err != nil || !strings.Contains(who, wantName) {
		t.Fatalf("我的 shows %q, want %s (%v)", who, wantName, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="me-logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Screenshot(t, ctx, "logged-out")
	// Logged out for real: the home page sends the browser back to login.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`))); err != nil {
		t.Fatal(err)
	}
}

// On a clean directory with no configuration, serve starts on SQLite and
// the file store; a user made with `user add` (while serve runs) logs in
// and out in a browser.
func TestServeOnEmbeddedDefaults(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, dir, cleanEnv())
	if code, _ := status(t, p.base+"/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	code, body := status(t, p.base+"/login")
	if code != 200 || !strings.Contains(body, "<title>登录 · 家校</title>") || !strings.Contains(body, `lang="zh-CN"`) {
		t.Fatalf("login page %d", code)
	}
	if code, body := status(t, p.base+"/readyz"); code != 200 {
		t.Fatalf("readyz %d %s", code, body)
	}
	for _, f := range []string{"data/jiaxiao.db", "data/objects"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("embedded default %s: %v", f, err)
		}
	}
	out, errOut, code := jiaxiao(t, dir, cleanEnv(), "user", "add", "--role", "teacher", "--name", "李芳", "--phone", "13800000002", "--password", "teach-2026")
	if code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("user add: %d %s %s", code, out, errOut)
	}
	loginLogout(t, p.base, "13800000002", "teach-2026", "李芳")
}

// With MySQL and MinIO configured, the same works, and /readyz follows
// MinIO going away and coming back without a restart.
func TestServeOnMySQLAndMinIO(t *testing.T) {
	dsn := apptest.MySQLDatabase(t)
	m := apptest.StartMinIO(t)
	env := cleanEnv("JIAXIAO_DB_DRIVER=mysql", "JIAXIAO_DB_DSN="+dsn, "JIAXIAO_STORAGE=minio",
		"JIAXIAO_MINIO_ENDPOINT="+m.Endpoint, "JIAXIAO_MINIO_ACCESS_KEY="+m.AccessKey, "JIAXIAO_MINIO_SECRET_KEY="+m.SecretKey,
		"JIAXIAO_MINIO_BUCKET=jiaxiao-e2e")
	dir := t.TempDir()
	if _, errOut, code := jiaxiao(t, dir, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	p := serve(t, dir, env)
	if code, body := status(t, p.base+"/readyz"); code != 200 {
		t.Fatalf("readyz %d %s", code, body)
	}
	if _, errOut, code := jiaxiao(t, dir, env, "user", "add", "--role", "admin", "--name", "王建国", "--phone", "13800000001", "--password", "admin-2026"); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	loginLogout(t, p.base, "13800000001", "admin-2026", "王建国")

	m.Stop()
	if code, body := status(t, p.base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "storage: unavailable") {
		t.Fatalf("readyz with MinIO stopped: %d %s", code, body)
	}
	if code, _ := status(t, p.base+"/healthz"); code != 200 {
		t.Fatalf("healthz with MinIO stopped: %d", code)
	}
	m.Start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := status(t, p.base+"/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after MinIO came back: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A configured but unreachable database or MinIO stops serve within 30
// seconds with a message naming the endpoint.
func TestServeExitsWhenBackendUnreachable(t *testing.T) {
	cases := map[string][]string{
		"mysql": {"JIAXIAO_DB_DRIVER=mysql", "JIAXIAO_DB_DSN=root:@tcp(127.0.0.1:1)/jiaxiao"},
		"minio": {"JIAXIAO_STORAGE=minio", "JIAXIAO_MINIO_ENDPOINT=127.0.0.1:1", "JIAXIAO_MINIO_ACCESS_KEY=a", "JIAXIAO_MINIO_SECRET_KEY=b"},
	}
	for name, vars := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			cmd := exec.Command(binary(t), "serve")
			cmd.Dir = t.TempDir()
			cmd.Env = cleanEnv(append(vars, "JIAXIAO_ADDR="+apptest.FreeAddr(t))...)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("serve exited 0")
				}
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("serve still running after 30 s:\n%s", errb.String())
			}
			last := lastLine(errb.String())
			if !strings.Contains(last, "127.0.0.1:1") || !strings.Contains(last, "unreachable") {
				t.Fatalf("message does not name the endpoint: %q", last)
			}
			t.Logf("exited after %s: %s", time.Since(start).Round(time.Second), last)
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestUserAddRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "user", "add", "--role", "teacher", "--name", "李芳", "--phone", "13800000002", "--password", "teach-2026"); code != 0 {
		t.Fatal(errOut)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"invalid phone", []string{"--role", "teacher", "--name", "陈志强", "--phone", "1380000", "--password", "teach-2026"}, 2, "--phone"},
		{"invalid name", []string{"--role", "teacher", "--name", "陈", "--phone", "13800000003", "--password", "teach-2026"}, 2, "--name"},
		{"invalid role", []string{"--role", "boss", "--name", "陈志强", "--phone", "13800000003", "--password", "teach-2026"}, 2, "--role"},
		{"phone taken", []string{"--role", "parent", "--name", "张伟", "--phone", "13800000002", "--password", "parent-2026"}, 1, "already taken"},
		{"unknown flag", []string{"--colour", "red"}, 2, "flag provided but not defined"},
	}
	for _, c := range cases {
		out, errOut, code := jiaxiao(t, dir, env, append([]string{"user", "add"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", c.name, code, errOut, c.code, c.want)
		}
		if n := strings.Count(strings.TrimSpace(errOut), "\n"); n > 0 {
			t.Errorf("%s: want a one-line message, got %q", c.name, errOut)
		}
	}
}

func TestBadConfigAndCommand(t *testing.T) {
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "JIAXIAO_DB_DRIVER" {
			return "oracle"
		}
		return ""
	}
	if code := run(context.Background(), []string{"migrate"}, getenv, &out, &errb); code != 2 || !strings.Contains(errb.String(), "JIAXIAO_DB_DRIVER") {
		t.Fatalf("bad config: %d %q", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errb.String())
	}
}

func TestDemoIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	first, errOut, code := jiaxiao(t, dir, cleanEnv(), "demo")
	if code != 0 || !strings.Contains(first, "13800000001") {
		t.Fatalf("demo: %d %s %s", code, first, errOut)
	}
	second, _, code := jiaxiao(t, dir, cleanEnv(), "demo")
	if code != 0 || second != first {
		t.Fatalf("second demo differs: %q vs %q", second, first)
	}
}

func TestAttendanceImportCommand(t *testing.T) {
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "user", "add", "--role", "teacher", "--name", "李芳", "--phone", "13800000002", "--password", "teach-2026"); code != 0 {
		t.Fatal(errOut)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("t.csv", "手机,姓名,打卡时间\n13800000002,李芳,2026-11-02 08:05:13\n13800000002,李芳,2026-11-02 17:35:00\n")
	out, errOut, code := jiaxiao(t, dir, env, "attendance", "import", good)
	if code != 0 || !strings.Contains(out, "新增 2，已有 0") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if out, _, _ = jiaxiao(t, dir, env, "attendance", "import", good); !strings.Contains(out, "新增 0，已有 2") {
		t.Fatalf("again: %s", out)
	}
	bad := write("bad.csv", "手机,姓名,打卡时间\n13900000009,某人,2026-11-03 08:00:00\n13800000002,李芳,十一月三日\n")
	out, errOut, code = jiaxiao(t, dir, env, "attendance", "import", bad)
	if code != 1 || !strings.Contains(errOut, "第 2 行") || !strings.Contains(errOut, "第 3 行") || out != "" {
		t.Fatalf("bad: %d %q %q", code, out, errOut)
	}
}
