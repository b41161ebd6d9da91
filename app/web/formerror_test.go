package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiaxiao/app/apptest"
	"jiaxiao/app/attendance"
	"jiaxiao/app/message"
)

// A refused form says what is wrong in words: never the form's field
// names (“reason: 请填写……”).
func TestFormErrorsHaveNoFieldNames(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	target := s.freshMember(t)
	r := s.clients["owner"].Post(fmt.Sprintf("/groups/%d/members/%d/remove", s.c32.ID, target.ID), url.Values{"reason": {""}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("removal without a reason: %d", r.StatusCode)
	}
	text := r.Doc.Find("main").Text()
	if !strings.Contains(text, "理由") || strings.Contains(text, "reason:") {
		t.Fatalf("the page says: %q", strings.TrimSpace(text))
	}
}

// A removal refused for its reason answers on the members page: the list
// is still there, that member's actions are open with the ban box as it
// was ticked and the message beside the reason; fixed, the member goes.
func TestRefusedRemovalStaysOnThePage(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	target := s.freshMember(t)
	owner := s.clients["owner"]
	remove := fmt.Sprintf("/groups/%d/members/%d/remove", s.c32.ID, target.ID)
	r := owner.Post(remove, url.Values{"reason": {"广"}, "ban": {"1"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("removal with a one-character reason: %d", r.StatusCode)
	}
	before := r.Doc.Find(`[data-testid="member"]`).Length()
	if before == 0 {
		t.Fatal("the member list is gone")
	}
	open := r.Doc.Find("details[open]")
	if open.Length() != 1 {
		t.Fatalf("%d member actions open, want 1", open.Length())
	}
	if v, _ := open.Find(`input[name="reason"]`).Attr("value"); v != "广" {
		t.Errorf("the reason box holds %q", v)
	}
	if _, ok := open.Find(`input[name="ban"]`).Attr("checked"); !ok {
		t.Error("the ban box lost its tick")
	}
	if msg := open.Find(`[data-testid="field-error"]`).Text(); !strings.Contains(msg, "理由") {
		t.Errorf("message beside the field: %q", msg)
	}
	if r := owner.Post(remove, url.Values{"reason": {"多次发布广告"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("removal with a reason: %d", r.StatusCode)
	}
	after := owner.Get(fmt.Sprintf("/groups/%d/members", s.c32.ID)).Doc.Find(`[data-testid="member"]`).Length()
	if after != before-1 {
		t.Errorf("%d members before, %d after", before, after)
	}
}

// An invite code that opens no class is answered on the same page, the
// code kept in its box and the reason beside it; a good one leads on.
func TestWrongInviteCodeKeepsTheCode(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	c := s.clients["parent-other"]
	r := c.Get("/join?code=" + url.QueryEscape(" nosuch1 "))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: %d", r.StatusCode)
	}
	box := r.Doc.Find(`input[name="code"]`)
	if v, _ := box.Attr("value"); v != "NOSUCH1" {
		t.Errorf("the box holds %q", v)
	}
	if _, invalid := box.Attr("aria-invalid"); !invalid || !strings.Contains(r.Doc.Find("#code-error").Text(), "邀请码无效") {
		t.Errorf("no reason beside the box: %q", r.Doc.Find("#code-error").Text())
	}
	if r := c.Get("/join?code=" + strings.Repeat("A", 4000)); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a 4,000-character code: %d", r.StatusCode)
	}
	g := s.world.ClassGroup(3, 2)
	if r := c.Get("/join?code=" + strings.ToLower(g.InviteCode)); r.StatusCode != http.StatusSeeOther || r.Location() != "/join/"+g.InviteCode {
		t.Errorf("good code: %d to %q", r.StatusCode, r.Location())
	}
}

// A request rejected without a reason stays in the approver's inbox with
// the message beside its reason field.
func TestRejectionWithoutReasonStaysInTheInbox(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	teacher := s.world.ByPhone("13800000003")
	s.world.Clock.Set(time.Date(2026, 11, 13, 10, 0, 0, 0, time.UTC)) // a Friday
	a, err := s.world.Attendance.RequestMakeup(context.Background(), teacher, attendance.MakeupInput{Date: "2026-11-12", Which: "in", Reason: "忘记打卡"})
	if err != nil {
		t.Fatal(err)
	}
	admin := s.clients["admin"]
	r := admin.Post(fmt.Sprintf("/approvals/%d/reject", a.ID), url.Values{"reason": {""}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("rejection without a reason: %d", r.StatusCode)
	}
	item := r.Doc.Find(`[data-testid="approval"]`)
	if item.Length() != 1 || !strings.Contains(item.Find(`[data-testid="field-error"]`).Text(), "理由") {
		t.Fatalf("the inbox shows %d requests; beside the reason: %q", item.Length(), item.Find(`[data-testid="field-error"]`).Text())
	}
}

// A held message rejected without a reason is answered on the moderation
// page, still held, with the message beside its reason field.
func TestHeldRejectionWithoutReasonStaysOnThePage(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	held := s.postAs(t, "13900000001", "帮忙投票给三号")
	if held.Status != message.Held {
		t.Fatalf("not held: %+v", held)
	}
	r := s.clients["owner"].Post(fmt.Sprintf("/groups/%d/messages/%d/reject", s.c32.ID, held.ID), url.Values{"reason": {""}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("rejection without a reason: %d", r.StatusCode)
	}
	msg := r.Doc.Find(`[data-testid="field-error"]`)
	if msg.Length() != 1 || !strings.Contains(msg.Text(), "理由") {
		t.Fatalf("%d messages on the page: %q", msg.Length(), msg.Text())
	}
	if !strings.Contains(r.Doc.Find("main").Text(), "帮忙投票给三号") {
		t.Error("the held message is not on the page")
	}
}

// A refused school-wide word keeps the word, its category and its action;
// an added or deleted one says so once.
func TestSchoolWordsInPlace(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	admin := s.clients["admin"]
	admin.Get("/admin/words")
	r := admin.Post("/admin/words", url.Values{"pattern": {strings.Repeat("广", 41)}, "category": {"ads"}, "action": {"review"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a 41-character word: %d", r.StatusCode)
	}
	if v, _ := r.Doc.Find(`select[name="category"] option[selected]`).Attr("value"); v != "ads" {
		t.Errorf("category kept as %q", v)
	}
	if v, _ := r.Doc.Find(`select[name="action"] option[selected]`).Attr("value"); v != "review" {
		t.Errorf("action kept as %q", v)
	}
	r = admin.Post("/admin/words", url.Values{"pattern": {"代写作业"}, "category": {"ads"}, "action": {"review"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a word: %d", r.StatusCode)
	}
	page := admin.Get("/admin/words")
	if !strings.Contains(page.TestID("flash"), "已加入全校词库") || !strings.Contains(page.TestID("words"), "代写作业") {
		t.Fatalf("after adding: flash %q, words %q", page.TestID("flash"), page.TestID("words"))
	}
	del, _ := page.Doc.Find(`[data-testid="word"]:contains("代写作业") form`).Attr("action")
	if r := admin.Post(del, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("deleting: %d", r.StatusCode)
	}
	if page := admin.Get("/admin/words"); !strings.Contains(page.TestID("flash"), "已从全校词库删除") || strings.Contains(page.TestID("words"), "代写作业") {
		t.Fatalf("after deleting: flash %q, words %q", page.TestID("flash"), page.TestID("words"))
	}
}
