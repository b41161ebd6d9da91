package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // database/sql driver for CREATE/DROP DATABASE
)

// buildBinary compiles ./cmd/jiaxiao into dir.
func buildBinary(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "jiaxiao")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/jiaxiao")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/jiaxiao: %w\n%s", err, out)
	}
	return bin, nil
}

// ensureMariaDB starts MariaDB when nothing answers on the DSN's address.
func ensureMariaDB(ctx context.Context, dsn string) error {
	ping := func() error {
		d, err := sql.Open("mysql", dsn)
		if err != nil {
			return err
		}
		defer d.Close()
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return d.PingContext(pctx)
	}
	if ping() == nil {
		return nil
	}
	out, err := exec.CommandContext(ctx, "start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd").CombinedOutput()
	if err != nil {
		return fmt.Errorf("start MariaDB: %w: %s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ping() == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return errors.New("MariaDB did not answer within 30 s")
}

// createDatabase makes a fresh database and returns its name and a DSN for it.
func createDatabase(ctx context.Context, base string) (name, dsn string, drop func(), err error) {
	d, err := sql.Open("mysql", base)
	if err != nil {
		return "", "", nil, err
	}
	name = "jiaxiao_load_" + randomLetters(8)
	if _, err := d.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		d.Close()
		return "", "", nil, fmt.Errorf("create database: %w", err)
	}
	drop = func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = d.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name)
		d.Close()
	}
	dsn = strings.TrimSuffix(base, "/") + "/" + name + "?parseTime=true&charset=utf8mb4"
	return name, dsn, drop, nil
}

func randomLetters(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return string(b)
}

// server is one `jiaxiao serve` child process.
type server struct {
	name string
	base string // http://127.0.0.1:port
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // from Wait, once done is closed
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer runs `bin serve` with env (JIAXIAO_* only; the rest of the
// environment is inherited without its JIAXIAO_ variables) and waits until
// /healthz answers.
func startServer(ctx context.Context, name, bin, logDir string, env map[string]string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JIAXIAO_") {
			environ = append(environ, kv)
		}
	}
	environ = append(environ, "JIAXIAO_ADDR="+addr)
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	logPath := filepath.Join(logDir, name+".log")
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = environ
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	s := &server{name: name, base: "http://" + addr, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		lf.Close()
		close(s.done)
	}()
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited before answering (%v); log %s:\n%s", name, s.err, logPath, tail(logPath, 15))
		case <-ctx.Done():
			s.kill()
			return nil, ctx.Err()
		default:
		}
		if resp, err := hc.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("%s did not answer /healthz within 60 s; log %s:\n%s", name, logPath, tail(logPath, 15))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits up to timeout, then kills. It returns how
// long the process took to exit and its exit code (-1: killed).
func (s *server) stop(timeout time.Duration) (time.Duration, int, bool) {
	start := time.Now()
	select {
	case <-s.done:
		return 0, s.exitCode(), true
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return time.Since(start), s.exitCode(), true
	case <-time.After(timeout):
		s.kill()
		return time.Since(start), -1, false
	}
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

func (s *server) exitCode() int {
	if s.cmd.ProcessState == nil {
		return -1
	}
	return s.cmd.ProcessState.ExitCode()
}

// memory reads the process's peak and current resident size in MiB.
func (s *server) memory() (hwm, rss float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb float64
		if _, err := fmt.Sscanf(line, "VmHWM: %f kB", &kb); err == nil {
			hwm = kb / 1024
		}
		if _, err := fmt.Sscanf(line, "VmRSS: %f kB", &kb); err == nil {
			rss = kb / 1024
		}
	}
	return hwm, rss
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
