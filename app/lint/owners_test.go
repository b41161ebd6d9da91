package lint_test

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"jiaxiao/app/lint"
)

// Test support and the load generator seed rows in bulk, in many tables
// at once; they are not the product.
var exempt = []string{"jiaxiao/app/apptest", "jiaxiao/cmd/jiaxiao-load"}

// pendingFile lists the uses of other packages' tables still to be moved
// to their owners' services, one "package table" per line. The test fails
// on a use not listed (a new one) and on a listed one that is gone (so the
// list only shrinks).
const pendingFile = "testdata/owners-pending.txt"

// TestTablesHaveOneOwner: each table is named, in SQL or through a GORM
// model, only by the package that owns its model.
func TestTablesHaveOneOwner(t *testing.T) {
	tables, err := lint.Tables("../../migrations/mysql")
	if err != nil {
		t.Fatal(err)
	}
	problems, uses := module(t).Owners(tables, exempt...)
	for _, p := range problems {
		t.Error(p)
	}
	pending := readPending(t)
	seen := map[string]bool{}
	for _, u := range uses {
		key := u.Pkg + " " + u.Table
		seen[key] = true
		if !pending[key] {
			t.Errorf("%s; call the owner's service instead", u)
		}
	}
	for key := range pending {
		if !seen[key] {
			t.Errorf("%s no longer names the table: remove the line from %s", key, pendingFile)
		}
	}
}

func readPending(t *testing.T) map[string]bool {
	f, err := os.Open(pendingFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	return out
}

// TestOwnersReports proves the check finds a table named in SQL and one
// reached through another package's model.
func TestOwnersReports(t *testing.T) {
	m, err := lint.Load(".", "./testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	problems, uses := m.Owners([]string{"users"})
	if len(problems) != 0 {
		t.Errorf("problems: %v", problems)
	}
	var got []string
	for _, u := range uses {
		got = append(got, u.Table+" "+u.Where+" owned by "+u.Owner)
	}
	slices.Sort(got)
	want := []string{"users SQL owned by jiaxiao/app/auth", "users model auth.User owned by jiaxiao/app/auth"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("uses %q, want %q", got, want)
	}
}
