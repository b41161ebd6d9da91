package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/studentleave"
)

// benchDay is the day the school's summary is read for: a Tuesday.
const benchDay = "2026-12-01"

// dayAdd is day moved by n days.
func dayAdd(day string, n int) string {
	d, _ := time.Parse(time.DateOnly, day)
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}

// symptomSets are the symptoms of the 病假 seeded, in turn.
var symptomSets = []string{"发热,咳嗽", "发热", "呕吐,腹泻", "咳嗽", "皮疹", "发热,咳嗽,其他"}

// seedLeaveDay writes in bulk the leave of one day: every away-th family's
// child away on day, approved (two in five 病假 with symptoms; a few
// for the afternoon only), and, when away is 4 or more, as many requests
// again that keep nobody away on day (pending, rejected, cancelled, back
// the day before). It returns how many are away on 事假 and on 病假.
func seedLeaveDay(tb testing.TB, g *gorm.DB, fams []apptest.Family, day string, away int) (personal, sick int) {
	tb.Helper()
	now := time.Now().UTC()
	decider := uint64(1)
	var ls []studentleave.Leave
	for i, f := range fams {
		k := i / away
		l := studentleave.Leave{StudentID: f.Student.ID, ClassID: f.Student.ClassID, ParentID: f.ParentID, Kind: studentleave.Personal,
			StartDate: dayAdd(day, -(k % 3)), StartHalf: studentleave.AM, EndDate: dayAdd(day, k%2), EndHalf: studentleave.PM,
			Reason: "家里有事，请假一天。", Status: studentleave.Approved, DecidedBy: &decider, DecidedAt: &now, CreatedAt: now}
		if k%5 < 2 {
			l.Kind, l.Symptoms, l.Reason = studentleave.Sick, symptomSets[k%len(symptomSets)], "昨晚开始不舒服，在家休息。"
		}
		if k%7 == 3 {
			l.StartDate, l.EndDate, l.StartHalf = day, day, studentleave.PM
		}
		switch {
		case i%away == 0:
			if l.Kind == studentleave.Sick {
				sick++
			} else {
				personal++
			}
		case away >= 4 && i%away == away/2:
			switch k % 4 {
			case 0:
				l.Status, l.DecidedBy, l.DecidedAt = studentleave.Pending, nil, nil
			case 1:
				l.Status, l.RejectReason = studentleave.Rejected, "期中考试当天，请尽量到校。"
			case 2:
				l.Status, l.DecidedBy, l.DecidedAt = studentleave.Cancelled, nil, nil
			case 3:
				back := mustDay(dayAdd(day, -1))
				l.Status, l.ReturnedBy, l.ReturnedAt = studentleave.Returned, &decider, &back
			}
		default:
			continue
		}
		l.HalfDays = 2 * (1 + int(mustDay(l.EndDate).Sub(mustDay(l.StartDate)).Hours()/24))
		ls = append(ls, l)
	}
	if err := g.CreateInBatches(ls, 500).Error; err != nil {
		tb.Fatal(err)
	}
	return personal, sick
}

// seedLeaveHistory writes in bulk the leave that ended before day:
// perChild requests per child spread over the days before it, approved
// and most marked back.
func seedLeaveHistory(tb testing.TB, g *gorm.DB, fams []apptest.Family, day string, perChild, days int) {
	tb.Helper()
	now := time.Now().UTC()
	decider := uint64(1)
	ls := make([]studentleave.Leave, 0, perChild*len(fams))
	for i, f := range fams {
		for j := 0; j < perChild; j++ {
			start := dayAdd(day, -(4 + (i*7+j*53)%(days-4)))
			l := studentleave.Leave{StudentID: f.Student.ID, ClassID: f.Student.ClassID, ParentID: f.ParentID, Kind: studentleave.Personal,
				StartDate: start, StartHalf: studentleave.AM, EndDate: dayAdd(start, (i+j)%3), EndHalf: studentleave.PM, Reason: "外出办事。",
				Status: studentleave.Approved, DecidedBy: &decider, DecidedAt: &now, CreatedAt: now}
			if (i+j)%3 == 0 {
				l.Kind, l.Symptoms, l.Reason = studentleave.Sick, symptomSets[(i+j)%len(symptomSets)], "感冒发烧。"
			}
			if (i+j)%4 != 0 {
				back := mustDay(l.EndDate).Add(24 * time.Hour)
				l.Status, l.ReturnedBy, l.ReturnedAt = studentleave.Returned, &decider, &back
			}
			l.HalfDays = 2 * (1 + (i+j)%3)
			ls = append(ls, l)
		}
	}
	if err := g.CreateInBatches(ls, 500).Error; err != nil {
		tb.Fatal(err)
	}
}

