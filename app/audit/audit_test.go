package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
)

// TestReadNamesAndFilters: admins only read the log, a page at a time,
// newest first, by category and by person, with the names every entry
// needs read once per kind.
func TestReadNamesAndFilters(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
		admin := &auth.User{Phone: "13800000001", Name: "王建国", Role: auth.RoleAdmin, Status: auth.StatusActive, CreatedAt: now, UpdatedAt: now}
		teacher := &auth.User{Phone: "13800000002", Name: "李芳", Role: auth.RoleTeacher, Status: auth.StatusActive, CreatedAt: now, UpdatedAt: now}
		parent := &auth.User{Phone: "13900000001", Name: "刘敏", Role: auth.RoleParent, Status: auth.StatusActive, CreatedAt: now, UpdatedAt: now}
		for _, u := range []*auth.User{admin, teacher, parent} {
			if err := g.Create(u).Error; err != nil {
				t.Fatal(err)
			}
		}
		gone := uint64(999999)
		entries := []audit.Entry{
			{Action: "user.create", Subject: fmt.Sprintf("user:%d", parent.ID), Detail: "role=parent"},
			{ActorID: &teacher.ID, Action: "join.approve", Subject: "group:7", Detail: fmt.Sprintf("request:1 parent:%d student:3 roster_match=true", parent.ID)},
			{ActorID: &admin.ID, Action: "group.remove", Subject: "group:7", Detail: fmt.Sprintf("user:%d ban=true reason=多次发布广告", parent.ID)},
			{ActorID: &gone, Action: "user.depart", Subject: fmt.Sprintf("user:%d", teacher.ID)},
			{ActorID: &admin.ID, Action: "settings.update", Detail: "打卡范围：300 → 500 米"},
			// Someone whose id starts with the parent's is not the parent.
			{ActorID: &admin.ID, Action: "group.mute", Subject: "group:7", Detail: fmt.Sprintf("user:%d1 minutes=60", parent.ID)},
		}
		for i, e := range entries {
			e.CreatedAt = now.Add(time.Duration(i) * time.Minute)
			if err := audit.Record(ctx, g, e); err != nil {
				t.Fatal(err)
			}
		}
		asked := map[audit.Kind][][]uint64{}
		lookups := map[audit.Kind]audit.Lookup{
			audit.KindUser: func(ctx context.Context, ids []uint64) (map[uint64]string, error) {
				asked[audit.KindUser] = append(asked[audit.KindUser], ids)
				return auth.Names(ctx, g, ids)
			},
			audit.KindGroup: func(ctx context.Context, ids []uint64) (map[uint64]string, error) {
				asked[audit.KindGroup] = append(asked[audit.KindGroup], ids)
				return map[uint64]string{7: "三年级(2)班家校群"}, nil
			},
		}
		if _, err := audit.Read(ctx, g, teacher, audit.Query{}, lookups); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("teacher reading the log: %v, want forbidden", err)
		}
		if _, err := audit.Read(ctx, g, (*auth.User)(nil), audit.Query{}, lookups); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("nobody reading the log: %v, want forbidden", err)
		}

		p, err := audit.Read(ctx, g, admin, audit.Query{Limit: 4}, lookups)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) != 4 || p.Entries[0].Action != "group.mute" || p.Entries[3].Action != "group.remove" || p.Next != p.Entries[3].ID {
			t.Fatalf("first page: %d entries, next %d", len(p.Entries), p.Next)
		}
		if len(asked[audit.KindUser]) != 1 || len(asked[audit.KindGroup]) != 1 {
			t.Fatalf("names read %d and %d times for one page, want once per kind", len(asked[audit.KindUser]), len(asked[audit.KindGroup]))
		}
		loc := time.FixedZone("CST", 8*3600)
		text := func(p audit.Page, i int) string { return audit.Text(audit.Sentence(p.Entries[i], p.Names, now, loc)) }
		if got, want := text(p, 1), "王建国 于 今天 16:04 修改了学校设置（打卡范围：300 → 500 米）"; got != want {
			t.Errorf("settings = %q, want %q", got, want)
		}
		if got, want := text(p, 2), "（已注销的用户） 于 今天 16:03 将 李芳 标记为离职"; got != want {
			t.Errorf("departure = %q, want %q", got, want)
		}
		if got, want := text(p, 3), "王建国 于 今天 16:02 将 刘敏 移出 三年级(2)班家校群，并禁止再次申请，理由：多次发布广告"; got != want {
			t.Errorf("removal = %q, want %q", got, want)
		}
		next, err := audit.Read(ctx, g, admin, audit.Query{Limit: 4, Before: p.Next}, lookups)
		if err != nil || len(next.Entries) != 2 || next.Next != 0 || next.Entries[0].Action != "join.approve" {
			t.Fatalf("second page: %+v %v", next, err)
		}
		if got, want := text(next, 0), "李芳 于 今天 16:01 批准 刘敏 加入 三年级(2)班家校群（名册匹配）"; got != want {
			t.Errorf("approval = %q, want %q", got, want)
		}
		if got, want := text(next, 1), "系统 于 今天 16:00 创建了 刘敏 的账号（家长）"; got != want {
			t.Errorf("account = %q, want %q", got, want)
		}

		actions := func(q audit.Query) string {
			q.Limit = 50
			p, err := audit.Read(ctx, g, admin, q, lookups)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range p.Entries {
				out = append(out, e.Action)
			}
			return strings.Join(out, " ")
		}
		if got := actions(audit.Query{Person: parent.ID}); got != "group.remove join.approve user.create" {
			t.Errorf("about the parent: %q", got)
		}
		if got := actions(audit.Query{Person: teacher.ID}); got != "user.depart join.approve" {
			t.Errorf("about the teacher: %q", got)
		}
		if got := actions(audit.Query{Category: "remove"}); got != "group.mute group.remove" {
			t.Errorf("removals and mutes: %q", got)
		}
		if got := actions(audit.Query{Category: "join", Person: teacher.ID}); got != "join.approve" {
			t.Errorf("the teacher's admissions: %q", got)
		}
		if got := actions(audit.Query{Category: "no-such"}); len(strings.Fields(got)) != len(entries) {
			t.Errorf("an unknown category filters: %q", got)
		}
	})
}
