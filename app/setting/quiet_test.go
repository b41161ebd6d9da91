package setting_test

import (
	"testing"
	"time"

	"jiaxiao/app/setting"
)

// TestQuietHours: whether a moment is quiet, and when its quiet hours
// began and end, for the default hours across midnight, hours within one
// day, and none.
func TestQuietHours(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	night := setting.Defaults().QuietHours(sh) // 21:00–07:00
	noon := setting.Settings{QuietStart: "12:00", QuietEnd: "14:00"}.QuietHours(sh)
	none := setting.Settings{QuietStart: "07:00", QuietEnd: "07:00"}.QuietHours(sh)
	for _, c := range []struct {
		name        string
		q           setting.Quiet
		t           string
		quiet       bool
		began, ends string // when quiet
	}{
		{"evening before", night, "2026-11-02 20:59:59", false, "", ""},
		{"at the start", night, "2026-11-02 21:00:00", true, "2026-11-02 21:00:00", "2026-11-03 07:00:00"},
		{"before midnight", night, "2026-11-02 23:30:00", true, "2026-11-02 21:00:00", "2026-11-03 07:00:00"},
		{"after midnight", night, "2026-11-03 05:00:00", true, "2026-11-02 21:00:00", "2026-11-03 07:00:00"},
		{"the last second", night, "2026-11-03 06:59:59", true, "2026-11-02 21:00:00", "2026-11-03 07:00:00"},
		{"at the end", night, "2026-11-03 07:00:00", false, "", ""},
		{"within a day", noon, "2026-11-03 13:00:00", true, "2026-11-03 12:00:00", "2026-11-03 14:00:00"},
		{"outside a day's", noon, "2026-11-03 23:00:00", false, "", ""},
		{"none", none, "2026-11-03 07:00:00", false, "", ""},
	} {
		tm := at(c.t)
		if got := c.q.Contains(tm); got != c.quiet {
			t.Errorf("%s: quiet %v, want %v", c.name, got, c.quiet)
			continue
		}
		if !c.quiet {
			if !c.q.Began(tm).Equal(tm) || !c.q.Ends(tm).Equal(tm) {
				t.Errorf("%s: outside quiet hours, began %v ends %v", c.name, c.q.Began(tm), c.q.Ends(tm))
			}
			continue
		}
		if got := c.q.Began(tm); !got.Equal(at(c.began)) {
			t.Errorf("%s: began %s, want %s", c.name, got.In(sh), c.began)
		}
		if got := c.q.Ends(tm); !got.Equal(at(c.ends)) {
			t.Errorf("%s: ends %s, want %s", c.name, got.In(sh), c.ends)
		}
	}
	if night.Length() != 10*time.Hour || noon.Length() != 2*time.Hour || none.Length() != 0 {
		t.Errorf("lengths %v %v %v", night.Length(), noon.Length(), none.Length())
	}
}
