package apptest

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Redis returns the URL of the test Redis, from JIAXIAO_TEST_REDIS_URL or
// the local default redis://127.0.0.1:6379/0, after checking that it
// answers PING. Tests share it: each uses a pub/sub channel of its own.
func Redis(t testing.TB) string {
	t.Helper()
	raw := os.Getenv("JIAXIAO_TEST_REDIS_URL")
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	if testing.Short() {
		Missing(t, "Redis", nil)
	}
	if err := pingRedis(raw); err != nil {
		Missing(t, "Redis", err)
	}
	return raw
}

// pingRedis speaks just enough RESP to see a server answer; a server
// asking for a password answers too, and that is enough here.
func pingRedis(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "6379")
	}
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("%s: %w", host, err)
	}
	if !strings.HasPrefix(line, "+PONG") && !strings.HasPrefix(line, "-NOAUTH") {
		return fmt.Errorf("%s answered %q", host, strings.TrimSpace(line))
	}
	return nil
}

// RedisServer is a redis-server process of the test's own, for tests that
// stop and start it.
type RedisServer struct {
	URL  string
	addr string
	cmd  *exec.Cmd
	t    testing.TB
}

// StartRedis starts a private redis-server on a free loopback port,
// without persistence; it is stopped at cleanup.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil || testing.Short() {
		Missing(t, "redis-server", err)
	}
	addr := FreeAddr(t)
	s := &RedisServer{URL: "redis://" + addr + "/0", addr: addr, t: t}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start (re)starts the server on its port and waits until it answers.
func (s *RedisServer) Start() {
	s.t.Helper()
	host, port, _ := net.SplitHostPort(s.addr)
	cmd := exec.Command("redis-server", "--bind", host, "--port", port, "--save", "", "--appendonly", "no")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start redis: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(20 * time.Second)
	for pingRedis(s.URL) != nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("redis on %s did not answer", s.addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server and waits for it to exit.
func (s *RedisServer) Stop() {
	if s.cmd == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}
