// Package web serves budgetgrid over HTTP with Echo: the resident's
// journey, with sessions, CSRF, security headers and one error handler.
package web

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// MaxBody caps a request body. A lot page's form is about 2 KB and the
// comments box 2,000 characters, so 64 KB leaves room and refuses abuse.
const MaxBody = "64K"

// Config configures a Server.
type Config struct {
	Store consult.Store
	// BaseURL is the public URL; an https one makes cookies Secure.
	BaseURL string
	// TrustProxy takes the client's address from X-Forwarded-For, for
	// rate limits behind a reverse proxy. Off, the connection's address.
	TrustProxy bool
	Logger     *slog.Logger
	// Now returns the time; tests may fix it. Defaults to time.Now.
	Now func() time.Time
	// Metrics turns on Prometheus metrics (see MetricsHandler).
	Metrics bool
	// SessionIdle and SessionAbsolute end an in-progress session on the
	// server after that long unused, or that long after it began; 0 means
	// DefaultSessionIdle and DefaultSessionAbsolute.
	SessionIdle, SessionAbsolute time.Duration
	// StartLimit caps how many responses may be started per StartWindow
	// from one address (StartLimit) and one session (StartSessionLimit),
	// counted in the store so that several servers share the limits;
	// 0 means the defaults (DefaultStartLimit…).
	StartLimit, StartSessionLimit int
	StartWindow                   time.Duration
	// PurgeAfter is how long an in-progress response may go unchanged
	// before RunPurge deletes it; 0 means DefaultPurgeAfter.
	PurgeAfter time.Duration
}

// Defaults for the limits on starting responses and for the purge of
// abandoned ones.
const (
	DefaultStartLimit        = 60
	DefaultStartSessionLimit = 10
	DefaultStartWindow       = 10 * time.Minute
	DefaultPurgeAfter        = 30 * 24 * time.Hour
	// PurgeEvery is how often RunPurge looks for abandoned responses.
	PurgeEvery = time.Hour
)

// Server is the HTTP front of budgetgrid.
type Server struct {
	Echo  *echo.Echo
	store consult.Store
	pages *pages
	cat   *catalogue
	// gridCache holds each grid version's canonical JSON.
	gridCache sync.Map
	assets    *assets
	sessions  *sessions.CookieStore
	secure    bool
	// publicURL is the configured base URL without a trailing slash.
	publicURL  string
	trustProxy bool
	log        *slog.Logger
	now        func() time.Time
	// metrics is nil unless Config.Metrics.
	metrics *metrics
	csrfKey []byte

	sessionIdle, sessionAbsolute  time.Duration
	startLimit, startSessionLimit int
	startWindow, purgeAfter       time.Duration
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// New builds a Server: parses templates (failing fast), loads or creates
// the session keys, and wires routes and middleware.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{store: cfg.Store, log: cfg.Logger, now: cfg.Now,
		sessionIdle:       orDefault(cfg.SessionIdle, DefaultSessionIdle),
		sessionAbsolute:   orDefault(cfg.SessionAbsolute, DefaultSessionAbsolute),
		startLimit:        orDefault(cfg.StartLimit, DefaultStartLimit),
		startSessionLimit: orDefault(cfg.StartSessionLimit, DefaultStartSessionLimit),
		startWindow:       orDefault(cfg.StartWindow, DefaultStartWindow),
		purgeAfter:        orDefault(cfg.PurgeAfter, DefaultPurgeAfter),
	}
	if cfg.Metrics {
		s.metrics = newMetrics()
		s.store = measuredStore{Store: cfg.Store, m: s.metrics}
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.cat, err = loadCatalogue(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(s.assets); err != nil {
		return nil, err
	}
	s.secure = strings.HasPrefix(cfg.BaseURL, "https://")
	s.publicURL = strings.TrimSuffix(cfg.BaseURL, "/")
	s.trustProxy = cfg.TrustProxy
	if s.sessions, err = s.sessionStore(ctx); err != nil {
		return nil, err
	}
	s.routes()
	if err := s.adminRoutes(); err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP lets a Server be used as an http.Handler. HEAD is answered as
// GET with the body left out.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		s.Echo.ServeHTTP(headOnly{w}, get)
		return
	}
	s.Echo.ServeHTTP(w, r)
}

func (s *Server) routes() {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
	if s.trustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.HTTPErrorHandler = s.handleError
	e.Pre(middleware.RemoveTrailingSlash())
	if s.metrics != nil {
		e.Use(s.metrics.middleware)
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(s.securityHeaders)
	e.Use(middleware.BodyLimit(MaxBody))
	// Pages are compressed on the fly; static files are compressed once at
	// start by the asset server.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     gzip.BestSpeed,
		MinLength: 1024,
		Skipper:   func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/static/") },
	}))
	s.Echo = e

	e.GET("/static/*", s.assets.serve)
	s.fieldAPIRoutes(e)
	s.fieldAppRoutes(e)
	e.GET("/healthz", s.health)

	g := e.Group("", readForm, s.csrf, noStore)
	g.GET("/", s.home)
	g.GET("/c/:slug", s.start)
	g.GET("/accessibility", s.accessibility)
	g.GET("/cookies", s.cookies)
	g.GET("/c/:slug/privacy", s.privacy)
	g.POST("/c/:slug/start", s.begin, s.startLimiter)
	g.GET("/c/:slug/saved", s.saved)
	g.GET("/c/:slug/resume", s.resumePage)
	g.GET("/c/:slug/resume/:code", s.resumePage)
	g.POST("/c/:slug/resume", s.resume, s.resumeLimiter())
	g.GET("/c/:slug/confirmation", s.confirmation)
	g.GET("/c/:slug/start-again", s.startAgainPage)
	g.POST("/c/:slug/start-again", s.startAgain)
	g.POST("/c/:slug/check-answers", s.submit)
	g.GET("/c/:slug/:stage", s.showStage)
	g.POST("/c/:slug/:stage", s.saveStage)
}

// readForm parses a posted form before the CSRF check reads it, so that a
// body over the limit (even one sent without a length) is answered 413,
// and an unreadable one 400, rather than a misleading CSRF refusal.
func readForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodPost {
			if err := c.Request().ParseForm(); err != nil {
				if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
					return echo.ErrStatusRequestEntityTooLarge
				}
				return echo.NewHTTPError(http.StatusBadRequest, "msg.badrequest.form").SetInternal(err)
			}
		}
		return next(c)
	}
}

// headOnly answers HEAD as GET without the body: Echo routes GET only.
type headOnly struct{ http.ResponseWriter }

func (headOnly) Write(b []byte) (int, error) { return len(b), nil }

// securityHeaders sets a strict CSP (no inline script, nothing from other
// origins) and the usual hardening headers on every response.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.secure { // from the configured base URL, not a client's header
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

// noStore keeps pages with answers out of caches, so the back button
// always shows what the server holds.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// randomKey returns n random bytes.
func randomKey(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return b
}
