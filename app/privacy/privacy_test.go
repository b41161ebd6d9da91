package privacy_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/privacy"
)

func edit(policy string, again bool) privacy.NoticeInput {
	return privacy.NoticeInput{Policy: policy, Children: "儿童规则", Officer: "王建国", Contact: "021-12345678", AsksAgain: again}
}

// TestVersions: the default is stored once as version 1 however many
// read it at once; each admin save is the next version with its author;
// a bad save names every bad field and stores nothing; only admins save.
func TestVersions(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		admin := w.User(auth.RoleAdmin, "王建国", "13800000001")
		teacher := w.User(auth.RoleTeacher, "李芳", "13800000002")
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				p := privacy.NewService(privacy.Options{DB: g})
				if n, err := p.Current(ctx); err != nil || n.Version != 1 || n.Policy != privacy.DefaultPolicy {
					t.Errorf("current at first: %d %v", n.Version, err)
				}
			})
		}
		wg.Wait()
		var n int64
		g.Model(&privacy.Notice{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d defaults stored", n)
		}
		p := w.Privacy
		if _, err := p.Publish(ctx, teacher, edit("新政策", true)); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a teacher saving: %v", err)
		}
		_, err := p.Publish(ctx, admin, privacy.NoticeInput{Policy: " ", Children: strings.Repeat("字", privacy.MaxText+1), Contact: "x"})
		v, ok := apperr.AsValidation(err)
		if !ok || v.Fields["policy"] != "请填写隐私政策" || !strings.Contains(v.Fields["children"], "不能超过 20000 字") || v.Fields["officer"] == "" || v.Fields["contact"] != "" {
			t.Fatalf("bad save: %v", err)
		}
		saved, err := p.Publish(ctx, admin, edit("  新政策  ", true))
		if err != nil || saved.Version != 2 || saved.Policy != "新政策" || saved.AuthorID == nil || *saved.AuthorID != admin.ID {
			t.Fatalf("save: %+v %v", saved, err)
		}
		if cur, _ := p.Current(ctx); cur.Version != 2 {
			t.Fatalf("current after save: %d", cur.Version)
		}
		if old, err := p.Version(ctx, 1); err != nil || old.Policy != privacy.DefaultPolicy {
			t.Fatalf("version 1 kept: %v", err)
		}
		if _, err := p.Version(ctx, 9); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("version 9: %v", err)
		}
		hist, err := p.History(ctx, admin)
		if err != nil || len(hist) != 2 || hist[0].Author != "王建国" || hist[1].AuthorID != nil {
			t.Fatalf("history %+v %v", hist, err)
		}
		// The retention periods are the defaults while the settings
		// have none of their own.
		periods, err := p.Retention(ctx)
		if err != nil || len(periods) != 6 || periods[0].Days != 730 || periods[4].Days != 30 || periods[5].Days != 7 {
			t.Fatalf("retention %+v %v", periods, err)
		}
	})
}

