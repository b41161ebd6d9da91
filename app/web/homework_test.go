package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file/filetest"
)

// TestHomeworkRoutes walks the 家校本 through its pages: a teacher of 3-2
// sets homework, a family hands in a photo, the teacher marks it, the
// family sees the mark; everyone else is refused as for notices.
func TestHomeworkRoutes(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		teacher, parent := s.clients["teacher-class"], s.clients["parent-member"]
		classID := strconv.FormatUint(*s.c32.ClassID, 10)
		for actor, want := range map[string]int{"anonymous": 303, "parent-member": 403, "teacher-class": 200, "admin": 200} {
			if r := s.clients[actor].Get("/homework/new"); r.StatusCode != want {
				t.Errorf("%s GET /homework/new: %d, want %d", actor, r.StatusCode, want)
			}
		}
		form := url.Values{"title": {"背诵古诗"}, "subject": {"语文"}, "body": {"背诵《静夜思》。"}, "class_id": {classID},
			"due_at": {"明天晚上"}, "requires_submission": {"1"}}
		r := teacher.Post("/homework", form)
		if r.StatusCode != 422 || r.InputValue("title") != "背诵古诗" || !strings.Contains(r.Doc.Text(), "请按“2026-12-03 20:00”的格式填写截止时间") {
			t.Fatalf("a bad due time: %d, title %q", r.StatusCode, r.InputValue("title"))
		}
		if r := s.clients["teacher-other"].Post("/homework", url.Values{"title": {"背诵古诗"}, "subject": {"语文"}, "class_id": {classID}, "due_at": {"2026-11-03 20:00"}}); r.StatusCode != 422 ||
			!strings.Contains(r.Doc.Text(), "只能布置给您任教的班级") {
			t.Errorf("3-3's teacher set work to 3-2: %d", r.StatusCode)
		}
		form.Set("due_at", "2026-11-03 20:00")
		r = teacher.Post("/homework", form)
		if r.StatusCode != 303 || !strings.HasPrefix(r.Location(), "/homework/") {
			t.Fatalf("set homework: %d %s", r.StatusCode, r.Location())
		}
		hw := r.Location()
		if got := teacher.Get(hw).TestID("flash"); !strings.Contains(got, "作业已布置") {
			t.Errorf("flash %q", got)
		}
		for actor, want := range map[string]int{"anonymous": 303, "parent-other": 404, "teacher-other": 404, "parent-member": 200, "owner": 200, "admin": 200} {
			if r := s.clients[actor].Get(hw); r.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", actor, hw, r.StatusCode, want)
			}
		}
		for actor, want := range map[string]int{"parent-member": 403, "parent-other": 404, "teacher-other": 404, "owner": 200} {
			if r := s.clients[actor].Get(hw + "/submissions"); r.StatusCode != want {
				t.Errorf("%s GET submissions: %d, want %d", actor, r.StatusCode, want)
			}
			if r := s.clients[actor].Get(hw + "/submissions.csv"); r.StatusCode != want {
				t.Errorf("%s GET submissions.csv: %d, want %d", actor, r.StatusCode, want)
			}
		}
		list := parent.Get("/homework")
		if list.TestID("homework-state") != "待提交" {
			t.Errorf("the family's list says %q", list.TestID("homework-state"))
		}
		page := parent.Get(hw)
		student, _ := page.Doc.Find(`[data-testid="submit-form"] input[name="student_id"]`).Attr("value")
		if r := parent.Post(hw+"/submissions", url.Values{"student_id": {student}, "body": {""}}); r.StatusCode != 422 ||
			!strings.Contains(r.Doc.Text(), "请写下作业内容或上传照片、文件") {
			t.Errorf("an empty hand-in: %d", r.StatusCode)
		}
		if r := parent.Post(hw+"/submissions", url.Values{"student_id": {student}, "body": {"谁要代开发票找我"}}); r.StatusCode != 422 ||
			strings.TrimSpace(r.Doc.Find(`[data-testid="submit-form"] textarea[name="body"]`).Text()) != "谁要代开发票找我" ||
			!strings.Contains(r.TestID("submit-form"), "违规") {
			t.Errorf("a filtered hand-in: %d, kept %q", r.StatusCode, r.Doc.Find(`[data-testid="submit-form"] textarea`).Text())
		}
		if r := s.clients["parent-other"].Post(hw+"/submissions", url.Values{"student_id": {student}, "body": {"背好了"}}); r.StatusCode != 404 {
			t.Errorf("3-3's parent handed in: %d", r.StatusCode)
		}
		r = multipartForm(t, parent, hw+"/submissions", map[string]string{"student_id": student, "body": "背好了"}, "作业.png", filetest.PNG(16, 12, 8, 2))
		if r.StatusCode != 303 || r.Location() != hw {
			t.Fatalf("hand in: %d %s %s", r.StatusCode, r.Location(), r.TestID("alert"))
		}
		page = parent.Get(hw)
		if page.TestID("flash") == "" || page.TestID("child-status") != "已交" || page.Doc.Find(`[data-testid="homework-photo"]`).Length() != 1 {
			t.Errorf("after handing in: flash %q, status %q", page.TestID("flash"), page.TestID("child-status"))
		}
		photo, _ := page.Doc.Find(`[data-testid="homework-photo"]`).Attr("src")
		for actor, want := range map[string]int{"parent-member": 200, "teacher-class": 200, "parent-other": 404, "teacher-other": 404, "moderator": 404} {
			if r := s.clients[actor].Get(photo); r.StatusCode != want && !(want == 200 && r.StatusCode == 302) {
				t.Errorf("%s GET the photo: %d, want %d", actor, r.StatusCode, want)
			}
		}
		sheet := teacher.Get(hw + "/submissions")
		// newSchool's 3-2 has 7 named students and 50 more.
		if n := sheet.Doc.Find(`[data-testid="sheet-line"]`).Length(); n != 57 {
			t.Errorf("the sheet lists %d students, want 3-2's 57", n)
		}
		if !strings.Contains(sheet.TestID("sheet-counts"), "已交 1") || !strings.Contains(sheet.TestID("sheet-counts"), "未交 56") {
			t.Errorf("counts %q", sheet.TestID("sheet-counts"))
		}
		// Seeing the sheet is in the families' access log, as a class list is.
		var viewed int64
		s.world.DB.Table("pii_views").Where("ref = ? AND actor_id = ?", "homework:"+strings.TrimPrefix(hw, "/homework/"), s.world.ByPhone("13800000003").ID).Count(&viewed)
		if viewed != 57 {
			t.Errorf("the sheet left %d access-log lines, want one per student (57)", viewed)
		}
		review, _ := sheet.Doc.Find(`[data-testid="review-form"]`).Attr("action")
		if r := teacher.Post(review, url.Values{"grade": {"甲"}, "comment": {"很好"}}); r.StatusCode != 422 ||
			!strings.Contains(r.Doc.Find(`[data-testid="review-form"]`).Text(), "请选择评价") {
			t.Errorf("grade 甲: %d", r.StatusCode)
		}
		if r := s.clients["teacher-other"].Post(review, url.Values{"grade": {"优"}}); r.StatusCode != 404 {
			t.Errorf("3-3's teacher marked: %d", r.StatusCode)
		}
		if r := teacher.Post(review, url.Values{"grade": {"优"}, "comment": {"背得很熟"}}); r.StatusCode != 303 {
			t.Fatalf("mark: %d", r.StatusCode)
		}
		page = parent.Get(hw)
		if page.TestID("child-status") != "已批改" || !strings.Contains(page.TestID("child-mark"), "优") ||
			!strings.Contains(page.TestID("child-mark"), "背得很熟") || page.Doc.Find(`[data-testid="submit-form"]`).Length() != 0 {
			t.Errorf("the family sees %q %q", page.TestID("child-status"), page.TestID("child-mark"))
		}
		csv := teacher.Get(hw + "/submissions.csv")
		lines := strings.Split(strings.TrimPrefix(csv.Doc.Text(), "\ufeff"), "\n")
		if lines[0] != "学号,学生,班级,状态,提交时间,评价,评语" || !strings.HasPrefix(lines[1], "20230201,张小明,三年级(2)班,已批改,2026-11-02 08:00,优,背得很熟") {
			t.Errorf("csv %q", lines[:2])
		}
		if got := teacher.Get("/homework").TestID("homework-progress"); got != "已交 1/57" {
			t.Errorf("the teacher's list says %q", got)
		}
	})
}
