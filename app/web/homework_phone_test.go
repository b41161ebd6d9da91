package web_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file/filetest"
)

// TestHomeworkFitsAPhone: every homework page, with a photo handed in and
// a mark, is no wider than a 360 px phone.
func TestHomeworkFitsAPhone(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	teacher, parent := s.clients["teacher-class"], s.clients["parent-member"]
	r := teacher.Post("/homework", url.Values{"title": {"看图写话：秋天的公园里有很多很多落叶和小朋友"}, "subject": {"语文"},
		"body": {"观察图片，写一段不少于一百字的话。"}, "class_id": {strconv.FormatUint(*s.c32.ClassID, 10)},
		"due_at": {"2026-11-03 20:00"}, "requires_submission": {"1"}})
	if r.StatusCode != 303 {
		t.Fatalf("set homework: %d", r.StatusCode)
	}
	hw := r.Location()
	page := parent.Get(hw)
	student, _ := page.Doc.Find(`[data-testid="submit-form"] input[name="student_id"]`).Attr("value")
	if r := multipartForm(t, parent, hw+"/submissions", map[string]string{"student_id": student, "body": "写好了"}, "作业.png", filetest.PNG(1200, 900, 8, 2)); r.StatusCode != 303 {
		t.Fatalf("hand in: %d", r.StatusCode)
	}
	for _, c := range []struct{ actor, path, testid string }{
		{"teacher-class", "/homework/new", "homework-form"},
		{"teacher-class", "/homework", "homework-set"},
		{"teacher-class", hw + "/submissions", "sheet"},
		{"parent-member", "/homework", "homework-family"},
		{"parent-member", hw, "child-work"},
	} {
		ctx := attBrowser(t, s, c.actor, 360, 740)
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+c.path), chromedp.WaitVisible(chromedp.CSS(`[data-testid="`+c.testid+`"]`))); err != nil {
			t.Fatalf("%s %s: %v", c.actor, c.path, err)
		}
		attFits(t, ctx, c.actor+" "+c.path)
		apptest.Screenshot(t, ctx, "homework-"+c.testid)
	}
}
