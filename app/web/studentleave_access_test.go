package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file/filetest"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	"jiaxiao/app/studentleave"
)

// A child's leave is a health record: the head teacher's list, the
// morning view and the doctor's note, the school's day and its CSV each
// write the access log (pii.view), and the family reads who looked at
// /me/access; the family's own looks, and a teacher turned away, write
// nothing.
func TestStudentLeaveAccessLog(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		var st school.Student
		if err := g.Where("student_no = ?", "20230201").Take(&st).Error; err != nil {
			t.Fatal(err)
		}
		parent := s.clients["parent-member"]
		form := url.Values{"student_id": {strconv.FormatUint(st.ID, 10)}, "kind": {"病假"}, "start_date": {"2026-11-04"}, "start_half": {"am"},
			"end_date": {"2026-11-05"}, "end_half": {"pm"}, "reason": {"发烧"}, "symptoms": {"发热"}}
		if r := leaveWithNote(t, parent, form, "病历.png", filetest.PNG(16, 12, 8, 2)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ask: %d %s", r.StatusCode, r.TestID("field-error"))
		}
		var l studentleave.Leave
		if err := g.Order("id DESC").Take(&l).Error; err != nil || l.FileID == nil {
			t.Fatalf("request: %+v %v", l, err)
		}
		note := "/files/" + strconv.FormatUint(*l.FileID, 10)
		// The family's own looks are not someone else's.
		parent.Get("/leave")
		if r := parent.Get(note); r.StatusCode != 200 {
			t.Fatalf("the family's note: %d", r.StatusCode)
		}
		if r := s.clients["teacher-other"].Get(note); r.StatusCode != 404 {
			t.Fatalf("another class's teacher: %d", r.StatusCode)
		}
		if r := parent.Get("/me/access"); r.TestID("access-empty") == "" {
			t.Fatalf("logged before any staff looked: %s", r.Doc.Find(`[data-testid="access-log"]`).Text())
		}

		owner, admin := s.clients["owner"], s.clients["admin"]
		// Approved, it is on the school's day.
		if r := owner.Post("/leave/"+strconv.FormatUint(l.ID, 10)+"/approve", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", r.StatusCode)
		}
		for who, paths := range map[*apptest.Client][]string{
			owner: {"/leave", "/classes/" + strconv.FormatUint(st.ClassID, 10) + "/today?date=2026-11-04", note},
			admin: {"/admin/student-leave?date=2026-11-04", "/admin/student-leave.csv?date=2026-11-04"},
		} {
			for _, p := range paths {
				if r := who.Get(p); r.StatusCode != 200 {
					t.Fatalf("GET %s: %d", p, r.StatusCode)
				}
			}
		}
		log := parent.Get("/me/access").Doc.Find(`[data-testid="access-log"]`).Text()
		for _, want := range []string{"李芳", "王建国",
			privacy.KindLeave.Words(), privacy.KindClassToday.Words(), privacy.KindLeaveNote.Words(),
			privacy.KindLeaveDay.Words(), privacy.KindLeaveDayCSV.Words()} {
			if !strings.Contains(log, want) {
				t.Errorf("the family's access log lacks %q:\n%s", want, log)
			}
		}
		// The morning view showed the whole class: 王芳's family reads
		// that one look, and nothing else; 3-3's family reads nothing.
		theirs := s.clients["moderator"].Get("/me/access")
		if lines := theirs.Doc.Find(`[data-testid="access-line"]`); lines.Length() != 1 || !strings.Contains(lines.Text(), privacy.KindClassToday.Words()) {
			t.Errorf("王芳's family's access log:\n%s", theirs.Doc.Find(`[data-testid="access-log"]`).Text())
		}
		if r := s.clients["parent-other"].Get("/me/access"); r.TestID("access-empty") == "" {
			t.Error("3-3's family sees 3-2's leave looked at")
		}
	})
}
