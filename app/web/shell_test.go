package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"jiaxiao/app/apptest"
)

// Every logged-in page has the phone's tab bar: four places for a parent,
// 考勤 too for staff, the current one marked; the pages reached from 我的
// keep 我的 marked.
func TestTabBar(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	for _, tc := range []struct {
		actor, path string
		tabs        string
		current     string
	}{
		{"parent-member", "/", "首页 群聊 通知 我的", "首页"},
		{"parent-member", fmt.Sprintf("/groups/%d", s.c32.ID), "首页 群聊 通知 我的", "群聊"},
		{"teacher-class", "/notices", "首页 群聊 通知 考勤 我的", "通知"},
		{"admin", "/admin", "首页 群聊 通知 考勤 我的", "我的"},
		{"teacher-class", "/notifications", "首页 群聊 通知 考勤 我的", "我的"},
	} {
		r := s.clients[tc.actor].Get(tc.path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", tc.actor, tc.path, r.StatusCode)
		}
		var labels []string
		r.Doc.Find(`[data-testid="tabbar"] a`).Each(func(_ int, a *goquery.Selection) { labels = append(labels, strings.TrimSpace(a.Text())) })
		if got := strings.Join(labels, " "); got != tc.tabs {
			t.Errorf("%s %s: tabs %q, want %q", tc.actor, tc.path, got, tc.tabs)
		}
		if got := strings.TrimSpace(r.Doc.Find(`[data-testid="tabbar"] a[aria-current="page"]`).Text()); got != tc.current {
			t.Errorf("%s %s: current tab %q, want %q", tc.actor, tc.path, got, tc.current)
		}
	}
	if r := s.clients["anonymous"].Get("/login"); r.Doc.Find(`[data-testid="tabbar"]`).Length() != 0 {
		t.Error("the login page has a tab bar")
	}
}

// 我的 lists a parent's children and the places the tab bar has no room
// for, by role; it logs out.
func TestMePage(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	parent := s.clients["parent-member"].Get("/me")
	if parent.StatusCode != http.StatusOK || parent.Doc.Find(`[data-testid="my-children"] li`).Length() == 0 {
		t.Fatalf("parent's 我的: %d, children %q", parent.StatusCode, parent.TestID("my-children"))
	}
	menu := parent.TestID("me-menu")
	if !strings.Contains(menu, "消息提醒") || !strings.Contains(menu, "归档") || strings.Contains(menu, "审批") || strings.Contains(menu, "学校管理") {
		t.Errorf("parent's menu: %q", menu)
	}
	admin := s.clients["admin"].Get("/me").TestID("me-menu")
	if !strings.Contains(admin, "审批") || !strings.Contains(admin, "学校管理") {
		t.Errorf("admin's menu: %q", admin)
	}
	if s.clients["teacher-class"].Get("/me").Doc.Find(`[data-testid="my-children"]`).Length() != 0 {
		t.Error("a teacher has children listed")
	}
	if r := s.clients["anonymous"].Get("/me"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous 我的: %d", r.StatusCode)
	}
}

// A flash cookie says only what the server registered: an unknown kind,
// wrong count of numbers or anything but plain numbers shows nothing.
func TestForgedFlashSaysNothing(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	c := s.clients["owner"]
	for _, v := range []string{"dinged", "dinged.1.2", "dinged.1.2.3.4", "dinged.-1.2.3", "dinged.01.2.3", "dinged.1.2.x", "nosuch.1", strings.Repeat("dinged.1.2.3", 40)} {
		r := c.Get("/", "Cookie", "jx_flash="+v)
		if got := r.TestID("flash"); got != "" {
			t.Errorf("flash %q shows %q", v, got)
		}
	}
	r := c.Get("/", "Cookie", "jx_flash=dinged.3.2.420")
	if got := r.TestID("flash"); got != "已 DING 3 位未读的接收人。2 位家长正处于免打扰时段，提醒将于 07:00 发出。" {
		t.Errorf("flash reads %q", got)
	}
}
