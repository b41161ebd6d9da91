package setting

import "time"

// Quiet is the parents' quiet hours (免打扰): every day from Start to End,
// in minutes after midnight in Loc, across midnight when Start is after
// End; none when the two are equal. It is the one place that says whether
// a moment is quiet and when that quiet began and ends: DING reminders and
// homework reminders both ask it.
type Quiet struct {
	Loc        *time.Location
	Start, End int
}

// Minutes reads an "HH:MM" time of day as minutes after midnight, or def
// when it cannot be read.
func Minutes(hhmm string, def int) int {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return def
	}
	return t.Hour()*60 + t.Minute()
}

// QuietHours are the school's quiet hours in loc (21:00–07:00 where a
// stored value cannot be read).
func (s Settings) QuietHours(loc *time.Location) Quiet {
	return Quiet{Loc: loc, Start: Minutes(s.QuietStart, 21*60), End: Minutes(s.QuietEnd, 7*60)}
}

// minuteOf is t's time of day in whole minutes (seconds dropped).
func (q Quiet) minuteOf(t time.Time) int {
	local := t.In(q.Loc)
	return local.Hour()*60 + local.Minute()
}

// Contains reports whether t is in the quiet hours.
func (q Quiet) Contains(t time.Time) bool {
	if q.Start == q.End {
		return false
	}
	c := q.minuteOf(t)
	if q.Start < q.End {
		return c >= q.Start && c < q.End
	}
	return c >= q.Start || c < q.End // across midnight
}

// Length is how long the quiet hours last each day.
func (q Quiet) Length() time.Duration {
	return time.Duration((q.End-q.Start+24*60)%(24*60)) * time.Minute
}

// at is the moment minute m of t's local day.
func (q Quiet) at(t time.Time, m int) time.Time {
	local := t.In(q.Loc)
	return time.Date(local.Year(), local.Month(), local.Day(), m/60, m%60, 0, 0, q.Loc)
}

// Ends is when the quiet hours t is in end; t itself when it is not in
// them.
func (q Quiet) Ends(t time.Time) time.Time {
	if !q.Contains(t) {
		return t
	}
	end := q.at(t, q.End)
	if !end.After(t) {
		end = end.AddDate(0, 0, 1)
	}
	return end.UTC()
}

// Began is when the quiet hours t is in began; t itself when it is not
// in them.
func (q Quiet) Began(t time.Time) time.Time {
	if !q.Contains(t) {
		return t
	}
	start := q.at(t, q.Start)
	if start.After(t) {
		start = start.AddDate(0, 0, -1)
	}
	return start.UTC()
}
