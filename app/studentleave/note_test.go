package studentleave_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/studentleave"
)

// photoWithGPS is a small JPEG with an EXIF block holding a GPS tag.
func photoWithGPS(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte("GPSLatitude=31.2304N")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	out := append([]byte{}, b[:2]...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

func prepared(t *testing.T, name string, data []byte) *file.Prepared {
	t.Helper()
	p, err := file.Prepare("file", name, data)
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

func fileCount(t *testing.T, g *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := g.Model(&file.File{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDoctorsNote: a guardian's request may carry one doctor's note, a
// photo (kept without its EXIF) or a PDF; anything else, or anything too
// large, is refused with the form, and nothing is kept for a request that
// is refused. The note is for the child's guardians, the class's head
// teacher and admins only.
func TestDoctorsNote(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		xiaoming := f.students["张小明"]
		// The child's second guardian, admitted.
		mother := f.User(auth.RoleParent, "李娟", "13900000009")
		c32 := f.ClassGroup(3, 2)
		req, err := f.Groups.Join(ctx, mother, c32.InviteCode, group.JoinInput{StudentNo: "20230201", StudentName: "张小明", Relation: "母亲"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.Approve(ctx, f.admin, c32.ID, req.ID); err != nil {
			t.Fatal(err)
		}

		// Refused before anything is kept: not a guardian, a bad form, a
		// wrong type, too large.
		before := fileCount(t, g)
		in := sick(xiaoming, "2026-11-03", "am", "2026-11-03", "pm", "发热")
		in.Note = prepared(t, "病历.jpg", photoWithGPS(t))
		if _, err := f.Leave.Request(ctx, f.parentOther, in); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("another class's parent: %v", err)
		}
		bad := in
		bad.EndDate = "2026-11-02"
		if _, err := f.Leave.Request(ctx, f.parent, bad); err == nil {
			t.Fatal("end before start accepted")
		}
		text := in
		text.Note = prepared(t, "病历.txt", []byte("医生说要休息两天"))
		_, err = f.Leave.Request(ctx, f.parent, text)
		fieldErr(t, err, "file", "只能是照片")
		large := in
		large.Note = prepared(t, "病历.pdf", append([]byte("%PDF-1.4\n"), make([]byte, studentleave.MaxNoteSize)...))
		_, err = f.Leave.Request(ctx, f.parent, large)
		fieldErr(t, err, "file", "不能超过 10 MB")
		if after := fileCount(t, g); after != before {
			t.Fatalf("%d files kept for refused requests", after-before)
		}
		var n int64
		g.Model(&studentleave.Leave{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d requests filed", n)
		}

		// A photo: kept, without its EXIF.
		l, err := f.Leave.Request(ctx, f.parent, in)
		if err != nil {
			t.Fatal(err)
		}
		if l.FileID == nil {
			t.Fatal("no file on the request")
		}
		var stored studentleave.Leave
		if err := g.Where("id = ?", l.ID).Take(&stored).Error; err != nil || stored.FileID == nil || *stored.FileID != *l.FileID {
			t.Fatalf("file_id not stored: %+v %v", stored, err)
		}
		note, err := f.Files.Get(ctx, *l.FileID)
		if err != nil || note.ContentType != "image/jpeg" || note.Name != "病历.jpg" {
			t.Fatalf("note %+v %v", note, err)
		}
		_, rc, err := f.Files.Download(ctx, note)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(data, []byte("GPSLatitude")) || bytes.Contains(data, []byte("Exif")) {
			t.Fatal("the note kept its EXIF")
		}

		// Who may open it.
		for _, c := range []struct {
			who  string
			user *auth.User
			ok   bool
		}{
			{"the parent who asked", f.parent, true},
			{"the child's other guardian", mother, true},
			{"the head teacher", f.head, true},
			{"an admin", f.admin, true},
			{"another teacher of the class", f.teacher, false},
			{"another class's head teacher", f.headOther, false},
			{"another class's parent", f.parentOther, false},
			{"a parent still pending in the class", f.pending, false},
			{"nobody", nil, false},
		} {
			ok, err := f.Leave.FileAccess(ctx, c.user, note.ID)
			if err != nil || ok != c.ok {
				t.Errorf("%s: %v %v, want %v", c.who, ok, err, c.ok)
			}
			err = file.MayDownload(ctx, c.user, note.ID, f.Messages, f.Notices, f.Archive, f.Homework, f.Leave)
			if c.ok != (err == nil) || (!c.ok && !errors.Is(err, apperr.ErrNotFound)) {
				t.Errorf("%s downloading: %v", c.who, err)
			}
		}

		// A PDF is taken too; a request without a note has none.
		pdfIn := personal(xiaoming, "2026-11-10", "am", "2026-11-10", "pm")
		pdfIn.Note = prepared(t, "证明.pdf", []byte("%PDF-1.4\n证明"))
		lp, err := f.Leave.Request(ctx, f.parent, pdfIn)
		if err != nil || lp.FileID == nil {
			t.Fatalf("a PDF note: %+v %v", lp, err)
		}
		plain, err := f.Leave.Request(ctx, mother, personal(xiaoming, "2026-11-12", "am", "2026-11-12", "pm"))
		if err != nil || plain.FileID != nil {
			t.Fatalf("no note: %+v %v", plain, err)
		}

		// The lists read the notes in one go.
		items, err := f.Leave.ForHead(ctx, f.head)
		if err != nil {
			t.Fatal(err)
		}
		notes, err := f.Leave.Notes(ctx, items)
		if err != nil || len(items) != 3 || len(notes) != 2 || notes[*l.FileID].Name != "病历.jpg" || notes[*lp.FileID].ContentType != "application/pdf" {
			t.Fatalf("notes of the list: %d items, %+v %v", len(items), notes, err)
		}

		// Removed from the class group by a moderator: the other guardian
		// may no longer open it; the one who sent it still may.
		c32g := f.ClassGroup(3, 2).ID
		for _, u := range []*auth.User{mother, f.parent} {
			if err := f.Groups.Remove(ctx, f.head, c32g, u.ID, "家庭纠纷，请联系班主任", false); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := f.Leave.FileAccess(ctx, mother, note.ID); ok || err != nil {
			t.Errorf("the removed other guardian opens the note: %v %v", ok, err)
		}
		if ok, err := f.Leave.FileAccess(ctx, f.parent, note.ID); !ok || err != nil {
			t.Errorf("the removed guardian who sent it: %v %v", ok, err)
		}
	})
}
