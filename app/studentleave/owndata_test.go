package studentleave_test

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
	"jiaxiao/app/calendar"
	"jiaxiao/app/file"
	"jiaxiao/app/file/filetest"
	"jiaxiao/app/studentleave"
)

type exportedRequest struct {
	Student        string
	StudentNo      string `json:"student_no"`
	Class, Kind    string
	StartDate      string  `json:"start_date"`
	StartHalf      string  `json:"start_half"`
	StartHalfLabel string  `json:"start_half_label"`
	EndDate        string  `json:"end_date"`
	EndHalf        string  `json:"end_half"`
	EndHalfLabel   string  `json:"end_half_label"`
	SchoolDays     float64 `json:"school_days"`
	Reason         string
	Symptoms       []string
	Status         string
	StatusLabel    string  `json:"status_label"`
	DecisionReason string  `json:"decision_reason"`
	DecidedAt      *string `json:"decided_at"`
	File           *struct {
		ID               uint64
		Name, Path, Note string
	}
}

// exportOf runs u's export and reads the zip back: the student-leave
// section, data.json as text, and every file in the zip.
func exportOf(t *testing.T, f *fx, u *auth.User) ([]exportedRequest, string, map[string][]byte) {
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
		Leave *struct {
			Requests []exportedRequest
			Cut      bool
		} `json:"student_leave"`
	}
	if err := json.Unmarshal(files["data.json"], &d); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	if d.Leave == nil || d.Leave.Requests == nil || d.Leave.Cut {
		t.Fatalf("data.json's student_leave section:\n%s", files["data.json"])
	}
	return d.Leave.Requests, string(files["data.json"]), files
}

const reason = "发烧38度，有事请打13900000001"

// askTwo has the parent of 张小明 ask for 病假 (approved, with a doctor's
// note attached) and 事假 (rejected), on Monday 2 November 2026.
func askTwo(t *testing.T, f *fx, g *gorm.DB) (sick, personal studentleave.Leave, note file.File) {
	t.Helper()
	ctx := context.Background()
	f.at("2026-11-02 09:00")
	kid := f.students["张小明"]
	in := studentleave.RequestInput{StudentID: kid, Kind: studentleave.Sick, StartDate: "2026-11-03", StartHalf: "am", EndDate: "2026-11-04",
		EndHalf: "am", Reason: reason, Symptoms: []string{"咳嗽", "发热"}}
	sick, err := f.Leave.Request(ctx, f.parent, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Leave.Approve(ctx, f.head, sick.ID); err != nil {
		t.Fatal(err)
	}
	personal, err = f.Leave.Request(ctx, f.parent, studentleave.RequestInput{StudentID: kid, Kind: studentleave.Personal,
		StartDate: "2026-11-05", StartHalf: "pm", EndDate: "2026-11-05", EndHalf: "pm", Reason: "回老家办事"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Leave.Reject(ctx, f.head, personal.ID, "张伟您好，期中考试不能请事假，请致电13800000002"); err != nil {
		t.Fatal(err)
	}
	// The doctor's note: uploaded by the parent, linked to the request.
	p, err := file.Prepare("file", "诊断证明.png", filetest.PNG(8, 8, 8, 2))
	if err != nil {
		t.Fatal(err)
	}
	if note, err = f.Files.Save(ctx, f.parent.ID, p); err != nil {
		t.Fatal(err)
	}
	if err := g.Model(&studentleave.Leave{}).Where("id = ?", sick.ID).Update("file_id", note.ID).Error; err != nil {
		t.Fatal(err)
	}
	return sick, personal, note
}

// A guardian's export holds the leave they asked for, with the decision
// and the doctor's note in the zip; another family's export holds none.
func TestExportHoldsLeave(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		_, _, note := askTwo(t, f, g)
		rs, text, files := exportOf(t, f, f.parent)
		if len(rs) != 2 {
			t.Fatalf("%d requests, want 2:\n%s", len(rs), text)
		}
		p, s := rs[0], rs[1] // the newest first
		if p.Kind != "事假" || p.Student != "张小明" || p.StudentNo != "20230201" || p.Class != "三年级(2)班" || p.StartDate != "2026-11-05" ||
			p.StartHalf != "pm" || p.StartHalfLabel != "下午" || p.EndHalfLabel != "下午" || p.SchoolDays != 0.5 || p.Reason != "回老家办事" ||
			len(p.Symptoms) != 0 || p.Status != "rejected" || p.StatusLabel != "已驳回" || p.File != nil ||
			p.DecisionReason != "张伟您好，期中考试不能请事假，请致电13800000002" {
			t.Errorf("the 事假: %+v", p)
		}
		if s.Kind != "病假" || s.StartDate != "2026-11-03" || s.StartHalfLabel != "上午" || s.EndDate != "2026-11-04" || s.EndHalfLabel != "上午" ||
			s.SchoolDays != 1.5 || s.Reason != reason || strings.Join(s.Symptoms, ",") != "发热,咳嗽" || s.StatusLabel != "已批准" ||
			s.DecidedAt == nil || !strings.HasSuffix(*s.DecidedAt, "+08:00") {
			t.Errorf("the 病假: %+v", s)
		}
		if s.File == nil || s.File.ID != note.ID || s.File.Name != "诊断证明.png" || s.File.Path == "" {
			t.Fatalf("the doctor's note: %+v", s.File)
		}
		rc, err := f.Files.Open(context.Background(), note)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(rc)
		rc.Close()
		if got := files[s.File.Path]; len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("%s in the zip: %d bytes, the stored note %d", s.File.Path, len(got), len(want))
		}

		rs, text, _ = exportOf(t, f, f.parentOther)
		if len(rs) != 0 || strings.Contains(text, "发烧38度") {
			t.Errorf("another family's export holds the leave:\n%s", text)
		}
	})
}

