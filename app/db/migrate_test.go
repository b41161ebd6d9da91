package db_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/db"
)

// columns returns table → sorted column names, leaving out goose's own table.
func columns(t *testing.T, g *gorm.DB) map[string][]string {
	t.Helper()
	tables, err := g.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		if table == "goose_db_version" || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		cols, err := g.Migrator().ColumnTypes(table)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			out[table] = append(out[table], c.Name())
		}
		sort.Strings(out[table])
	}
	return out
}

func TestDialectsHaveSameSchema(t *testing.T) {
	t.Parallel()
	my, lite := columns(t, apptest.MySQL(t)), columns(t, apptest.SQLite(t))
	if len(my) == 0 {
		t.Fatal("no tables after migration")
	}
	for table, cols := range my {
		if strings.Join(cols, ",") != strings.Join(lite[table], ",") {
			t.Errorf("table %s: mysql %v, sqlite %v", table, cols, lite[table])
		}
	}
	for table := range lite {
		if _, ok := my[table]; !ok {
			t.Errorf("table %s only in sqlite", table)
		}
	}
}

func TestMySQLMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := apptest.MySQL(t) // already up
	before := columns(t, g)
	p, err := db.Migrator(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	if left := columns(t, g); len(left) != 0 {
		t.Fatalf("tables left after down: %v", left)
	}
	n, err := db.Migrate(ctx, g)
	if err != nil {
		t.Fatalf("up again: %v", err)
	}
	if n == 0 {
		t.Fatal("up again applied nothing")
	}
	after := columns(t, g)
	if len(after) != len(before) {
		t.Fatalf("schema differs after up-down-up: %v vs %v", before, after)
	}
	if again, err := db.Migrate(ctx, g); err != nil || again != 0 {
		t.Fatalf("second up should apply nothing: %d %v", again, err)
	}
}

func TestSQLiteMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := apptest.SQLite(t)
	p, err := db.Migrator(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := db.Migrate(ctx, g); err != nil {
		t.Fatalf("up again: %v", err)
	}
}

func TestIsDuplicate(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ins := "INSERT INTO users (phone, name, role, status, created_at, updated_at) VALUES ('13800000000','张三','admin','active',CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)"
		if err := g.Exec(ins).Error; err != nil {
			t.Fatal(err)
		}
		err := g.Exec(ins).Error
		if !db.IsDuplicate(err) {
			t.Fatalf("want duplicate, got %v", err)
		}
	})
}
