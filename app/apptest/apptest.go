// Package apptest gives tests the real services they run against: a fresh
// MySQL/MariaDB database or SQLite file per test, a MinIO bucket per test,
// Chromium, and a fake clock. A missing service skips the test locally and
// fails it when CI is set.
package apptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// Missing skips the test when a service it needs is not there, or fails it
// when the CI variable is set: CI must never silently skip.
func Missing(t testing.TB, service string, err error) {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s: skipped in -short mode", service)
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %v", service, err)
	}
	t.Skipf("%s not available: %v", service, err)
}

// Logger discards logs unless JIAXIAO_TEST_LOG is set.
func Logger() *slog.Logger {
	if os.Getenv("JIAXIAO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// RandomName returns prefix followed by 12 random hex digits.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// MySQLServerDSN is the DSN (without a database) of the test server,
// from JIAXIAO_TEST_MYSQL_DSN or the local MariaDB.
func MySQLServerDSN() string {
	if v := os.Getenv("JIAXIAO_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return "root:@tcp(127.0.0.1:3306)/"
}

// MySQLDatabase creates an empty database for the test, dropped at cleanup,
// and returns its DSN. It is not migrated.
func MySQLDatabase(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		Missing(t, "MySQL", nil)
	}
	ctx := context.Background()
	server, err := db.Open(ctx, db.Options{Driver: db.MySQL, DSN: MySQLServerDSN(), Logger: Logger(), ConnectTimeout: time.Second})
	if err != nil {
		Missing(t, "MySQL", err)
	}
	name := RandomName("jxt_")
	if err := server.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		server.Exec("DROP DATABASE IF EXISTS " + name)
		_ = db.Close(server)
	})
	base, _, _ := strings.Cut(MySQLServerDSN(), "?")
	base = strings.TrimSuffix(base, "/")
	return base + "/" + name + "?parseTime=true&charset=utf8mb4"
}

// MySQL returns a migrated, empty MySQL database of the test's own.
func MySQL(t testing.TB) *gorm.DB {
	t.Helper()
	return Open(t, db.MySQL, MySQLDatabase(t))
}

// SQLite returns a migrated, empty SQLite database in a temporary file.
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	return Open(t, db.SQLite, filepath.Join(t.TempDir(), "test.db"))
}

// Open opens and migrates the database at dsn, closing it at cleanup.
func Open(t testing.TB, driver, dsn string) *gorm.DB {
	t.Helper()
	g, err := db.Open(context.Background(), db.Options{Driver: driver, DSN: dsn, Logger: Logger(), ConnectTimeout: time.Second})
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { _ = db.Close(g) })
	if _, err := db.Migrate(context.Background(), g); err != nil {
		t.Fatalf("migrate %s: %v", driver, err)
	}
	return g
}

// EachDB runs fn as a subtest on MySQL and on SQLite, each with a database
// of its own, the two at once.
func EachDB(t *testing.T, fn func(t *testing.T, g *gorm.DB)) {
	t.Helper()
	t.Run("mysql", func(t *testing.T) { t.Parallel(); fn(t, MySQL(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, SQLite(t)) })
}

// EachDBInTurn is EachDB one database after the other, for a test that
// measures the process (its heap, its latency) and wants it to itself.
func EachDBInTurn(t *testing.T, fn func(t *testing.T, g *gorm.DB)) {
	t.Helper()
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
}

// Clock is a fake clock for rules with deadlines. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// String describes the clock for test failures.
func (c *Clock) String() string { return fmt.Sprintf("clock(%s)", c.Now().Format(time.RFC3339)) }