// Erasing a guardian keeps each request as the school's attendance record
// (student, dates, kind, status, symptoms, the decision) but not the
// reason they wrote, the note they attached, or their name and phone.
func TestEraseKeepsTheRecordNotTheWords(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		sick, personal, note := askTwo(t, f, g)
		other, err := f.Leave.Request(ctx, f.parentOther, studentleave.RequestInput{StudentID: f.students["赵雷"], Kind: studentleave.Personal,
			StartDate: "2026-11-03", StartHalf: "am", EndDate: "2026-11-03", EndHalf: "pm", Reason: "看牙医"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Leave.Approve(ctx, f.headOther, other.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Erasure.Close(ctx, f.parent, "secret-123", ""); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(8 * 24 * time.Hour)
		if ok, err := f.Erasure.Erase(ctx, f.parent.ID); !ok || err != nil {
			t.Fatalf("erase: %v %v", ok, err)
		}

		var rows []studentleave.Leave
		if err := g.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d requests after erasure, want all 3 kept", len(rows))
		}
		s, p, o := rows[0], rows[1], rows[2]
		if s.ID != sick.ID || s.StudentID != sick.StudentID || s.ClassID != sick.ClassID || s.Kind != "病假" || s.StartDate != "2026-11-03" ||
			s.EndDate != "2026-11-04" || s.EndHalf != "am" || s.HalfDays != 3 || s.Status != studentleave.Approved || s.Symptoms != "发热,咳嗽" ||
			s.Reason != studentleave.ErasedReason || s.FileID != nil || s.DecidedAt == nil {
			t.Errorf("the erased family's 病假: %+v", s)
		}
		if p.ID != personal.ID || p.Status != studentleave.Rejected || p.Reason != studentleave.ErasedReason ||
			p.RejectReason != "已注销用户您好，期中考试不能请事假，请致电13800000002" {
			t.Errorf("the erased family's 事假: %+v", p)
		}
		if o.ID != other.ID || o.Reason != "看牙医" {
			t.Errorf("another family's request changed: %+v", o)
		}
		var traces int64
		if err := g.Model(&studentleave.Leave{}).Where("reason LIKE ? OR reason LIKE ? OR reason LIKE ? OR reject_reason LIKE ? OR reject_reason LIKE ?",
			"%发烧38度%", "%13900000001%", "%回老家%", "%13900000001%", "%张伟%").Count(&traces).Error; err != nil {
			t.Fatal(err)
		}
		if traces != 0 {
			t.Errorf("%d requests still hold the family's words, phone or name", traces)
		}
		if fs, err := file.ByIDs(ctx, g, []uint64{note.ID}); err != nil || len(fs) != 0 {
			t.Errorf("the doctor's note is still on record: %v %v", fs, err)
		}

		// The school's day still counts the child away sick, with the
		// symptoms, asked by an erased account.
		day, err := f.Leave.Day(ctx, f.admin, calendar.Day("2026-11-03"))
		if err != nil {
			t.Fatal(err)
		}
		if day.Sick != 1 || day.Personal != 1 || len(day.Symptoms) != 2 {
			t.Errorf("the school's day after erasure: %+v", day)
		}
		for _, r := range day.Rows {
			if r.ID == sick.ID && (r.ParentName != auth.ErasedName || r.StudentName != "张小明") {
				t.Errorf("the erased family's row: asked by %q for %q", r.ParentName, r.StudentName)
			}
		}
	})
}
