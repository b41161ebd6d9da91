package attendance_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
	"jiaxiao/app/auth"
)

// BenchmarkMonthly200 computes the monthly summary of 200 teachers over a
// month of 23 work days (2026-12) on MySQL: two punches a day each, and some
// leave and make-ups.
func BenchmarkMonthly200(b *testing.B) {
	g := apptest.MySQL(b)
	w := apptest.NewLiveWorld(b, g)
	ctx := context.Background()
	hash, _ := auth.HashPassword("secret-123")
	now := time.Now().UTC()
	users := make([]auth.User, 200)
	for i := range users {
		users[i] = auth.User{Phone: fmt.Sprintf("136%08d", i), Name: fmt.Sprintf("教师%c%c", '甲'+i%20, '子'+i/20), Role: auth.RoleTeacher,
			Status: auth.StatusActive, PasswordHash: hash, Department: "语文教研组", CreatedAt: now, UpdatedAt: now}
	}
	if err := g.CreateInBatches(users, 200).Error; err != nil {
		b.Fatal(err)
	}
	admin := &auth.User{ID: users[0].ID, Role: auth.RoleAdmin}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	days, _ := attendance.MonthDays("2026-12", sh)
	var punches []attendance.Punch
	var approvals []attendance.Approval
	work := 0
	for _, d := range days {
		t, _ := time.ParseInLocation(time.DateOnly, string(d), sh)
		if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
			continue
		}
		work++
		for i, u := range users {
			in := t.Add(8*time.Hour + time.Duration(10+(i+work)%30)*time.Minute)
			out := t.Add(17*time.Hour + time.Duration(20+(i*work)%25)*time.Minute)
			punches = append(punches, attendance.Punch{UserID: u.ID, At: in.UTC(), Source: attendance.SourceTerminal, CreatedAt: now},
				attendance.Punch{UserID: u.ID, At: out.UTC(), Source: attendance.SourceTerminal, CreatedAt: now})
			if (i+work)%40 == 0 {
				approvals = append(approvals, attendance.Approval{UserID: u.ID, Kind: attendance.KindMakeup, Day: string(d), Which: "in", Reason: "bench", Status: attendance.StatusApproved, CreatedAt: now})
			}
		}
	}
	if work != 23 {
		b.Fatalf("work days %d", work)
	}
	if err := g.CreateInBatches(punches, 1000).Error; err != nil {
		b.Fatal(err)
	}
	if err := g.CreateInBatches(approvals, 500).Error; err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rows, err := w.Attendance.Month(ctx, admin, "2026-12")
		lat = append(lat, time.Since(start))
		if err != nil || len(rows) != 200 || rows[0].Summary.WorkDays != 23 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}
