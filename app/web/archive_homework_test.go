package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/archive"
	"jiaxiao/app/file"
	"jiaxiao/app/homework"
)

// TestArchivedHomework: homework set to 3-2 is in the archive for the
// class's families and teachers and admins (category 作业), with subject,
// due time, its file, and a link to the homework that opens; 3-3's people
// find nothing and open nothing.
func TestArchivedHomework(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		w := s.world
		ctx := context.Background()
		p, err := file.Prepare("file", "朗读材料.pdf", []byte("%PDF-1.4\n朗读"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := w.Homework.Create(ctx, w.ByPhone("13800000002"), homework.CreateInput{Title: "朗读课文", Subject: "语文", Body: "朗读第七课三遍。",
			ClassIDs: []uint64{*s.c32.ClassID}, Due: "2026-11-04 20:00", Files: []file.Prepared{p}})
		if err != nil {
			t.Fatal(err)
		}
		var e archive.Entry
		if err := g.Where("homework_id = ?", a.ID).Take(&e).Error; err != nil {
			t.Fatal(err)
		}
		search := "/archive?" + url.Values{"q": {"第七课"}, "category": {"作业"}}.Encode()
		entry := "/archive/" + strconv.FormatUint(e.ID, 10)
		for actor, want := range map[string]int{"parent-member": 1, "teacher-class": 1, "owner": 1, "admin": 1, "parent-other": 0, "teacher-other": 0} {
			r := s.clients[actor].Get(search)
			if n := r.Doc.Find(`[data-testid="archive-hit"]`).Length(); r.StatusCode != 200 || n != want {
				t.Errorf("%s searching: %d, %d hits, want %d", actor, r.StatusCode, n, want)
			}
			status := 200
			if want == 0 {
				status = 404
			}
			if r := s.clients[actor].Get(entry); r.StatusCode != status {
				t.Errorf("%s GET %s: %d, want %d", actor, entry, r.StatusCode, status)
			}
		}
		parent := s.clients["parent-member"]
		r := parent.Get(search)
		if !strings.Contains(r.TestID("archive-hit"), "归档中") {
			t.Errorf("before the job: %q", r.TestID("archive-hit"))
		}
		if r.Doc.Find(`select[name="category"] option[value="作业"]`).Length() != 1 {
			t.Error("no 作业 category to search by")
		}
		if _, err := w.Worker().RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		r = parent.Get(entry)
		if got := r.TestID("archive-homework"); !strings.Contains(got, "语文") || !strings.Contains(got, "2026-11-04 20:00") {
			t.Errorf("subject and due time: %q", got)
		}
		if !strings.Contains(r.Doc.Find("article").Text(), "已归档") {
			t.Error("not shown archived after the job")
		}
		link, _ := r.Doc.Find(`[data-testid="archive-source"]`).Attr("href")
		if link != "/homework/"+strconv.FormatUint(a.ID, 10) || r.TestID("archive-source") != "查看原作业" {
			t.Fatalf("link to the homework: %q %q", link, r.TestID("archive-source"))
		}
		if r := parent.Get(link); r.StatusCode != 200 {
			t.Errorf("the link does not open: %d", r.StatusCode)
		}
		fileURL, _ := r.Doc.Find(`[data-testid="archive-file"]`).Attr("href")
		if fileURL == "" {
			t.Fatal("no file on the entry")
		}
		for actor, want := range map[string]int{"parent-member": 200, "admin": 200, "parent-other": 404, "teacher-other": 404} {
			if r := s.clients[actor].Get(fileURL); r.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", actor, fileURL, r.StatusCode, want)
			}
		}
	})
}
