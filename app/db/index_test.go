package db_test

import (
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
)

// A download (/files/:id) asks every holder of files whether the viewer
// may see the file, by its id: each column naming a file must lead an
// index (or the primary key), or every photo on every page reads a whole
// table. On both dialects, from the migrated schema.
func TestFileColumnsAreIndexed(t *testing.T) {
	t.Parallel()
	for name, g := range map[string]*gorm.DB{"mysql": apptest.MySQL(t), "sqlite": apptest.SQLite(t)} {
		t.Run(name, func(t *testing.T) {
			found := 0
			for table, cols := range columns(t, g) {
				for _, col := range cols {
					if col != "file_id" {
						continue
					}
					found++
					if !leadsIndex(t, g, table, col) {
						t.Errorf("%s.%s leads no index: a download by file id reads the whole table", table, col)
					}
				}
			}
			if found < 5 {
				t.Fatalf("only %d file_id columns found: the schema was not read", found)
			}
		})
	}
}

// leadsIndex says whether col is the first column of an index of table,
// its primary key included.
func leadsIndex(t *testing.T, g *gorm.DB, table, col string) bool {
	t.Helper()
	idx, err := g.Migrator().GetIndexes(table)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range idx {
		if cols := i.Columns(); len(cols) > 0 && cols[0] == col {
			return true
		}
	}
	return false
}
