package setting_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/setting"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		s := setting.NewService(g, nil)
		admin := &auth.User{ID: 1, Role: auth.RoleAdmin}
		teacher := &auth.User{ID: 2, Role: auth.RoleTeacher}
		got, err := s.Get(ctx)
		if err != nil || got != setting.Defaults() {
			t.Fatalf("defaults: %+v %v", got, err)
		}
		if got.GuardiansPerStudent != 2 || got.WorkStart != "08:30" || got.DingAfterOffhoursMin != 720 {
			t.Fatalf("defaults %+v", got)
		}
		if _, err := s.Update(ctx, teacher, map[string]string{"guardians_per_student": "3"}); err == nil {
			t.Fatal("non-admin changed settings")
		}
		_, err = s.Update(ctx, admin, map[string]string{"guardians_per_student": "0", "work_start": "8点半", "school_lat": "91"})
		v, ok := apperr.AsValidation(err)
		if !ok || len(v.Fields) != 3 {
			t.Fatalf("want three field errors, got %v", err)
		}
		if got, _ := s.Get(ctx); got.GuardiansPerStudent != 2 {
			t.Fatal("a failed update stored something")
		}
		if _, err := s.Update(ctx, admin, map[string]string{"guardians_per_student": "3", "work_start": "8:00", "school_lat": "31.2304", "school_lng": "121.4737"}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Get(ctx)
		if got.GuardiansPerStudent != 3 || got.WorkStart != "08:00" || got.SchoolLat != 31.2304 || got.WorkEnd != "17:30" {
			t.Fatalf("after update %+v", got)
		}
		// Updating again (upsert) works on both dialects.
		if _, err := s.Update(ctx, admin, map[string]string{"guardians_per_student": "4"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx); got.GuardiansPerStudent != 4 || got.WorkStart != "08:00" {
			t.Fatalf("second update %+v", got)
		}
	})
}

// TestCacheAcrossInstances: each instance keeps the settings and the
// calendar in memory. A change is seen at once by the instance that made
// it; it publishes an event through which the others drop their copies.
func TestCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		a, b := setting.NewService(g, nil), setting.NewService(g, nil)
		admin := &auth.User{ID: 1, Role: auth.RoleAdmin}
		if got, _ := b.Get(ctx); got.GuardiansPerStudent != 2 {
			t.Fatalf("defaults: %+v", got)
		}
		if _, err := b.Calendar(ctx); err != nil {
			t.Fatal(err)
		}
		var before int64
		g.Model(&event.Event{}).Where("kind = ?", event.Settings).Count(&before)
		if _, err := a.Update(ctx, admin, map[string]string{"guardians_per_student": "4"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.Get(ctx); got.GuardiansPerStudent != 4 {
			t.Fatalf("the updating instance reads %d", got.GuardiansPerStudent)
		}
		// Instance b still serves its copy: proof that it reads from memory.
		if got, _ := b.Get(ctx); got.GuardiansPerStudent != 2 {
			t.Fatalf("instance b read the database (%d), not its cache", got.GuardiansPerStudent)
		}
		var after int64
		g.Model(&event.Event{}).Where("kind = ? AND user_id = 0 AND group_id = 0", event.Settings).Count(&after)
		if after != before+1 {
			t.Fatalf("settings events: %d before, %d after; want one published", before, after)
		}
		b.Invalidate() // what b's hub does on reading that event
		if got, _ := b.Get(ctx); got.GuardiansPerStudent != 4 {
			t.Fatalf("after invalidation instance b reads %d", got.GuardiansPerStudent)
		}

		// The calendar the same way.
		day := calendar.Day("2026-12-05") // a Saturday
		if cal, _ := b.Calendar(ctx); cal.IsWorkDay(day) {
			t.Fatal("Saturday is a work day")
		}
		if err := db.InTx(ctx, g, func(tx *gorm.DB) error { return calendar.Set(ctx, tx, day, true, "补课", time.Now()) }); err != nil {
			t.Fatal(err)
		}
		if cal, _ := b.Calendar(ctx); cal.IsWorkDay(day) {
			t.Fatal("instance b read the calendar from the database, not its cache")
		}
		var cals int64
		g.Model(&event.Event{}).Where("kind = ?", event.Calendar).Count(&cals)
		if cals == 0 {
			t.Fatal("calendar.Set published no event")
		}
		b.InvalidateCalendar()
		if cal, _ := b.Calendar(ctx); !cal.IsWorkDay(day) {
			t.Fatal("after invalidation the school's make-up Saturday is not a work day")
		}
	})
}

// A read through a transaction that began before a change (MySQL's
// snapshot) sees the old settings, and that copy is not kept: the next
// Get reads the new ones.
func TestSnapshotReadIsNotKept(t *testing.T) {
	t.Parallel()
	g := apptest.MySQL(t)
	ctx := context.Background()
	s := setting.NewService(g, nil)
	admin := &auth.User{ID: 1, Role: auth.RoleAdmin}
	tx := g.Begin()
	defer tx.Rollback()
	var n int64
	if err := tx.Raw("SELECT COUNT(*) FROM settings").Scan(&n).Error; err != nil { // the snapshot begins
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, admin, map[string]string{"guardians_per_student": "4"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetIn(ctx, tx); err != nil || got.GuardiansPerStudent != 2 {
		t.Fatalf("inside the older transaction: %d %v (want its snapshot, 2)", got.GuardiansPerStudent, err)
	}
	if got, _ := s.Get(ctx); got.GuardiansPerStudent != 4 {
		t.Fatalf("after it, Get reads %d: the snapshot's copy was kept", got.GuardiansPerStudent)
	}
}

// A value longer than any setting is refused by the service itself,
// before it is parsed, whoever calls it.
func TestUpdateRefusesLongValues(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	admin := w.User(auth.RoleAdmin, "王建国", "13800000001")
	_, err := w.Settings.Update(context.Background(), admin, map[string]string{"geofence_m": strings.Repeat("9", setting.MaxValue+1)})
	ve, ok := apperr.AsValidation(err)
	if !ok || !strings.Contains(ve.Fields["geofence_m"], "太长") {
		t.Fatalf("a %d-character value: %v", setting.MaxValue+1, err)
	}
}

// TestHomeworkReminderSetting: homework_remind_before_min is a reminder
// setting, 120 by default, 0 allowed (no reminder), bounded.
func TestHomeworkReminderSetting(t *testing.T) {
	t.Parallel()
	d := setting.Defaults()
	if d.HomeworkRemindBeforeMin != 120 {
		t.Fatalf("default %d", d.HomeworkRemindBeforeMin)
	}
	var f *setting.Field
	for _, x := range d.Form() {
		if x.Name == "homework_remind_before_min" {
			f = &x
		}
	}
	if f == nil || f.Group != "remind" || f.Value != "120" || f.Default != "120 分钟" || f.Min != 0 || f.Label == "" || f.Help == "" {
		t.Fatalf("the form field: %+v", f)
	}
}
