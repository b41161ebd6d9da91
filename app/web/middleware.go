package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
)

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the CSP (no inline script) and its companions.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
		return next(c)
	}
}

type httpMetrics struct {
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "jiaxiao_http_request_duration_seconds",
		Help:    "HTTP requests by route, method and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})}
	reg.MustRegister(m.duration)
	return m
}

// requestLog logs every request with slog and records its duration. It sits
// outside the error handler's reach, so it asks Echo to handle the error
// first to learn the final status.
func (s *Server) requestLog(m *httpMetrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			m.duration.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Observe(d.Seconds())
			if strings.HasPrefix(route, "/static/") || route == "/healthz" || route == "/metrics" {
				return nil
			}
			attrs := []any{"method", c.Request().Method, "path", c.Request().URL.Path, "status", status,
				"duration_ms", d.Milliseconds(), "ip", c.RealIP(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID)}
			if u := userOf(c); u != nil {
				attrs = append(attrs, "user", u.ID)
			}
			s.log.Info("http", attrs...)
			return nil
		}
	}
}

func skipsSession(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" || path == "/favicon.ico"
}

// session takes the session token from its cookie.
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if skipsSession(c.Request().URL.Path) {
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			c.Set(ctxToken, ck.Value)
		}
		return next(c)
	}
}

// currentUser turns the session token into the logged-in user; an expired
// or revoked session clears its cookie.
func (s *Server) currentUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, _ := c.Get(ctxToken).(string)
		if token == "" {
			return next(c)
		}
		u, err := s.auth.Authenticate(c.Request().Context(), token)
		switch {
		case errors.Is(err, auth.ErrNoSession):
			s.setCookie(c, sessionCookie, "", -1)
			c.Set(ctxToken, "")
		case err != nil:
			return err
		default:
			c.Set(ctxUser, &u)
			// Full pages show the notification badge.
			if c.Request().Method == http.MethodGet && !isHTMX(c) && s.centre != nil {
				if n, err := s.centre.Unread(c.Request().Context(), u.ID); err == nil {
					c.Set(ctxUnread, n)
				}
			}
		}
		return next(c)
	}
}

// Request body budgets. Nobody who is not logged in sends more than a
// login, registration or activation form, so their bodies are cut at
// anonymousBodyLimit before anything (the CSRF check included) parses
// them; a logged-in user's uploads are bounded by userBodyLimit here and
// per file by the file service.
const (
	anonymousBodyLimit = 64 << 10
	userBodyLimit      = 64 << 20
	readTimeout        = 5 * time.Minute
)

// bodyBudget refuses a body larger than the sender's budget at once when
// it declares its length (413), and cuts it off at the budget otherwise.
func bodyBudget(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := int64(anonymousBodyLimit)
		if userOf(c) != nil {
			limit = userBodyLimit
		}
		r := c.Request()
		if r.ContentLength > limit {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}

// errCSRF is what a state-changing request without the right token gets.
var errCSRF = apperr.New(apperr.ErrForbidden, "页面已过期或来源不明，请刷新页面后重试。")

// csrf gives every visitor a random token in a cookie and requires it back
// on every state-changing request, as form field _csrf or header
// X-CSRF-Token. The cookie is SameSite=Lax and HttpOnly; pages carry the
// token in <meta name="csrf-token"> and in their forms.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if skipsSession(c.Request().URL.Path) {
			return next(c)
		}
		token := ""
		if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
			token = ck.Value
		} else {
			token = s.rotateCSRF(c)
		}
		c.Set(ctxCSRF, token)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = c.FormValue("_csrf")
		}
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// rotateCSRF issues a new CSRF token (at login and logout) and returns it.
func (s *Server) rotateCSRF(c echo.Context) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	s.setCookie(c, csrfCookie, token, 0)
	c.Set(ctxCSRF, token)
	return token
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site;
// maxAge 0 means a session cookie, negative deletes it.
func (s *Server) setCookie(c echo.Context, name, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// requireUser guards the routes that need a logged-in user.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if userOf(c) == nil {
			return apperr.ErrUnauthenticated
		}
		return next(c)
	}
}
