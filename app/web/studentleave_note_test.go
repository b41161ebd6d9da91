package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file/filetest"
	"jiaxiao/app/school"
	"jiaxiao/app/studentleave"
)

// leaveWithNote posts the leave form with one file as field file.
func leaveWithNote(t *testing.T, c *apptest.Client, form url.Values, filename string, data []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+"/leave", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

// TestLeaveDoctorsNote: a parent asks for 病假 with a photo of the
// doctor's note; it shows on the request for the family and the head
// teacher, and opens for them and admins only. A note too large or of the
// wrong type is refused with the form kept, and a form refused for
// something else asks for the file again.
func TestLeaveDoctorsNote(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		var st school.Student
		if err := g.Where("student_no = ?", "20230201").Take(&st).Error; err != nil {
			t.Fatal(err)
		}
		parent := s.clients["parent-member"]
		r := parent.Get("/leave/new")
		if enc, _ := r.Doc.Find(`[data-testid="leave-form"]`).Attr("enctype"); enc != "multipart/form-data" {
			t.Fatalf("form enctype %q", enc)
		}
		if accept, _ := r.Doc.Find(`input[type="file"][name="file"]`).Attr("accept"); accept != "image/*,application/pdf" {
			t.Fatalf("file field accept %q", accept)
		}
		form := url.Values{"student_id": {strconv.FormatUint(st.ID, 10)}, "kind": {"病假"}, "start_date": {"2026-11-04"}, "start_half": {"am"},
			"end_date": {"2026-11-05"}, "end_half": {"pm"}, "reason": {"发烧，医生让休息两天"}, "symptoms": {"发热", "咳嗽"}}
		kept := func(what string, r *apptest.Response, wantErr string) {
			t.Helper()
			if r.StatusCode != http.StatusUnprocessableEntity || r.InputValue("reason") != "发烧，医生让休息两天" || r.InputValue("start_date") != "2026-11-04" ||
				r.Doc.Find(`input[name="symptoms"][value="咳嗽"][checked]`).Length() != 1 || !strings.Contains(r.TestID("field-error"), wantErr) {
				t.Errorf("%s: %d, reason %q, error %q", what, r.StatusCode, r.InputValue("reason"), r.TestID("field-error"))
			}
		}
		big := append([]byte("%PDF-1.4\n"), make([]byte, studentleave.MaxNoteSize)...)
		kept("too large", leaveWithNote(t, parent, form, "病历.pdf", big), "不能超过 10 MB")
		kept("a text file", leaveWithNote(t, parent, form, "病历.txt", []byte("医生说要休息两天")), "只能是照片")
		kept("a Word file", leaveWithNote(t, parent, form, "病历.docx", []byte("PK\x03\x04word/document.xml")), "只能是照片")
		badDates := cloneForm(form)
		badDates.Set("end_date", "2026-11-03")
		r = leaveWithNote(t, parent, badDates, "病历.png", filetest.PNG(16, 12, 8, 2))
		kept("end before start", r, "结束时间不能早于开始时间")
		if !strings.Contains(r.TestID("note-again"), "请重新选择医生证明") {
			t.Errorf("a refused form does not ask for the file again: %q", r.TestID("note-again"))
		}
		var n int64
		g.Model(&studentleave.Leave{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d requests filed by refused forms", n)
		}

		r = leaveWithNote(t, parent, form, "病历.png", filetest.PNG(16, 12, 8, 2))
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ask with a note: %d %s", r.StatusCode, r.TestID("field-error"))
		}
		var l studentleave.Leave
		if err := g.Order("id DESC").Take(&l).Error; err != nil || l.FileID == nil {
			t.Fatalf("request without its note: %+v %v", l, err)
		}
		noteURL := "/files/" + strconv.FormatUint(*l.FileID, 10)
		for _, who := range []string{"parent-member", "owner", "admin"} {
			r := s.clients[who].Get("/leave")
			img, _ := r.Doc.Find(`[data-testid="leave-note-link"] img`).Attr("src")
			if img != noteURL {
				t.Errorf("%s's list: note thumbnail %q, want %q", who, img, noteURL)
			}
		}
		for actor, want := range map[string]int{"parent-member": 200, "owner": 200, "admin": 200,
			"teacher-class": 404, "teacher-other": 404, "moderator": 404, "parent-other": 404} {
			r := s.clients[actor].Get(noteURL)
			if r.StatusCode != want {
				t.Errorf("%s GET the note: %d, want %d", actor, r.StatusCode, want)
			}
			if want == 200 && r.Header.Get("Content-Type") != "image/png" {
				t.Errorf("%s: the note as %q", actor, r.Header.Get("Content-Type"))
			}
		}
		if r := s.clients["anonymous"].Get(noteURL); r.StatusCode == 200 {
			t.Error("the note opens for nobody")
		}

		// A PDF shows as a link.
		pdfForm := cloneForm(form)
		pdfForm.Set("start_date", "2026-11-10")
		pdfForm.Set("end_date", "2026-11-10")
		if r := leaveWithNote(t, parent, pdfForm, "诊断证明.pdf", []byte("%PDF-1.4\n诊断")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ask with a PDF: %d %s", r.StatusCode, r.TestID("field-error"))
		}
		if got := s.clients["owner"].Get("/leave").Doc.Find(`[data-testid="leave-note-link"]`).Text(); !strings.Contains(got, "医生证明：诊断证明.pdf") {
			t.Errorf("the PDF on the head teacher's list: %q", got)
		}
	})
}
