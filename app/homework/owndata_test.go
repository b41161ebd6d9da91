package homework_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/homework"
)

type fileRef struct {
	ID               uint64
	Name, Path, Note string
}

// exported is the homework section of data.json as a reader sees it.
type exported struct {
	Submissions []struct {
		Assignment, Subject, Student, Class, Body string
		StudentNo                                 string `json:"student_no"`
		SubmittedAt                               string `json:"submitted_at"`
		Late                                      bool
		Status                                    string
		StatusLabel                               string `json:"status_label"`
		Grade, Comment                            string
		Featured                                  bool
		ReviewedAt                                *string `json:"reviewed_at"`
		Files                                     []fileRef
	}
	Assignments []struct {
		Title, Subject, Body string
		Classes              []string
		DueAt                string `json:"due_at"`
		Files                []fileRef
	} `json:"assignments_set"`
	Reviews []struct {
		Assignment, Student, Class, Grade, Comment string
		StatusLabel                                string `json:"status_label"`
		Featured                                   bool
	}
	Cut []string
}

// exportOf runs u's export and reads the zip back: data.json's homework
// section, the whole data.json as text, and every file in the zip.
func exportOf(t *testing.T, f *fx, u *auth.User) (exported, string, map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	e, err := f.Export.Begin(ctx, u, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var buf bytes.Buffer
	if err := e.Write(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var d struct {
		Homework *exported `json:"homework"`
	}
	if err := json.Unmarshal(files["data.json"], &d); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	if d.Homework == nil {
		t.Fatalf("data.json has no homework section:\n%s", files["data.json"])
	}
	return *d.Homework, string(files["data.json"]), files
}

// stored reads a file's content back from storage.
func stored(t *testing.T, f *fx, id uint64) []byte {
	t.Helper()
	ctx := context.Background()
	fl, err := f.Files.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := f.Files.Open(ctx, fl)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A parent's export holds the work they handed in, its photos in the zip
// and the teacher's mark; the teacher's holds what they set and marked;
// another family's holds none of it.
func TestExportHoldsHomework(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a := f.set(t)
		sub, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "已背熟，录音见照片。",
			Files: []file.Prepared{photo(t, "背诵1.png"), photo(t, "背诵2.png")}})
		if err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(2 * 24 * time.Hour) // past the due time
		if _, err := f.Homework.Submit(ctx, f.wang, a.ID, homework.SubmitInput{StudentID: f.wangfang, Body: "王芳的作业"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, sub.ID, homework.ReviewInput{Grade: "优", Comment: "背得很流利", Featured: true}); err != nil {
			t.Fatal(err)
		}

		d, text, files := exportOf(t, f, f.dad)
		if len(d.Submissions) != 1 {
			t.Fatalf("dad's export: %d submissions, want 1:\n%s", len(d.Submissions), text)
		}
		s := d.Submissions[0]
		if s.Assignment != "背诵古诗" || s.Subject != "语文" || s.Student != "张小明" || s.StudentNo != "20230201" || s.Class != "三年级(2)班" ||
			s.Body != "已背熟，录音见照片。" || s.Status != homework.Reviewed || s.StatusLabel != "已批改" || s.Grade != "优" ||
			s.Comment != "背得很流利" || !s.Featured || s.Late || s.ReviewedAt == nil || !strings.HasSuffix(s.SubmittedAt, "+08:00") {
			t.Errorf("dad's submission: %+v", s)
		}
		if len(s.Files) != 2 {
			t.Fatalf("dad's submission files: %+v", s.Files)
		}
		for i, sf := range s.Files {
			if want := []string{"背诵1.png", "背诵2.png"}[i]; sf.Name != want || sf.Path == "" || sf.Note != "" {
				t.Errorf("file %d: %+v, want %s in the zip", i, sf, want)
				continue
			}
			if got := files[sf.Path]; len(got) == 0 || !bytes.Equal(got, stored(t, f, sf.ID)) {
				t.Errorf("%s in the zip: %d bytes, not the stored photo", sf.Path, len(got))
			}
		}
		if len(d.Assignments) != 0 || len(d.Reviews) != 0 || strings.Contains(text, "王芳的作业") {
			t.Errorf("dad's export holds more than his own work:\n%s", text)
		}

		d, text, _ = exportOf(t, f, f.wang)
		if len(d.Submissions) != 1 || d.Submissions[0].StatusLabel != "迟交" || !d.Submissions[0].Late || d.Submissions[0].Grade != "" {
			t.Errorf("wang's late work: %+v", d.Submissions)
		}
		if strings.Contains(text, "已背熟") || strings.Contains(text, "背得很流利") {
			t.Errorf("wang's export holds another family's work and mark:\n%s", text)
		}

		d, text, _ = exportOf(t, f, f.head)
		if len(d.Assignments) != 1 || d.Assignments[0].Title != "背诵古诗" || d.Assignments[0].Subject != "语文" ||
			strings.Join(d.Assignments[0].Classes, ",") != "三年级(2)班" || d.Assignments[0].DueAt != "2026-11-03T20:00:00+08:00" {
			t.Errorf("head teacher's assignments: %+v", d.Assignments)
		}
		if len(d.Reviews) != 1 || d.Reviews[0].Student != "张小明" || d.Reviews[0].Grade != "优" || d.Reviews[0].Comment != "背得很流利" ||
			d.Reviews[0].StatusLabel != "已批改" || !d.Reviews[0].Featured || d.Reviews[0].Assignment != "背诵古诗" {
			t.Errorf("head teacher's reviews: %+v", d.Reviews)
		}
		if len(d.Submissions) != 0 || strings.Contains(text, "已背熟") {
			t.Errorf("the teacher's export holds the family's text:\n%s", text)
		}
		d, _, _ = exportOf(t, f, f.teacher)
		if len(d.Assignments) != 0 || len(d.Reviews) != 0 {
			t.Errorf("a teacher who set and marked nothing: %+v", d)
		}
	})
}

