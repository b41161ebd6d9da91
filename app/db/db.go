// Package db opens jiaxiao's database (MySQL/MariaDB or embedded SQLite
// through a pure-Go driver), applies the versioned migrations, and holds the
// few helpers every store shares.
package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"jiaxiao/app/apperr"
)

// Drivers.
const (
	MySQL  = "mysql"
	SQLite = "sqlite"
)

// Options configure Open.
type Options struct {
	Driver string // MySQL or SQLite
	DSN    string
	Logger *slog.Logger
	// ConnectTimeout bounds how long Open keeps retrying an unreachable
	// database before giving up (default 20 s).
	ConnectTimeout time.Duration
}

// Open connects to the database and checks that it answers, retrying until
// ConnectTimeout. The error names the endpoint.
func Open(ctx context.Context, o Options) (*gorm.DB, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 20 * time.Second
	}
	cfg := &gorm.Config{
		Logger:         slowLog{log: o.Logger, threshold: 500 * time.Millisecond},
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		dialector gorm.Dialector
		endpoint  string
	)
	switch o.Driver {
	case MySQL:
		dsn, addr, err := mysqlDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		endpoint = "mysql at " + addr
		dialector = mysql.Open(dsn)
	case SQLite:
		path, dsn, err := sqliteDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("db: sqlite directory: %w", err)
		}
		endpoint = "sqlite at " + path
		dialector = sqlite.Open(dsn)
	default:
		return nil, fmt.Errorf("db: unknown driver %q", o.Driver)
	}
	// Retry while the server is starting (docker compose starts the app and
	// the database together), but not past ConnectTimeout.
	deadline := time.Now().Add(o.ConnectTimeout)
	for {
		gdb, err := connect(ctx, dialector, cfg, o.Driver)
		if err == nil {
			return gdb, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("db: %s unreachable: %w", endpoint, err)
		}
		o.Logger.Warn("database not answering yet, retrying", "endpoint", endpoint, "err", err)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
		}
	}
}

func connect(ctx context.Context, dialector gorm.Dialector, cfg *gorm.Config, driver string) (*gorm.DB, error) {
	gdb, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, err
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, err
	}
	if driver == SQLite {
		// One writer at a time is SQLite's nature; a small pool keeps readers concurrent.
		sqlDB.SetMaxOpenConns(8)
	} else {
		sqlDB.SetMaxOpenConns(50)
		sqlDB.SetMaxIdleConns(25)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return gdb, nil
}

// mysqlDSN makes sure times come back as UTC time.Time values, that a
// dead server is noticed quickly, and that queries take one round trip.
func mysqlDSN(dsn string) (string, string, error) {
	c, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", "", fmt.Errorf("db: JIAXIAO_DB_DSN is not a valid MySQL DSN: %w", err)
	}
	c.ParseTime = true
	c.Loc = time.UTC
	// Send parameters inside the statement text: one round trip per query
	// instead of three (prepare, execute, close). Safe with utf8mb4, which
	// the driver checks.
	c.InterpolateParams = true
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	if _, ok := c.Params["charset"]; !ok {
		c.Params["charset"] = "utf8mb4"
	}
	c.Params["time_zone"] = "'+00:00'"
	return c.FormatDSN(), c.Addr, nil
}

// sqliteDSN turns a path (or file: URI) into a DSN with WAL, a busy timeout
// so the CLI can write while serve runs, foreign keys, and immediate
// transactions so that read-then-write transactions never deadlock.
func sqliteDSN(dsn string) (path, full string, err error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" || path == ":memory:" {
		return "", "", errors.New("db: JIAXIAO_DB_DSN must be a SQLite file path")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("db: JIAXIAO_DB_DSN query: %w", err)
	}
	if len(q["_pragma"]) == 0 {
		q["_pragma"] = []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}
	}
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	return path, "file:" + path + "?" + q.Encode(), nil
}

// Dialect returns MySQL or SQLite for an open database.
func Dialect(g *gorm.DB) string {
	if g.Dialector.Name() == "mysql" {
		return MySQL
	}
	return SQLite
}

// Ping checks that the database answers within ctx.
func Ping(ctx context.Context, g *gorm.DB) error {
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the connection pool.
func Close(g *gorm.DB) error {
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// InTx runs fn in a transaction, committing when it returns nil.
func InTx(ctx context.Context, g *gorm.DB, fn func(tx *gorm.DB) error) error {
	return g.WithContext(ctx).Transaction(fn)
}

// IsDuplicate reports whether err is a unique-key violation.
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) && me.Number == 1062 {
		return true
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// Translate maps gorm's not-found and duplicate errors to apperr sentinels
// and leaves other errors as they are.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", apperr.ErrNotFound, err)
	case IsDuplicate(err):
		return fmt.Errorf("%w: %w", apperr.ErrConflict, err)
	}
	return err
}

// slowLog logs slow queries without their parameters (which may hold
// password hashes or personal data). Failed queries are not logged here:
// the error goes back to the caller, who decides.
type slowLog struct {
	log       *slog.Logger
	threshold time.Duration
}

func (l slowLog) LogMode(logger.LogLevel) logger.Interface { return l }
func (l slowLog) Info(context.Context, string, ...any)     {}
func (l slowLog) Warn(_ context.Context, msg string, args ...any) {
	l.log.Warn("gorm: " + fmt.Sprintf(msg, args...))
}
func (l slowLog) Error(_ context.Context, msg string, args ...any) {
	l.log.Error("gorm: " + fmt.Sprintf(msg, args...))
}

// ParamsFilter keeps parameters out of the SQL handed to Trace.
func (l slowLog) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

func (l slowLog) Trace(_ context.Context, begin time.Time, fc func() (string, int64), _ error) {
	if d := time.Since(begin); d >= l.threshold {
		sql, rows := fc()
		l.log.Warn("slow query", "duration_ms", d.Milliseconds(), "rows", rows, "sql", sql)
	}
}

// sqliteBatch is the most rows one INSERT writes on SQLite (Batch).
const sqliteBatch = 50

// Batch is how many rows one multi-row INSERT writes on q's database: rows
// on MySQL, where each statement is a round trip; at most 50 on SQLite,
// whose driver finds each parameter's value by scanning them all, so that
// binding a statement takes time growing with the square of its
// parameters (a few hundred at 50 rows of the project's tables).
func Batch(q *gorm.DB, rows int) int {
	if q.Dialector.Name() == "sqlite" {
		return min(rows, sqliteBatch)
	}
	return rows
}

// Chunks splits xs into slices of at most n, to keep IN lists and batch
// inserts within the databases' limits.
func Chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

// In is the condition "col IN ids" for ids that are a slice or a subquery
// (a *gorm.DB, which needs its own parentheses).
func In(col string, ids any) clause.Expr {
	if _, sub := ids.(*gorm.DB); sub {
		return gorm.Expr(col+" IN (?)", ids)
	}
	return gorm.Expr(col+" IN ?", ids)
}

// Fresh starts a statement on q's connection (its transaction, if any)
// without the conditions q may carry: for a subquery, which runs with the
// statement it is part of.
func Fresh(q *gorm.DB) *gorm.DB { return q.Session(&gorm.Session{NewDB: true}) }

// FreshIn is Fresh with ctx. (WithContext after Fresh would clone q's
// statement again, conditions and all.)
func FreshIn(ctx context.Context, q *gorm.DB) *gorm.DB {
	return q.Session(&gorm.Session{NewDB: true, Context: ctx})
}
