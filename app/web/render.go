package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// render writes a templ component with the given status. The page is
// rendered into a buffer first: a component that fails leaves nothing
// written, so the error handler can still answer with an error page (and
// log the error) instead of a half page under a success status.
func render(c echo.Context, status int, cmp templ.Component) error {
	buf := pagePool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledPage {
			buf.Reset()
			pagePool.Put(buf)
		}
	}()
	if err := cmp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

var pagePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage keeps the odd huge page's buffer out of the pool.
const maxPooledPage = 1 << 20

// redirect answers a successful form POST: 303 for a plain form, HX-Redirect
// for htmx so the whole page changes.
func redirect(c echo.Context, url string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// safeNext keeps post-login redirects on this site: a path on this host,
// judged as a browser reads it. Browsers drop tabs and line breaks inside
// a URL and take a backslash for a slash, so "/\t/evil.example" or
// "/\\evil.example" would lead to another site; any control character
// (C1 included) or backslash sends the user home instead, and so does a
// next that is not UTF-8, which the login form would refuse as not text.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || !utf8.ValidString(next) {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\\' {
			return "/"
		}
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}
