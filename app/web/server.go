// Package web is the HTTP layer: routes, middleware, and thin handlers that
// bind a form, call one domain service, and render a templ view. It is the
// only package that imports Echo.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/storage"
)

// Options are what the web layer is built from.
type Options struct {
	DB            *gorm.DB
	Store         storage.Store
	Auth          *auth.Service
	Log           *slog.Logger
	Metrics       *prometheus.Registry
	SecureCookies bool
	Now           func() time.Time
}

// Server holds the handlers' dependencies.
type Server struct {
	db      *gorm.DB
	store   storage.Store
	auth    *auth.Service
	log     *slog.Logger
	metrics *prometheus.Registry
	secure  bool
	now     func() time.Time
}

// New builds the Echo instance with every route and middleware.
func New(o Options) *echo.Echo {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = prometheus.NewRegistry()
	}
	s := &Server{db: o.DB, store: o.Store, auth: o.Auth, log: o.Log, metrics: o.Metrics, secure: o.SecureCookies, now: o.Now}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Trust X-Forwarded-For only from a proxy on loopback or the private network.
	e.IPExtractor = echo.ExtractIPFromXFFHeader()
	e.HTTPErrorHandler = s.handleError
	e.Server.ReadHeaderTimeout = 10 * time.Second
	e.Server.IdleTimeout = 120 * time.Second

	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", "err", err, "path", c.Request().URL.Path, "stack", string(stack))
		return err
	}}))
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}))
	e.Use(securityHeaders)
	e.Use(s.requestLog(newHTTPMetrics(o.Metrics)))
	e.Use(middleware.BodyLimit("64M"))
	e.Use(s.session)
	e.Use(s.currentUser)
	e.Use(s.csrf)
	s.routes(e)
	return e
}

func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler)
	e.GET("/static/*", staticHandler())
	e.GET("/favicon.ico", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.GET("/register", s.registerPage)
	e.POST("/register", s.register)
	e.POST("/register/code", s.registerCode)

	// Route-level middleware, not a Group: a group with middleware would
	// also catch unknown paths and turn their 404 into a login redirect.
	e.GET("/", s.home, requireUser)
}
