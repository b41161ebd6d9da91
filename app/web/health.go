package web

import (
	"context"
	"net"
	"net/http"
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

// metricsHandler serves Prometheus metrics to loopback clients (not through
// a proxy) and to admins.
func (s *Server) metricsHandler(c echo.Context) error {
	if !fromLoopback(c.Request()) {
		u := userOf(c)
		if u == nil {
			return apperr.ErrUnauthenticated
		}
		if u.Role != auth.RoleAdmin {
			return apperr.ErrForbidden
		}
	}
	promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
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