// TestNeedsConsent: a parent is asked when the newest version that asks
// again is newer than what they agreed to; a revision that does not ask
// again asks nobody; staff are never asked; agreeing to a replaced
// version is refused.
func TestNeedsConsent(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		p := w.Privacy
		admin := w.User(auth.RoleAdmin, "王建国", "13800000001")
		teacher := w.User(auth.RoleTeacher, "李芳", "13800000002")
		parent := w.User(auth.RoleParent, "张伟", "13900000001") // agreed to version 1
		need := func(u *auth.User) bool {
			t.Helper()
			b, err := p.NeedsConsent(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if need(parent) || need(teacher) {
			t.Fatal("asked before any change")
		}
		if _, err := p.Publish(ctx, admin, edit("错别字修订", false)); err != nil {
			t.Fatal(err)
		}
		if need(parent) {
			t.Fatal("asked after a revision that does not ask again")
		}
		if _, err := p.Publish(ctx, admin, edit("实质变更", true)); err != nil {
			t.Fatal(err)
		}
		if !need(parent) || need(teacher) || need(admin) {
			t.Fatalf("after a change: parent %v teacher %v", need(parent), need(teacher))
		}
		if err := p.AgreeCurrent(ctx, parent, 2); !errors.Is(err, privacy.ErrStale) {
			t.Fatalf("agreeing to version 2 when 3 is current: %v", err)
		}
		w.Clock.Advance(time.Hour)
		if err := p.AgreeCurrent(ctx, parent, 3); err != nil {
			t.Fatal(err)
		}
		if need(parent) {
			t.Fatal("asked after agreeing")
		}
		latest, err := p.Latest(ctx, parent.ID)
		if err != nil || latest.Version != 3 || !latest.AgreedAt.Equal(w.Clock.Now().UTC()) {
			t.Fatalf("latest %+v %v", latest, err)
		}
		all, err := privacy.Consents(ctx, g, parent.ID)
		if err != nil || len(all) != 2 || all[0].Version != 3 || all[1].Version != 1 {
			t.Fatalf("consents %+v %v", all, err)
		}
		// Another instance learns of a change when told (the settings
		// event), not before MaxAge: this one has cached "agreed".
		other := privacy.NewService(privacy.Options{DB: g})
		if b, _ := other.NeedsConsent(ctx, parent); b {
			t.Fatal("another instance asks after agreeing")
		}
		if _, err := p.Publish(ctx, admin, edit("又一次变更", true)); err != nil {
			t.Fatal(err)
		}
		other.Forget()
		if b, _ := other.NeedsConsent(ctx, parent); !b {
			t.Fatal("another instance does not ask after forgetting the old version")
		}
	})
}

// TestViewed: a view writes one row per other person and child shown
// (the viewer left out), counts a second view the same day on the same
// row, and a family reads its own rows only, newest first.
func TestViewed(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		p := w.Privacy
		head := w.User(auth.RoleTeacher, "李芳", "13800000002")
		admin := w.User(auth.RoleAdmin, "王建国", "13800000001")
		dad := w.User(auth.RoleParent, "张伟", "13900000001")
		other := w.User(auth.RoleParent, "赵国庆", "13900000006")
		shown := privacy.Shown{Kind: privacy.KindReceipts, Ref: "notice:7", Label: "通知“家长会”", Users: []uint64{dad.ID, other.ID, head.ID, dad.ID}}
		if err := p.Viewed(ctx, head, shown); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(time.Minute)
		if err := p.Viewed(ctx, head, shown); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(time.Minute)
		if err := p.Viewed(ctx, admin, privacy.Shown{Kind: privacy.KindClass, Ref: "class:1", Label: "三年级(2)班", Students: []uint64{41, 42}}); err != nil {
			t.Fatal(err)
		}
		if err := p.Viewed(ctx, head, privacy.Shown{Kind: privacy.KindMembers, Users: []uint64{head.ID}}); err != nil {
			t.Fatal(err)
		}
		var rows int64
		g.Table("pii_views").Count(&rows)
		if rows != 4 { // dad, other, students 41 and 42; never the viewer
			t.Fatalf("%d rows", rows)
		}
		lines, more, err := p.Access(ctx, dad, privacy.AccessQuery{Students: []uint64{41}})
		if err != nil || more || len(lines) != 2 {
			t.Fatalf("dad's log: %+v %v", lines, err)
		}
		if lines[0].Actor != "王建国" || lines[0].StudentID != 41 || lines[1].Actor != "李芳" || lines[1].Count != 2 || lines[1].UserID != dad.ID ||
			!lines[1].At.Equal(w.Clock.Now().Add(-time.Minute).UTC()) {
			t.Fatalf("dad's log: %+v", lines)
		}
		if lines, _, _ := p.Access(ctx, other, privacy.AccessQuery{}); len(lines) != 1 || lines[0].Kind != privacy.KindReceipts {
			t.Fatalf("the other family's log: %+v", lines)
		}
		// The next day is a new line.
		w.Clock.Advance(24 * time.Hour)
		if err := p.Viewed(ctx, head, shown); err != nil {
			t.Fatal(err)
		}
		if lines, more, _ := p.Access(ctx, dad, privacy.AccessQuery{PerPage: 1}); len(lines) != 1 || lines[0].Count != 1 || !more {
			t.Fatalf("next day: %+v, more %v", lines, more)
		}
		if lines, more, _ := p.Access(ctx, dad, privacy.AccessQuery{PerPage: 1, Page: 2}); len(lines) != 1 || lines[0].Count != 2 || more {
			t.Fatalf("the older page: %+v, more %v", lines, more)
		}
		var audits int64
		g.Table("audit_logs").Where("action = ?", "pii.view").Count(&audits)
		if audits != 4 {
			t.Fatalf("%d pii.view entries, want 4 (the view of oneself writes none)", audits)
		}
	})
}

