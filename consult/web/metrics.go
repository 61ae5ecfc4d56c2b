package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the Prometheus collectors of one Server, on a registry of
// its own (tests may run several servers in one process).
type metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	completions prometheus.Counter
	storeErrors *prometheus.CounterVec
}

// newMetrics registers the collectors: requests by route and status,
// latency by route, completions, store errors by method, and the Go
// runtime's and process's own.
func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "budgetgrid_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "budgetgrid_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		completions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "budgetgrid_completions_total",
			Help: "Responses completed (acknowledged, so durable).",
		}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "budgetgrid_store_errors_total",
			Help: "Store calls that failed for a reason of ours (not a domain error such as not found), by method.",
		}, []string{"method"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.completions, m.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// middleware records each request once it is answered. The route is
// Echo's pattern (/c/:slug/:stage), never the raw path, so the number of
// series stays bounded whatever clients send.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			// The error handler has not written yet; take the status it
			// will answer with.
			var he *echo.HTTPError
			if errors.As(err, &he) {
				status = he.Code
			} else {
				status, _ = errorPage(err)
			}
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(route, c.Request().Method).Observe(time.Since(start).Seconds())
		return err
	}
}

// MetricsHandler serves the metrics in the Prometheus text format, or is
// nil when the Server was configured without metrics. Serve it on an
// address of its own, not the public one.
func (s *Server) MetricsHandler() http.Handler {
	if s.metrics == nil {
		return nil
	}
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

// measuredStore counts completions and store errors of the calls the web
// pages make.
type measuredStore struct {
	consult.Store
	m *metrics
}

// count records err against method when it is not a domain error.
func (s measuredStore) count(method string, err error) error {
	if consult.ErrorCode(err) == consult.EINTERNAL && !errors.Is(err, context.Canceled) {
		s.m.storeErrors.WithLabelValues(method).Inc()
	}
	return err
}

func (s measuredStore) Consultation(ctx context.Context, slug string) (*consult.Consultation, error) {
	c, err := s.Store.Consultation(ctx, slug)
	return c, s.count("Consultation", err)
}

func (s measuredStore) Consultations(ctx context.Context) ([]*consult.Consultation, error) {
	cs, err := s.Store.Consultations(ctx)
	return cs, s.count("Consultations", err)
}

func (s measuredStore) CreateResponse(ctx context.Context, r *consult.Response) error {
	return s.count("CreateResponse", s.Store.CreateResponse(ctx, r))
}

func (s measuredStore) Response(ctx context.Context, id string) (*consult.Response, error) {
	r, err := s.Store.Response(ctx, id)
	return r, s.count("Response", err)
}

func (s measuredStore) SaveResponse(ctx context.Context, r *consult.Response) error {
	return s.count("SaveResponse", s.Store.SaveResponse(ctx, r))
}

func (s measuredStore) CompleteResponse(ctx context.Context, r *consult.Response) error {
	err := s.Store.CompleteResponse(ctx, r)
	if err == nil {
		s.m.completions.Inc()
	}
	return s.count("CompleteResponse", err)
}

func (s measuredStore) SetResumeCode(ctx context.Context, responseID string, codeHash []byte, stage string) error {
	return s.count("SetResumeCode", s.Store.SetResumeCode(ctx, responseID, codeHash, stage))
}

func (s measuredStore) ResponseByResumeCode(ctx context.Context, codeHash []byte) (*consult.Response, string, error) {
	r, stage, err := s.Store.ResponseByResumeCode(ctx, codeHash)
	return r, stage, s.count("ResponseByResumeCode", err)
}

func (s measuredStore) Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	ok, retry, err := s.Store.Allow(ctx, key, limit, window, now)
	return ok, retry, s.count("Allow", err)
}

// Ping passes the health check through to the store.
func (s measuredStore) Ping(ctx context.Context) error {
	if p, ok := s.Store.(pinger); ok {
		return s.count("Ping", p.Ping(ctx))
	}
	_, err := s.Consultations(ctx)
	return err
}
