package apptest

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
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
