package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiaxiao/app/apptest"
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
	if !strings.Contains(text, "理由") || strings.Contains(text, "reason") {
		t.Fatalf("the page says: %q", strings.TrimSpace(text))
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
	g := s.world.ClassGroup(3, 2)
	if r := c.Get("/join?code=" + strings.ToLower(g.InviteCode)); r.StatusCode != http.StatusSeeOther || r.Location() != "/join/"+g.InviteCode {
		t.Errorf("good code: %d to %q", r.StatusCode, r.Location())
	}
}
