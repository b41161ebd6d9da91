package web

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/views/layout"
)

const (
	ctxUser   = "jx.user"
	ctxToken  = "jx.session"
	ctxCSRF   = "jx.csrf"
	ctxUnread = "jx.unread"
	ctxFlash  = "jx.flash"

	sessionCookie = "jx_session"
	csrfCookie    = "jx_csrf"
)

// userOf returns the logged-in user, or nil.
func userOf(c echo.Context) *auth.User {
	u, _ := c.Get(ctxUser).(*auth.User)
	return u
}

// mustUser returns the logged-in user; routes behind requireUser always have one.
func mustUser(c echo.Context) (*auth.User, error) {
	if u := userOf(c); u != nil {
		return u, nil
	}
	return nil, apperr.ErrUnauthenticated
}

// csrfOf is the request's CSRF token for forms.
func csrfOf(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

// page builds the layout view model for the current request.
func page(c echo.Context, title string) layout.Page {
	p := layout.Page{Title: title}
	p.CSRF = csrfOf(c)
	p.Flash, _ = c.Get(ctxFlash).(string)
	if u := userOf(c); u != nil {
		p.User = &layout.User{Name: u.Name, RoleLabel: u.Role.Label()}
		p.Nav = navFor(u, c.Path())
		p.Tabs = tabsFor(u, c.Request().URL.Path)
		p.Unread, _ = c.Get(ctxUnread).(int)
		p.Events = "/events"
	}
	return p
}

// navFor is the navigation a role sees.
func navFor(u *auth.User, current string) []layout.NavItem {
	items := []layout.NavItem{{Label: "首页", URL: "/"}, {Label: "我的群", URL: "/groups"}, {Label: "通知", URL: "/notices"}, {Label: "归档", URL: "/archive"}}
	if u.Role.Staff() {
		items = append(items, layout.NavItem{Label: "考勤", URL: "/attendance"}, layout.NavItem{Label: "审批", URL: "/approvals"})
	}
	if u.Role == auth.RoleAdmin {
		items = append(items, layout.NavItem{Label: "管理", URL: "/admin"})
	}
	for i := range items {
		items[i].Active = items[i].URL == current
	}
	return items
}

// tabsFor is the bottom tab bar of a phone: the four or five places a
// person goes every day, the current one marked. Everything else (归档,
// 审批, 管理, 提醒, 退出) is one tap away on 我的.
func tabsFor(u *auth.User, path string) []layout.NavItem {
	tabs := []layout.NavItem{
		{Label: "首页", URL: "/", Icon: "home"},
		{Label: "群聊", URL: "/groups", Icon: "chat"},
		{Label: "通知", URL: "/notices", Icon: "notice"},
	}
	if u.Role.Staff() {
		tabs = append(tabs, layout.NavItem{Label: "考勤", URL: "/attendance", Icon: "clock"})
	}
	tabs = append(tabs, layout.NavItem{Label: "我的", URL: "/me", Icon: "me"})
	for i := range tabs {
		t := &tabs[i]
		if t.URL == "/" {
			t.Active = path == "/"
		} else {
			t.Active = path == t.URL || strings.HasPrefix(path, t.URL+"/")
		}
	}
	if !slices.ContainsFunc(tabs, func(t layout.NavItem) bool { return t.Active }) {
		tabs[len(tabs)-1].Active = mineTab(path)
	}
	return tabs
}

// mineTab: the pages reached from 我的 keep it marked.
func mineTab(path string) bool {
	for _, p := range []string{"/notifications", "/archive", "/approvals", "/admin"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}
