package lint_test

import (
	"slices"
	"testing"

	"jiaxiao/app/lint"
)

// Test support and the load generator seed rows in bulk, in many tables
// at once; they are not the product.
var exempt = []string{"jiaxiao/app/apptest", "jiaxiao/cmd/jiaxiao-load"}

// TestTablesHaveOneOwner: each table is named, in SQL or through a GORM
// model, only by the package that owns its model.
func TestTablesHaveOneOwner(t *testing.T) {
	t.Parallel()
	tables, err := lint.Tables("../../migrations/mysql")
	if err != nil {
		t.Fatal(err)
	}
	problems, uses := module(t).Owners(tables, exempt...)
	for _, p := range problems {
		t.Error(p)
	}
	for _, u := range uses {
		t.Errorf("%s; call the owner's service instead", u)
	}
}

// TestOwnersReports proves the check finds a table named in SQL and one
// reached through another package's model.
func TestOwnersReports(t *testing.T) {
	t.Parallel()
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
