package web

import (
	"context"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/static"
)

func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz reports whether the database and object storage answer now.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	type check struct {
		name string
		err  error
	}
	results := make(chan check, 2)
	go func() { results <- check{"database", db.Ping(ctx, s.db)} }()
	go func() { results <- check{"storage", s.store.Ping(ctx)} }()
	status, body := http.StatusOK, ""
	for range 2 {
		r := <-results
		if r.err != nil {
			status = http.StatusServiceUnavailable
			body += r.name + ": unavailable\n"
			s.log.Warn("readyz: not ready", "check", r.name, "err", r.err)
		} else {
			body += r.name + ": ok\n"
		}
	}
	return c.String(status, body)
}

// operatorOnly lets through loopback clients (not through a proxy) and
// admins: the guard of /metrics and /debug/pprof.
func operatorOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !fromLoopback(c.Request()) {
			u := userOf(c)
			if u == nil {
				return apperr.ErrUnauthenticated
			}
			if u.Role != auth.RoleAdmin {
				return apperr.ErrForbidden
			}
		}
		return next(c)
	}
}

// metricsHandler serves Prometheus metrics.
func (s *Server) metricsHandler(c echo.Context) error {
	promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

// pprofHandler serves the Go profiler (/debug/pprof/, profile, heap,
// goroutine, trace …), for finding where a slow page spends its time.
func pprofHandler(c echo.Context) error {
	r := c.Request()
	switch name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/"); name {
	case "cmdline":
		pprof.Cmdline(c.Response(), r)
	case "profile":
		pprof.Profile(c.Response(), r)
	case "symbol":
		pprof.Symbol(c.Response(), r)
	case "trace":
		pprof.Trace(c.Response(), r)
	default:
		pprof.Index(c.Response(), r) // the index, and named profiles such as heap
	}
	return nil
}

func fromLoopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("X-Real-IP") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func staticHandler() echo.HandlerFunc {
	files := http.StripPrefix("/static/", http.FileServerFS(static.FS))
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
