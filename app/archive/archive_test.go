package archive_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/archive"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/school"
)

func TestDocumentsAndSearch(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		ctx := context.Background()
		w.Students("年级,班级,学号,姓名\n3,2,20230201,张小明\n3,3,20230301,赵雷\n", school.ImportOptions{})
		w.Staff("姓名,手机,角色,部门,任教班级,班主任\n王建国,13800000001,管理员,校长室,,\n李芳,13800000002,教师,语文教研组,3年级2班,3年级2班\n")
		head, admin := w.ByPhone("13800000002"), w.ByPhone("13800000001")
		c32, c33 := w.ClassGroup(3, 2), w.ClassGroup(3, 3)
		doc := func(name string) *file.Prepared {
			p, err := file.Prepare("file", name, []byte("%PDF-1.4 "+name))
			if err != nil {
				t.Fatal(err)
			}
			return &p
		}
		parent := w.User(auth.RoleParent, "张伟", "13900000001")
		if _, err := w.Archive.FileDocument(ctx, parent, "家长的文件", "文件", c32.ID, doc("a.pdf")); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent filing: %v", err)
		}
		if _, err := w.Archive.FileDocument(ctx, head, "别班的报表", "报表", c33.ID, doc("b.pdf")); err == nil {
			t.Fatal("filed into a group the teacher is not in")
		}
		if _, err := w.Archive.FileDocument(ctx, head, "x", "照片", c32.ID, nil); err == nil {
			t.Fatal("bad form accepted")
		}
		// Twenty-five documents over three months.
		start := w.Clock.Now()
		for i := 0; i < 25; i++ {
			w.Clock.Set(start.AddDate(0, 0, -i*4))
			cat := "文件"
			if i%5 == 0 {
				cat = "报表"
			}
			if _, err := w.Archive.FileDocument(ctx, head, fmt.Sprintf("第%d周教学计划", i+1), cat, c32.ID, doc(fmt.Sprintf("plan%d.pdf", i))); err != nil {
				t.Fatal(err)
			}
		}
		w.Clock.Set(start)
		hits, total, err := w.Archive.Search(ctx, head, archive.Query{})
		if err != nil || total != 25 || len(hits) != archive.PageSize || hits[0].Title != "第1周教学计划" || hits[0].Groups != c32.Name {
			t.Fatalf("page 1: %d %d %v", total, len(hits), err)
		}
		if hits, _, _ := w.Archive.Search(ctx, head, archive.Query{Page: 2}); len(hits) != 5 {
			t.Fatalf("page 2: %d", len(hits))
		}
		if _, total, _ := w.Archive.Search(ctx, head, archive.Query{Category: "报表"}); total != 5 {
			t.Fatalf("category: %d", total)
		}
		if _, total, _ := w.Archive.Search(ctx, head, archive.Query{Q: "第1周"}); total != 1 {
			t.Fatalf("keyword: %d", total)
		}
		if _, total, _ := w.Archive.Search(ctx, head, archive.Query{Q: "100%_"}); total != 0 {
			t.Fatalf("wildcards are literal: %d", total)
		}
		if _, total, _ := w.Archive.Search(ctx, head, archive.Query{From: start.AddDate(0, 0, -10), To: start.Add(time.Hour)}); total != 3 {
			t.Fatalf("date range: %d", total)
		}
		if _, total, _ := w.Archive.Search(ctx, head, archive.Query{GroupID: c33.ID}); total != 0 {
			t.Fatalf("another group: %d", total)
		}
		if _, total, _ := w.Archive.Search(ctx, admin, archive.Query{}); total != 25 {
			t.Fatalf("admin: %d", total)
		}
		if _, total, _ := w.Archive.Search(ctx, parent, archive.Query{}); total != 0 {
			t.Fatalf("a parent outside the group: %d", total)
		}
		if _, _, err := w.Archive.Get(ctx, parent, hits[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("parent opening an entry: %v", err)
		}
		// The bundle job writes each document.
		if _, err := w.Worker().RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		h, files, err := w.Archive.Get(ctx, head, hits[0].ID)
		if err != nil || h.ArchivedAt == nil || len(files) != 1 {
			t.Fatalf("archived: %+v %v", h, err)
		}
		if _, err := w.Store.Stat(ctx, h.BundleKey); err != nil {
			t.Fatalf("bundle %s: %v", h.BundleKey, err)
		}
	})
}