// Erasing a parent keeps each submission's row, status and mark for the
// school, but not the family's text, photos or name; another family's
// work is untouched.
func TestEraseKeepsTheMarkNotTheWork(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a := f.set(t)
		const words = "孩子背得不熟，有事请打我电话13900000001"
		sub, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: words,
			Files: []file.Prepared{photo(t, "背诵.png")}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Homework.Submit(ctx, f.wang, a.ID, homework.SubmitInput{StudentID: f.wangfang, Body: "王芳的作业",
			Files: []file.Prepared{photo(t, "王芳.png")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Homework.Review(ctx, f.head, a.ID, sub.ID, homework.ReviewInput{Grade: "良", Comment: "张伟家长辛苦了，背得不错", Featured: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Erasure.Close(ctx, f.dad, "secret-123", ""); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(8 * 24 * time.Hour)
		if ok, err := f.Erasure.Erase(ctx, f.dad.ID); !ok || err != nil {
			t.Fatalf("erase: %v %v", ok, err)
		}
		if ok, err := f.Erasure.Erase(ctx, f.dad.ID); ok || err != nil {
			t.Fatalf("erase twice: %v %v", ok, err)
		}

		var rows []homework.Submission
		if err := g.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d submissions after erasure, want both kept", len(rows))
		}
		kept := rows[0]
		if kept.ID != sub.ID || kept.StudentID != f.xiaoming || kept.ParentID != f.dad.ID || kept.Status != homework.Reviewed ||
			kept.Grade != "良" || kept.Body != homework.ErasedBody || kept.Featured || kept.Comment != "已注销用户家长辛苦了，背得不错" ||
			kept.ReviewedAt == nil || !kept.SubmittedAt.Equal(sub.SubmittedAt) {
			t.Errorf("the erased family's submission: %+v", kept)
		}
		if rows[1].Body != "王芳的作业" {
			t.Errorf("another family's work changed: %+v", rows[1])
		}
		var traces int64
		if err := g.Model(&homework.Submission{}).Where("body LIKE ? OR body LIKE ? OR comment LIKE ? OR comment LIKE ?",
			"%背得不熟%", "%13900000001%", "%13900000001%", "%张伟%").Count(&traces).Error; err != nil {
			t.Fatal(err)
		}
		if traces != 0 {
			t.Errorf("%d submissions still hold the family's text, phone or name", traces)
		}
		names, err := auth.Names(ctx, g, []uint64{kept.ParentID})
		if err != nil || names[kept.ParentID] != auth.ErasedName {
			t.Errorf("the submitter is shown as %q (%v), want %s", names[kept.ParentID], err, auth.ErasedName)
		}

		// The teacher's sheet still has the mark, without the photo; the
		// class no longer sees it as featured.
		sheet, err := f.Homework.Submissions(ctx, f.head, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range sheet.Lines {
			switch l.Student.ID {
			case f.xiaoming:
				if l.Status() != "已批改" || l.Submission.Grade != "良" || len(l.FileIDs) != 0 {
					t.Errorf("张小明's line: %s %+v files %v", l.Status(), l.Submission, l.FileIDs)
				}
			case f.wangfang:
				if l.Status() != "已交" || len(l.FileIDs) != 1 {
					t.Errorf("王芳's line: %s files %v", l.Status(), l.FileIDs)
				}
			}
		}
		if ids, err := file.UploadedIDs(ctx, g, f.dad.ID); err != nil || len(ids) != 0 {
			t.Errorf("the erased parent's uploads are still on record: %v %v", ids, err)
		}
		view, err := f.Homework.Get(ctx, f.wang, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Featured) != 0 {
			t.Errorf("the erased work is still shown to the class: %+v", view.Featured)
		}
	})
}