// TestViewedAtOnce: pages shown at the same moment to several staff, of
// the same people, all record their views.
func TestViewedAtOnce(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		var viewers []*auth.User
		for i := range 6 {
			viewers = append(viewers, w.User(auth.RoleTeacher, "李芳", "1380000000"+string(rune('1'+i))))
		}
		people := make([]uint64, 300)
		for i := range people {
			people[i] = uint64(1000 + i)
		}
		var wg sync.WaitGroup
		for round := range 3 {
			for _, v := range viewers {
				wg.Go(func() {
					sh := privacy.Shown{Kind: privacy.KindUsers, Ref: "users:", Label: "用户列表", Users: people}
					if round == 1 {
						sh.Kind = privacy.KindMembers
					}
					if err := w.Privacy.Viewed(ctx, v, sh); err != nil {
						t.Errorf("view: %v", err)
					}
				})
			}
		}
		wg.Wait()
		var rows, total int64
		g.Table("pii_views").Count(&rows)
		g.Table("pii_views").Select("COALESCE(SUM(view_count), 0)").Scan(&total)
		if rows != 6*300*2 || total != 6*300*3 {
			t.Fatalf("%d rows counting %d views, want %d and %d", rows, total, 6*300*2, 6*300*3)
		}
	})
}

// TestExportAndErase: a user's export lists the versions they agreed to
// and who was shown their data; erasing them removes the access log's
// lines about them, nobody else's.
func TestExportAndErase(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		head := w.User(auth.RoleTeacher, "李芳", "13800000002")
		dad := w.User(auth.RoleParent, "张伟", "13900000001")
		mum := w.User(auth.RoleParent, "李娜", "13900000002")
		if err := w.Privacy.Viewed(ctx, head, privacy.Shown{Kind: privacy.KindReceiptsCSV, Ref: "notice:3", Label: "通知“秋游”", Users: []uint64{dad.ID, mum.ID}}); err != nil {
			t.Fatal(err)
		}
		got, err := w.Privacy.ForExport(ctx, dad.ID)
		if err != nil {
			t.Fatal(err)
		}
		e := got.(privacy.Exported)
		if len(e.Consents) != 1 || e.Consents[0].Version != 1 || e.Consents[0].Text != "/privacy?v=1" ||
			len(e.Views) != 1 || e.Views[0].Viewer != "李芳" || e.Views[0].What != "导出了通知阅读情况（含手机号）" || e.Views[0].About != "通知“秋游”" {
			t.Fatalf("export %+v", e)
		}
		if err := g.Transaction(func(tx *gorm.DB) error { return privacy.Erase(ctx, tx, dad.ID) }); err != nil {
			t.Fatal(err)
		}
		if lines, _, _ := w.Privacy.Access(ctx, dad, privacy.AccessQuery{}); len(lines) != 0 {
			t.Fatalf("erased parent's log: %+v", lines)
		}
		if lines, _, _ := w.Privacy.Access(ctx, mum, privacy.AccessQuery{}); len(lines) != 1 {
			t.Fatalf("the other parent's log: %+v", lines)
		}
	})
}
