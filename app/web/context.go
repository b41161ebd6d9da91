package web

import (
	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/views/layout"
)

const (
	ctxUser  = "jx.user"
	ctxToken = "jx.session"
	ctxCSRF  = "jx.csrf"

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

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

// page builds the layout view model for the current request.
func page(c echo.Context, title string) layout.Page {
	p := layout.Page{Title: title}
	p.CSRF, _ = c.Get(ctxCSRF).(string)
	if u := userOf(c); u != nil {
		p.User = &layout.User{Name: u.Name, RoleLabel: u.Role.Label()}
		p.Nav = navFor(u, c.Path())
	}
	return p
}

// navFor is the navigation a role sees.
func navFor(u *auth.User, current string) []layout.NavItem {
	items := []layout.NavItem{{Label: "首页", URL: "/"}}
	for i := range items {
		items[i].Active = items[i].URL == current
	}
	return items
}