func mustDay(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// BenchmarkStudentLeaveDay is the school's day (GET /admin/student-leave
// and its CSV) over HTTP as an admin, for schools of 500 and 2,000
// students in classes of 50, with one child in twenty away on the day
// (two in five of them 病假 with symptoms), as many requests again that
// keep nobody away, and a history of four requests per child a year (one
// year; three for the 2,000 again), on SQLite and MySQL; static is the
// server's stylesheet, the reference.
func BenchmarkStudentLeaveDay(b *testing.B) {
	for _, kind := range benchDBs {
		for _, c := range []struct{ classes, years int }{{10, 1}, {40, 1}, {40, 3}} {
			name := fmt.Sprintf("%s/students=%d", kind, c.classes*50)
			if c.years > 1 {
				name += fmt.Sprintf("/history=%dy", c.years)
			}
			b.Run(name, func(b *testing.B) {
				g := benchDB(b, kind)
				s := newBenchSchool(b, g, "", slices.Repeat([]int{50}, c.classes)...)
				s.world.User(auth.RoleAdmin, "赵敏", "13800000009")
				for y := 0; y < c.years; y++ {
					seedLeaveHistory(b, g, s.families, dayAdd(benchDay, -365*y), 4, 365)
				}
				personal, sick := seedLeaveDay(b, g, s.families, benchDay, 20)
				c := s.client(b, "13800000009")
				total := fmt.Sprintf("事假 %d 人，病假 %d 人", personal, sick)
				b.Run("page", func(b *testing.B) {
					s.benchGet(b, c, "/admin/student-leave?date="+benchDay, func(body string) bool { return strings.Contains(body, total) })
				})
				b.Run("csv", func(b *testing.B) {
					s.benchGet(b, c, "/admin/student-leave.csv?date="+benchDay, func(body string) bool { return strings.Count(body, "\n") == personal+sick+1 })
				})
				// What the two read through the student leave service,
				// without the web layer.
				admin := s.world.ByPhone("13800000009")
				b.Run("read", func(b *testing.B) {
					s.benchCall(b, func() error {
						v, err := s.world.Leave.Day(context.Background(), admin, benchDay)
						if err == nil && len(v.Rows) != personal+sick {
							err = fmt.Errorf("%d rows", len(v.Rows))
						}
						return err
					})
				})
				b.Run("static", func(b *testing.B) { s.benchGet(b, apptest.NewClient(b, s.url), s.css, nil) })
			})
		}
	}
}

// TestSheetAndDayStatementsFlat: the submissions page and CSV of a class,
// and the school's day and its CSV, run as many SQL statements for a
// bigger class or more children away as for a smaller one.
func TestSheetAndDayStatementsFlat(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newBenchSchool(t, g, sheetStaff, 4, 12)
		s.world.User(auth.RoleAdmin, "赵敏", "13800000009")
		heads := []string{"13800000002", "13800000003"}
		counts := map[string][]int{}
		for i, fams := range byClass(s.families) {
			a := setHomework(t, s, heads[i], fams, 2)
			c := s.client(t, heads[i])
			for _, path := range []string{"", ".csv"} {
				sql := s.statementsOf(t, c, fmt.Sprintf("/homework/%d/submissions%s", a.ID, path))
				t.Logf("sheet%s of %d: %d statements\n  %s", path, len(fams), len(sql), strings.Join(sql, "\n  "))
				counts["sheet"+path] = append(counts["sheet"+path], len(sql))
			}
		}
		// A day with one class's children away, and a week later one
		// with every child of the school away.
		later := dayAdd(benchDay, 7)
		seedLeaveDay(t, g, byClass(s.families)[0], benchDay, 1)
		seedLeaveDay(t, g, s.families, later, 1)
		c := s.client(t, "13800000009")
		for _, day := range []string{benchDay, later} {
			for _, path := range []string{"/admin/student-leave", "/admin/student-leave.csv"} {
				sql := s.statementsOf(t, c, path+"?date="+day)
				t.Logf("%s on %s: %d statements\n  %s", path, day, len(sql), strings.Join(sql, "\n  "))
				counts[path] = append(counts[path], len(sql))
			}
		}
		for what, n := range counts {
			if len(n) != 2 || n[1] > n[0] {
				t.Errorf("%s: %v statements, smaller then bigger: more rows must not cost more statements", what, n)
			}
		}
	})
}
