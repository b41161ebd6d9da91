package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiaxiao/app/apptest"
)

// TestHostileNumbersAndRedirects: ids beyond what the databases hold,
// page numbers that would overflow an offset, NaN and infinite
// coordinates, and login redirects that browsers would read as another
// site all get a clear answer, never a 500 and never another site.
func TestHostileNumbersAndRedirects(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	parent := s.clients["parent-member"]
	for _, path := range []string{
		"/groups/9223372036854775808", "/groups/18446744073709551615", "/groups/99999999999999999999999",
		"/groups/-1", "/groups/0", "/notices/9223372036854775808", "/files/18446744073709551615",
		fmt.Sprintf("/groups/%d?before=18446744073709551615", s.c32.ID),
		"/archive?page=9223372036854775807&group=18446744073709551615",
		"/events?group=9223372036854775808",
	} {
		r := parent.Get(path)
		if r.StatusCode >= 500 {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
	}
	owner := s.clients["owner"]
	n := s.notice(t, true)
	if r := owner.Get(fmt.Sprintf("/notices/%d/receipts?page=9223372036854775807", n.ID)); r.StatusCode != http.StatusOK {
		t.Errorf("receipts with a huge page number: %d", r.StatusCode)
	}

	// NaN passes every comparison it is not made to fail.
	admin := s.clients["admin"]
	admin.Get("/admin/settings")
	for _, v := range []string{"NaN", "nan", "Inf", "-Inf", "1e400"} {
		r := admin.Post("/admin/settings", url.Values{"school_lat": {v}})
		if r.StatusCode != http.StatusUnprocessableEntity || r.InputValue("school_lat") != v {
			t.Errorf("school_lat=%s: %d, kept %q", v, r.StatusCode, r.InputValue("school_lat"))
		}
	}
	teacher := s.clients["teacher-class"]
	teacher.Get("/attendance")
	for _, form := range []url.Values{
		{"lat": {"NaN"}, "lng": {"121.47"}, "accuracy": {"20"}},
		{"lat": {"31.23"}, "lng": {"Inf"}, "accuracy": {"20"}},
		{"lat": {"31.23"}, "lng": {"121.47"}, "accuracy": {"NaN"}},
	} {
		if r := teacher.Post("/attendance/punch", form); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("punch %v: %d", form, r.StatusCode)
		}
	}

	// After login, only a path on this site is followed.
	for next, want := range map[string]string{
		"/groups/3?x=1":                 "/groups/3?x=1",
		"//evil.example/":               "/",
		"/\\evil.example/":              "/",
		"/\t/evil.example/":             "/",
		"/\n/evil.example/":             "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"/%09/evil.example/":            "/%09/evil.example/", // stays a path on this site
		"":                              "/",
		"/" + strings.Repeat("a", 3000): "/",
	} {
		r := parent.Get("/login?next=" + url.QueryEscape(next))
		if r.StatusCode != http.StatusSeeOther || r.Location() != want {
			t.Errorf("next=%q: %d to %q, want %q", next, r.StatusCode, r.Location(), want)
		}
	}
}

// TestFormTextIsText: NUL bytes, other control characters and invalid
// UTF-8 are refused before any handler; line breaks arrive as \n.
func TestFormTextIsText(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	parent := s.clients["parent-member"]
	feed := fmt.Sprintf("/groups/%d", s.c32.ID)
	parent.Get(feed)
	for _, body := range []string{"明天\x00带作业", "明天\x1b[31m带作业", "明天\xff\xfe带作业", "\u0085明天"} {
		if r := parent.Post(feed+"/messages", url.Values{"body": {body}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("body %q: %d", body, r.StatusCode)
		}
	}
	if r := parent.Post(feed+"/messages", url.Values{"body": {"第一行\r\n第二行\r第三行"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a message with line breaks: %d", r.StatusCode)
	}
	var body string
	s.world.DB.Table("messages").Where("group_id = ?", s.c32.ID).Order("id DESC").Limit(1).Pluck("body", &body)
	if body != "第一行\n第二行\n第三行" {
		t.Fatalf("stored %q", body)
	}
}
