package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
)

func TestRecentNamesActorsForAdminsOnly(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
		admin := &auth.User{Phone: "13800000001", Name: "王建国", Role: auth.RoleAdmin, Status: auth.StatusActive, CreatedAt: now, UpdatedAt: now}
		teacher := &auth.User{Phone: "13800000002", Name: "李芳", Role: auth.RoleTeacher, Status: auth.StatusActive, CreatedAt: now, UpdatedAt: now}
		for _, u := range []*auth.User{admin, teacher} {
			if err := g.Create(u).Error; err != nil {
				t.Fatal(err)
			}
		}
		gone := uint64(999999)
		for i, e := range []audit.Entry{
			{Action: "user.create", Subject: "user:1"},
			{ActorID: &admin.ID, Action: "group.remove", Subject: "user:2", Detail: "发广告"},
			{ActorID: &gone, Action: "user.depart", Subject: "user:3"},
		} {
			e.CreatedAt = now.Add(time.Duration(i) * time.Minute)
			if err := audit.Record(ctx, g, e); err != nil {
				t.Fatal(err)
			}
		}

		names := func(ctx context.Context, ids []uint64) (map[uint64]string, error) { return auth.Names(ctx, g, ids) }
		if _, err := audit.Recent(ctx, g, teacher, 10, names); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("teacher reading the log: %v, want forbidden", err)
		}
		if _, err := audit.Recent(ctx, g, (*auth.User)(nil), 10, names); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("nobody reading the log: %v, want forbidden", err)
		}
		lines, err := audit.Recent(ctx, g, admin, 2, names)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 2 {
			t.Fatalf("got %d lines, want the 2 newest", len(lines))
		}
		if lines[0].Action != "user.depart" || lines[0].ActorName != "" {
			t.Errorf("newest = %+v, want user.depart by an unknown actor", lines[0])
		}
		if lines[1].Action != "group.remove" || lines[1].ActorName != "王建国" || lines[1].Detail != "发广告" {
			t.Errorf("second = %+v, want group.remove by 王建国", lines[1])
		}
		if !lines[1].CreatedAt.Equal(now.Add(time.Minute)) {
			t.Errorf("time = %v, want %v", lines[1].CreatedAt, now.Add(time.Minute))
		}
	})
}
