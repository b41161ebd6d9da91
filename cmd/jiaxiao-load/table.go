package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// row is one line of the result table; empty cells print as "–".
type row struct {
	scenario, db, rate, p50, p99, max, errs, note string
}

// table collects the rows in the order the phases ran.
type table struct {
	mu   sync.Mutex
	rows []row
}

func (t *table) add(r row) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows = append(t.rows, r)
}

func (t *table) print(w io.Writer, header string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintln(w)
	fmt.Fprintln(w, header)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| scenario | db | rate | p50 | p99 | max | errors / missing | notes |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	dash := func(s string) string {
		if s == "" {
			return "–"
		}
		return strings.ReplaceAll(s, "|", "\\|")
	}
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", dash(r.scenario), dash(r.db), dash(r.rate), dash(r.p50), dash(r.p99),
			dash(r.max), dash(r.errs), dash(r.note))
	}
}

// samples are latencies; quantiles come from the sorted samples.
type samples []time.Duration

func (s samples) sorted() samples {
	out := append(samples(nil), s...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// q returns the p-quantile (0 < p ≤ 1) of sorted samples.
func (s samples) q(p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s))*p+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func (s samples) max() time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

// ms formats a duration for the table.
func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

func perSec(n int, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	r := float64(n) / d.Seconds()
	if r >= 100 {
		return fmt.Sprintf("%.0f/s", r)
	}
	return fmt.Sprintf("%.1f/s", r)
}
