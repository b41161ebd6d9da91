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
