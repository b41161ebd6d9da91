package event

import (
	"reflect"
	"testing"
	"time"
)

func TestCursor(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	type step struct {
		advance []uint64 // a forward read
		fill    uint64   // a row read in a gap
		isNew   bool     // what fill should report
		expire  int      // seconds after t0
		want    [][2]uint64
		last    uint64
	}
	for _, tc := range []struct {
		name  string
		max   int
		steps []step
	}{
		{"in order", 8, []step{
			{advance: []uint64{11, 12, 13}, want: [][2]uint64{}, last: 13},
		}},
		{"a later id commits first, then the earlier", 8, []step{
			{advance: []uint64{12, 13}, want: [][2]uint64{{11, 11}}, last: 13},
			{fill: 11, isNew: true, want: [][2]uint64{}, last: 13},
			{fill: 11, isNew: false, want: [][2]uint64{}, last: 13},
		}},
		{"a wide gap fills from the middle", 8, []step{
			{advance: []uint64{20}, want: [][2]uint64{{11, 19}}, last: 20},
			{fill: 15, isNew: true, want: [][2]uint64{{11, 14}, {16, 19}}, last: 20},
			{fill: 11, isNew: true, want: [][2]uint64{{12, 14}, {16, 19}}, last: 20},
			{fill: 19, isNew: true, want: [][2]uint64{{12, 14}, {16, 18}}, last: 20},
		}},
		{"a rollback is given up after the grace period", 8, []step{
			{advance: []uint64{12}, want: [][2]uint64{{11, 11}}, last: 12},
			{expire: 29, want: [][2]uint64{{11, 11}}, last: 12},
			{expire: 30, want: [][2]uint64{}, last: 12},
		}},
		{"too many gaps merge the closest two, remembering what was delivered", 2, []step{
			{advance: []uint64{12, 14, 20}, want: [][2]uint64{{11, 13}, {15, 19}}, last: 20},
			{fill: 12, isNew: false, want: [][2]uint64{{11, 13}, {15, 19}}, last: 20},
			{fill: 13, isNew: true, want: [][2]uint64{{11, 12}, {15, 19}}, last: 20},
			{fill: 11, isNew: true, want: [][2]uint64{{12, 12}, {15, 19}}, last: 20},
			{expire: 1, want: [][2]uint64{{15, 19}}, last: 20}, // only delivered ids left
		}},
		{"ids at or below the cursor are not gaps", 8, []step{
			{advance: []uint64{10, 11}, want: [][2]uint64{}, last: 11},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cursor{last: 10, max: tc.max, grace: 30 * time.Second}
			for i, s := range tc.steps {
				switch {
				case s.advance != nil:
					c.advance(s.advance, t0)
				case s.fill != 0:
					if got := c.fill(s.fill, at(1)); got != s.isNew {
						t.Fatalf("step %d: fill(%d) = %v, want %v", i, s.fill, got, s.isNew)
					}
				default:
					c.expire(at(s.expire))
				}
				got := c.ranges()
				if !reflect.DeepEqual(got, s.want) || c.last != s.last {
					t.Fatalf("step %d: gaps %v last %d, want %v last %d", i, got, c.last, s.want, s.last)
				}
			}
		})
	}
}
