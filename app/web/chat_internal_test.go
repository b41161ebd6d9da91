package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// The day divider names days as the school sees them: a message at 00:30
// in Shanghai is that day's, though it is the day before in UTC.
func TestDayLabel(t *testing.T) {
	t.Parallel()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 5, 8, 0, 0, 0, sh) // a Thursday
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 5, 0, 0, 0, 0, sh), "今天"},
		{time.Date(2026, 11, 4, 16, 30, 0, 0, time.UTC), "今天"}, // 00:30 on the 5th in Shanghai
		{time.Date(2026, 11, 4, 23, 59, 0, 0, sh), "昨天"},
		{time.Date(2026, 11, 3, 16, 30, 0, 0, time.UTC), "昨天"}, // 00:30 on the 4th in Shanghai
		{time.Date(2026, 11, 3, 12, 0, 0, 0, sh), "11月3日 周二"},
		{time.Date(2026, 11, 1, 9, 0, 0, 0, sh), "11月1日 周日"},
		{time.Date(2026, 1, 1, 9, 0, 0, 0, sh), "1月1日 周四"},
		{time.Date(2025, 12, 31, 9, 0, 0, 0, sh), "2025年12月31日 周三"},
		{time.Date(2026, 11, 6, 9, 0, 0, 0, sh), "11月6日 周五"}, // a clock ahead of the server's
	} {
		if got := dayLabel(c.at.In(sh), now); got != c.want {
			t.Errorf("%v: %q, want %q", c.at, got, c.want)
		}
	}
}

// The feed's cursor is a message id or nothing; anything else is refused
// before it reaches the database.
func TestCursor(t *testing.T) {
	t.Parallel()
	e := echo.New()
	for _, c := range []struct {
		raw  string
		want uint64
		ok   bool
	}{
		{"", 0, true},
		{"42", 42, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false}, // past an id's range
		{"12345678901234567890", 0, false},
		{"0", 0, false},
		{"042", 0, false},
		{"-1", 0, false},
		{"1e3", 0, false},
		{"abc", 0, false},
		{" 42", 42, true}, // as every id parameter is read
	} {
		ctx := e.NewContext(httptest.NewRequest(http.MethodGet, "/groups/1?before="+url.QueryEscape(c.raw), nil), httptest.NewRecorder())
		got, err := cursor(ctx)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("before=%q: %d %v, want %d ok=%v", c.raw, got, err, c.want, c.ok)
		}
	}
}
