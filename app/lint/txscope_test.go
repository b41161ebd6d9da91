package lint_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"jiaxiao/app/lint"
)

var (
	loadOnce sync.Once
	loaded   *lint.Module
	loadErr  error
)

// module is the whole module, loaded once for every check.
func module(t *testing.T) *lint.Module {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = lint.Load("../..", "jiaxiao/...") })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// TestTransactionsStayLocal holds the whole module to the rule: nothing a
// transaction's body reaches calls another machine or bypasses the
// transaction.
func TestTransactionsStayLocal(t *testing.T) {
	t.Parallel()
	for _, f := range module(t).TxScope() {
		t.Errorf("inside a transaction: %s", f)
	}
}

// TestTxScopeReports proves the check finds each kind of mistake, through
// calls, interfaces and wrappers, and leaves work after a commit alone.
func TestTxScopeReports(t *testing.T) {
	t.Parallel()
	m, err := lint.Load(".", "./testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range m.TxScope() {
		got = append(got, f.Chain[len(f.Chain)-1]+": "+f.What)
	}
	slices.Sort(got)
	want := []string{
		"(*app/lint/testdata/bad.Service).PoolInTx$1: the connection pool (db) instead of the transaction, in (*app/lint/testdata/bad.Service).PoolInTx$1",
		"(*app/lint/testdata/bad.Service).PoolInWrappedTx$1: the connection pool (db) instead of the transaction, in (*app/lint/testdata/bad.Service).PoolInWrappedTx$1",
		"(*github.com/minio/minio-go/v7.Client).StatObject: a network call: github.com/minio/minio-go/v7.Client.StatObject",
		"net/http.Get: a network call: net/http.Get",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
