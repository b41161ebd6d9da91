package homework_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/archive"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/homework"
	"jiaxiao/storage"
)

func pdf(t *testing.T, name, body string) file.Prepared {
	t.Helper()
	p, err := file.Prepare("file", name, []byte("%PDF-1.4\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// entryOf is the archive entry of assignment id.
func entryOf(t *testing.T, g *gorm.DB, id uint64) archive.Entry {
	t.Helper()
	var e archive.Entry
	if err := g.Where("homework_id = ?", id).Take(&e).Error; err != nil {
		t.Fatalf("archive entry of homework %d: %v", id, err)
	}
	return e
}

// homeworkBundle reads the bundle of assignment id from store and checks
// that every file it lists is there with the SHA-256 it names.
func homeworkBundle(t *testing.T, store storage.Store, g *gorm.DB, id uint64) archive.Bundle {
	t.Helper()
	ctx := context.Background()
	e := entryOf(t, g, id)
	if e.ArchivedAt == nil {
		t.Fatal("not archived")
	}
	rc, _, err := store.Get(ctx, e.BundleKey)
	if err != nil {
		t.Fatalf("bundle %s: %v", e.BundleKey, err)
	}
	defer rc.Close()
	var b archive.Bundle
	if err := json.NewDecoder(rc).Decode(&b); err != nil {
		t.Fatal(err)
	}
	for _, a := range b.Attachments {
		rc, _, err := store.Get(ctx, a.Key)
		if err != nil {
			t.Fatalf("attachment %s: %v", a.Key, err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(data)) != a.Size {
			t.Fatalf("%s: stored file differs from the bundle's", a.Key)
		}
	}
	return b
}

// TestArchived: setting homework archives it in the transaction that sets
// it; the bundle job writes homework/{yyyy}/{mm}/{id}/homework.json with
// subject, due time, class groups and files; search shows it to the
// classes' groups only; a family's submission is not archived.
func TestArchived(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		a, err := f.Homework.Create(ctx, f.head, homework.CreateInput{Title: "观察月相", Subject: "科学", Body: "连续三晚观察月亮，画下来。",
			ClassIDs: []uint64{f.class32}, Due: "2026-11-05 20:00", RequiresSubmission: true,
			Files: []file.Prepared{photo(t, "月相图.png"), pdf(t, "观察记录表.pdf", "表")}})
		if err != nil {
			t.Fatal(err)
		}
		e := entryOf(t, g, a.ID)
		if e.ArchivedAt != nil || e.Kind != archive.KindHomework || e.Category != archive.HomeworkCategory || e.Subject != "科学" {
			t.Fatalf("entry before the job: %+v", e)
		}
		if ok, _ := archive.HomeworkArchived(ctx, g, a.ID); ok {
			t.Fatal("archived before the job ran")
		}
		// A family hands in; its work stays out of the archive.
		sub, err := f.Homework.Submit(ctx, f.dad, a.ID, homework.SubmitInput{StudentID: f.xiaoming, Body: "画好了",
			Files: []file.Prepared{photo(t, "张小明的月相.png")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Worker().RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if ok, err := archive.HomeworkArchived(ctx, g, a.ID); !ok || err != nil {
			t.Fatalf("not marked archived: %v", err)
		}
		e = entryOf(t, g, a.ID)
		want := fmt.Sprintf("homework/2026/11/%d/homework.json", a.ID)
		if e.BundleKey != want {
			t.Fatalf("bundle key %q, want %q", e.BundleKey, want)
		}
		b := homeworkBundle(t, f.Store, g, a.ID)
		if b.Kind != archive.KindHomework || b.HomeworkID == nil || *b.HomeworkID != a.ID || b.Title != "观察月相" || b.Subject != "科学" ||
			b.DueAt == nil || !b.DueAt.Equal(time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)) || b.Author != "李芳" {
			t.Fatalf("bundle %+v", b)
		}
		if len(b.Groups) != 1 || b.Groups[0] != f.c32.Name {
			t.Fatalf("bundle groups %v, want %s", b.Groups, f.c32.Name)
		}
		if len(b.Attachments) != 2 || b.Attachments[0].Name != "月相图.png" || b.Attachments[1].Name != "观察记录表.pdf" {
			t.Fatalf("bundle attachments %+v", b.Attachments)
		}
		// Search: the class's families and teachers, admins; not 3-3.
		for _, who := range []struct {
			name string
			n    int64
			user *auth.User
		}{{"dad", 1, f.dad}, {"head", 1, f.head}, {"admin", 1, f.admin}, {"zhao of 3-3", 0, f.zhao}, {"teacher of 3-3", 0, f.other}} {
			_, total, err := f.Archive.Search(ctx, who.user, archive.Query{Q: "月亮", Category: archive.HomeworkCategory})
			if err != nil || total != who.n {
				t.Errorf("%s: %d hits, want %d (%v)", who.name, total, who.n, err)
			}
		}
		if _, _, err := f.Archive.Get(ctx, f.zhao, e.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a parent of 3-3 opened 3-2's homework in the archive: %v", err)
		}
		h, files, err := f.Archive.Get(ctx, f.wang, e.ID)
		if err != nil || h.HomeworkID == nil || *h.HomeworkID != a.ID || len(files) != 2 {
			t.Fatalf("a parent of 3-2: %+v %d %v", h, len(files), err)
		}
		if ok, _ := f.Archive.FileAccess(ctx, f.wang, files[0].ID); !ok {
			t.Error("a parent of 3-2 may not download the homework's file from the archive")
		}
		if ok, _ := f.Archive.FileAccess(ctx, f.zhao, files[0].ID); ok {
			t.Error("a parent of 3-3 may download 3-2's homework file from the archive")
		}
		// The submission: no entry, none of its files, in the archive.
		var n int64
		g.Model(&archive.Entry{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d archive entries, want the assignment's only", n)
		}
		v, err := f.Homework.Get(ctx, f.dad, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var subFile uint64
		for _, c := range v.Children {
			if c.Submission != nil && c.Submission.ID == sub.ID && len(c.FileIDs) == 1 {
				subFile = c.FileIDs[0]
			}
		}
		if subFile == 0 {
			t.Fatalf("the submission's file is not on the page: %+v", v.Children)
		}
		if ok, _ := f.Archive.FileAccess(ctx, f.wang, subFile); ok {
			t.Error("another family reads a submission through the archive")
		}
		for _, at := range b.Attachments {
			if at.Name == "张小明的月相.png" {
				t.Error("a submission's photo is in the bundle")
			}
		}
	})
}

// TestArchiveSurvivesMinIOOutage: with MinIO down, homework with a file
// is set and readable at once (its file staged in the database); when
// MinIO is back, the bundle lands with the file and matching SHA-256s.
// On both databases, each with a MinIO server of its own.
func TestArchiveSurvivesMinIOOutage(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		m := apptest.StartMinIO(t)
		store, err := storage.NewMinIO(ctx, storage.MinIOOptions{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "archive"})
		if err != nil {
			t.Fatal(err)
		}
		f.UseStore(store)
		m.Stop()
		a, err := f.Homework.Create(ctx, f.head, homework.CreateInput{Title: "停水周的作业", Subject: "语文", Body: "抄写第五课生字。",
			ClassIDs: []uint64{f.class32}, Due: "2026-11-04 20:00", Files: []file.Prepared{pdf(t, "生字表.pdf", "生字")}})
		if err != nil {
			t.Fatalf("set while MinIO is down: %v", err)
		}
		if _, err := f.Homework.Get(ctx, f.dad, a.ID); err != nil {
			t.Fatalf("unreadable while MinIO is down: %v", err)
		}
		w := f.Worker()
		jctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, _ = w.RunDue(jctx)
		cancel()
		if e := entryOf(t, g, a.ID); e.ArchivedAt != nil {
			t.Fatal("archived while MinIO was down")
		}
		m.Start()
		f.Clock.Advance(time.Hour) // past the retry backoff
		if _, err := w.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		b := homeworkBundle(t, store, g, a.ID)
		if len(b.Attachments) != 1 || b.Attachments[0].Name != "生字表.pdf" || b.Subject != "语文" {
			t.Fatalf("bundle %+v", b)
		}
		_, files, err := f.Archive.Get(ctx, f.dad, entryOf(t, g, a.ID).ID)
		if err != nil || len(files) != 1 || files[0].Staged {
			t.Fatalf("after recovery: %+v %v", files, err)
		}
	})
}
