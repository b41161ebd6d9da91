package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"

	"jiaxiao/migrations"
)

// Migrator returns a goose provider over the embedded migrations of the
// database's dialect.
func Migrator(g *gorm.DB) (*goose.Provider, error) {
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	dialect, gooseDialect := Dialect(g), goose.DialectSQLite3
	if dialect == MySQL {
		gooseDialect = goose.DialectMySQL
	}
	fsys, err := migrations.For(dialect)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(gooseDialect, sqlDB, fsys)
}

// Migrate applies every pending migration and returns how many ran. On
// MySQL a named lock keeps two processes from migrating at once.
func Migrate(ctx context.Context, g *gorm.DB) (int, error) {
	p, err := Migrator(g)
	if err != nil {
		return 0, fmt.Errorf("db: migrate: %w", err)
	}
	if Dialect(g) == MySQL {
		unlock, err := mysqlLock(ctx, g, "jiaxiao_migrate")
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("db: migrate: %w", err)
	}
	return len(res), nil
}

func mysqlLock(ctx context.Context, g *gorm.DB, name string) (func(), error) {
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: lock %s: %w", name, err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 60)", name).Scan(&got); err != nil || got.Int64 != 1 {
		_ = conn.Close()
		return nil, fmt.Errorf("db: could not take lock %s (another migration running?): %v", name, err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", name)
		_ = conn.Close()
	}, nil
}
