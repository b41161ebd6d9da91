package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/export"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
)

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,,
陈志强,13800000003,教师,数学教研组,,
赵敏,13800000004,教师,英语教研组,,
`

type doc struct {
	Messages []struct {
		ID   uint64 `json:"id"`
		Body string `json:"body"`
	} `json:"messages"`
	Files []struct {
		Name, Path, Note string
	} `json:"files"`
	Limits struct {
		Cut []string `json:"cut"`
	} `json:"limits"`
	Consent map[string]string `json:"consent"`
}

// write writes e whole and reads its data.json and files back.
func write(t *testing.T, e *export.Export) (doc, map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Write(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var d doc
	if err := json.Unmarshal(files["data.json"], &d); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	return d, files
}

// Messages are read a page at a time, the newest first, every one of the
// author's and none of anyone else's.
func TestMessagesPaged(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		w := apptest.NewWorld(t, g)
		w.Staff(staff)
		grp := w.KindGroup(group.KindStaff)
		a, b := w.ByPhone("13800000002"), w.ByPhone("13800000003")
		const n = 1234 // more than two pages
		at := w.Clock.Now().Add(-time.Hour)
		var rows []message.Message
		for i := range n {
			// Pairs share a time, so the pages must order by id too.
			rows = append(rows, message.Message{GroupID: grp.ID, AuthorID: a.ID, Body: fmt.Sprintf("李芳 %04d", i), Status: message.Visible,
				CreatedAt: at.Add(time.Duration(i/2) * time.Second)})
			if i%100 == 0 {
				rows = append(rows, message.Message{GroupID: grp.ID, AuthorID: b.ID, Body: fmt.Sprintf("陈志强 %04d", i), Status: message.Visible, CreatedAt: at})
			}
		}
		if err := g.CreateInBatches(rows, 200).Error; err != nil {
			t.Fatal(err)
		}
		e, err := w.Export.Begin(context.Background(), a, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		d, _ := write(t, e)
		if len(d.Messages) != n {
			t.Fatalf("%d messages, want %d", len(d.Messages), n)
		}
		for i, m := range d.Messages {
			if want := fmt.Sprintf("李芳 %04d", n-1-i); m.Body != want {
				t.Fatalf("message %d is %q, want %q (newest first, each once)", i, m.Body, want)
			}
		}
		if len(d.Limits.Cut) != 0 {
			t.Errorf("cut: %v", d.Limits.Cut)
		}
	})
}

// One export at a time per person, MaxConcurrent per instance, MaxPerHour
// an hour per person; each refusal is a 429 saying what to do.
func TestBudgets(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	w.Staff(staff)
	ctx := context.Background()
	a, b, c := w.ByPhone("13800000002"), w.ByPhone("13800000003"), w.ByPhone("13800000004")
	ea, err := w.Export.Begin(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Export.Begin(ctx, a, ""); !errors.Is(err, export.ErrRunning) || !errors.Is(err, apperr.ErrTooMany) {
		t.Errorf("a second export of one person at once: %v", err)
	}
	eb, err := w.Export.Begin(ctx, b, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Export.Begin(ctx, c, ""); !errors.Is(err, export.ErrBusy) {
		t.Errorf("a third export on the instance: %v", err)
	}
	ea.Close()
	ea.Close() // twice is harmless
	ec, err := w.Export.Begin(ctx, c, "")
	if err != nil {
		t.Fatalf("after one ended: %v", err)
	}
	ec.Close()
	eb.Close()
	// a has used one of three this hour.
	for range 2 {
		w.Clock.Advance(time.Minute)
		e, err := w.Export.Begin(ctx, a, "")
		if err != nil {
			t.Fatal(err)
		}
		e.Close()
	}
	_, err = w.Export.Begin(ctx, a, "")
	// The first was at 08:00 in Shanghai: the next may start after 09:00.
	if !errors.Is(err, apperr.ErrTooMany) || apperr.UserMessage(err) != "导出太频繁：每小时最多导出 3 次，请在 09:00 之后再试。" {
		t.Errorf("the fourth in an hour: %v", err)
	}
	w.Clock.Advance(58*time.Minute + time.Second)
	if e, err := w.Export.Begin(ctx, a, ""); err != nil {
		t.Errorf("an hour after the first: %v", err)
	} else {
		e.Close()
	}
	if _, err := w.Export.Begin(ctx, nil, ""); !errors.Is(err, apperr.ErrUnauthenticated) {
		t.Errorf("nobody: %v", err)
	}
}

// A file storage has lost is listed with a note, the others are packed
// (someone else's not at all), and a file uploaded twice is packed once.
func TestFiles(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	w.Staff(staff)
	ctx := context.Background()
	a := w.ByPhone("13800000002")
	save := func(name, text string) file.File {
		p, err := file.Prepare("file", name, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		f, err := w.Files.Save(ctx, a.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	save("通知.txt", "明天放假")
	save("通知.txt", "明天放假") // uploaded again: one object in storage
	save("通知副本.txt", "明天放假")
	lost := save("丢失.txt", "这个文件不见了")
	save("别人的.txt", "not mine")
	if err := w.DB.Model(&file.File{}).Where("name = ?", "别人的.txt").Update("uploaded_by", w.ByPhone("13800000003").ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.Store.Delete(ctx, lost.StorageKey); err != nil {
		t.Fatal(err)
	}
	e, err := w.Export.Begin(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	d, files := write(t, e)
	if len(d.Files) != 4 {
		t.Fatalf("files: %+v", d.Files)
	}
	paths := map[string][]string{}
	for _, f := range d.Files {
		paths[f.Name] = append(paths[f.Name], f.Path)
		if f.Name == "丢失.txt" && (f.Path != "" || !strings.Contains(f.Note, "找不到")) {
			t.Errorf("the lost file: %+v", f)
		}
	}
	twice, copied := paths["通知.txt"], paths["通知副本.txt"]
	if len(twice) != 2 || twice[0] == "" || twice[0] != twice[1] || string(files[twice[0]]) != "明天放假" {
		t.Errorf("the same file uploaded twice: %q", twice)
	}
	if len(copied) != 1 || copied[0] == twice[0] || string(files[copied[0]]) != "明天放假" {
		t.Errorf("the same content under another name: %q", copied)
	}
	var packed int
	for name := range files {
		if strings.HasPrefix(name, "files/") {
			packed++
		}
	}
	if packed != 2 {
		t.Errorf("%d files packed, want 2", packed)
	}
}

// Another part of the school adds its section (the consent record).
func TestParts(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	w.Staff(staff)
	a := w.ByPhone("13800000002")
	w.Export.AddPart(export.Part{Key: "consent", Read: func(_ context.Context, userID uint64) (any, error) {
		return map[string]string{"user": fmt.Sprint(userID), "version": "2026-09"}, nil
	}})
	e, err := w.Export.Begin(context.Background(), a, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	d, _ := write(t, e)
	if d.Consent["version"] != "2026-09" || d.Consent["user"] != fmt.Sprint(a.ID) {
		t.Errorf("consent: %v", d.Consent)
	}
}
