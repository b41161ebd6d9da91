package db_test

import (
	"testing"

	"jiaxiao/app/apptest"
	"jiaxiao/app/db"
)

// A multi-row INSERT is cut to 50 rows on SQLite, whose parameter binding
// grows with the square of a statement's parameters, and left whole on
// MySQL, where each statement is a round trip.
func TestBatch(t *testing.T) {
	t.Parallel()
	lite, my := apptest.SQLite(t), apptest.MySQL(t)
	for _, c := range []struct {
		name       string
		rows, want int
		sqlite     bool
	}{
		{"sqlite, many rows", 500, 50, true},
		{"sqlite, a few rows", 20, 20, true},
		{"mysql", 1000, 1000, false},
	} {
		g := my
		if c.sqlite {
			g = lite
		}
		if got := db.Batch(g, c.rows); got != c.want {
			t.Errorf("%s: Batch(%d) = %d, want %d", c.name, c.rows, got, c.want)
		}
	}
}
