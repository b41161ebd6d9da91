package setting_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/setting"
)

func TestSettings(t *testing.T) {
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
		if _, err := s.Update(ctx, admin, map[string]string{"guardians_per_student": "3", "work_start": "8:00", "school_lat": "31.2304"}); err != nil {
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
