package demo_test

import (
	"context"
	"testing"
	"time"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
	"jiaxiao/app/demo"
	"jiaxiao/app/notice"
)

func TestDemoHasEveryAttendanceStatus(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	w := apptest.NewLiveWorld(t, g)
	ctx := context.Background()
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	svc := demo.Services{Auth: w.Auth, School: w.School, Groups: w.Groups, Messages: w.Messages, Notices: w.Notices, DB: g, Location: sh,
		NoticesAt: func(now func() time.Time) *notice.Service { return w.Notices }}
	for range 2 {
		if _, err := demo.Load(ctx, svc); err != nil {
			t.Fatal(err)
		}
	}
	admin := w.ByPhone("13800000001")
	last := time.Now().In(sh).AddDate(0, -1, 0).Format("2006-01")
	rows, err := w.Attendance.Month(ctx, admin, last)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[attendance.Status]bool{}
	for _, r := range rows {
		for _, d := range r.Days {
			seen[d.Status] = true
		}
	}
	for _, s := range []attendance.Status{attendance.Normal, attendance.Late, attendance.Early, attendance.Missing, attendance.Absent,
		attendance.OnLeave, attendance.Field, attendance.Rest} {
		if !seen[s] {
			t.Errorf("no %s day in the demo's %s", s, last)
		}
	}
	var makeups int
	for _, r := range rows {
		makeups += r.Summary.Makeups
	}
	if makeups == 0 {
		t.Error("no make-up punch in the demo")
	}
}
