package calendar

import "testing"

func TestExplain(t *testing.T) {
	t.Parallel()
	c := Calendar{Overrides: map[Day]bool{"2026-11-06": false, "2026-11-07": true}}
	cases := []struct {
		day  Day
		work bool
	}{
		{"2026-11-02", true},  // Monday
		{"2026-11-08", false}, // Sunday
		{"2026-10-01", false}, // 国庆节
		{"2026-10-08", true},  // after the holiday
		{"2026-09-20", true},  // Sunday, a make-up working day
		{"2026-10-10", true},  // Saturday, a make-up working day
		{"2026-11-06", false}, // a Friday the school closes
		{"2026-11-07", true},  // a Saturday the school opens
	}
	for _, tc := range cases {
		if got := c.IsWorkDay(tc.day); got != tc.work {
			t.Errorf("%s: work=%v, want %v (%+v)", tc.day, got, tc.work, c.Explain(tc.day))
		}
	}
	if k := c.Explain("2026-09-20"); k.Name != "国庆节调休上班" {
		t.Errorf("name %q", k.Name)
	}
}
