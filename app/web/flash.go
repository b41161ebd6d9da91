package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// A flash is the one-time message a page shows after a form succeeded
// (Post/Redirect/Get): the handler redirects and the next full page says
// what happened, once. The cookie carries only a registered kind and
// whole numbers; the words are the server's own, so nobody can make a page
// say something by crafting a link or a cookie.
type flash struct {
	key  string
	args int // how many numbers the sentence takes
	say  func(n []int64) string
}

var flashes = map[string]*flash{}

// newFlash registers a kind at package start. say gets exactly args
// numbers, each between 0 and maxFlashNumber.
func newFlash(key string, args int, say func(n []int64) string) *flash {
	if _, dup := flashes[key]; dup || key == "" || strings.ContainsAny(key, ". ") {
		panic("web: bad or duplicate flash kind " + key)
	}
	f := &flash{key: key, args: args, say: say}
	flashes[key] = f
	return f
}

// sayFlash registers a fixed sentence, or one with %d verbs for numbers.
func sayFlash(key, sentence string) *flash {
	n := strings.Count(sentence, "%d")
	return newFlash(key, n, func(a []int64) string {
		v := make([]any, len(a))
		for i, x := range a {
			v[i] = x
		}
		return fmt.Sprintf(sentence, v...)
	})
}

const (
	flashCookie    = "jx_flash"
	maxFlashNumber = 1 << 40
)

// setFlash leaves a message for the next page.
func (s *Server) setFlash(c echo.Context, f *flash, n ...int64) {
	if len(n) != f.args {
		panic(fmt.Sprintf("web: flash %s takes %d numbers, got %d", f.key, f.args, len(n)))
	}
	v := f.key
	for _, x := range n {
		v += "." + strconv.FormatInt(min(max(x, 0), maxFlashNumber), 10)
	}
	s.setCookie(c, flashCookie, v, 60)
}

// readFlash turns a cookie value back into its sentence; anything not
// written by setFlash says nothing.
func readFlash(v string) string {
	if len(v) > 200 {
		return ""
	}
	parts := strings.Split(v, ".")
	f, ok := flashes[parts[0]]
	if !ok || len(parts)-1 != f.args {
		return ""
	}
	n := make([]int64, f.args)
	for i, p := range parts[1:] {
		x, err := strconv.ParseInt(p, 10, 64)
		if err != nil || x < 0 || x > maxFlashNumber || strconv.FormatInt(x, 10) != p {
			return ""
		}
		n[i] = x
	}
	return f.say(n)
}

// takeFlash moves a waiting message into the request for page() and
// clears the cookie. Only a full page takes it: not htmx fragments, live
// streams or files, which would swallow it unseen.
func (s *Server) takeFlash(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodGet || isHTMX(c) || skipsSession(r.URL.Path) || r.URL.Path == "/events" || strings.HasPrefix(r.URL.Path, "/files/") {
			return next(c)
		}
		if ck, err := c.Cookie(flashCookie); err == nil {
			s.setCookie(c, flashCookie, "", -1)
			c.Set(ctxFlash, readFlash(ck.Value))
		}
		return next(c)
	}
}
