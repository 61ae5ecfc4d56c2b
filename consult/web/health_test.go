package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
)

// newMeasuredServer starts a server with metrics on a fresh database
// holding the demo, and returns it with its store.
func newMeasuredServer(t *testing.T, metrics bool) (*httptest.Server, *web.Server, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	k, err := demo.Fenshire()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateConsultation(ctx, k); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(ctx, web.Config{Store: db, Metrics: metrics, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s, db
}

// fetch GETs a URL and returns its status and body.
func fetch(t *testing.T, h http.Handler, url string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthz(t *testing.T) {
	srv, s, db := newMeasuredServer(t, false)
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("healthz = %d %q (%s)", resp.StatusCode, body, resp.Header.Get("Cache-Control"))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	code, body2 := fetch(t, s, "/healthz")
	if code != http.StatusServiceUnavailable || strings.Contains(body2, "sql") {
		t.Fatalf("healthz with the database closed = %d %q; want 503 without details", code, body2)
	}
}

func TestMetrics(t *testing.T) {
	t.Run("off unless asked for", func(t *testing.T) {
		_, s, _ := newMeasuredServer(t, false)
		if s.MetricsHandler() != nil {
			t.Fatal("a server without metrics has a metrics handler")
		}
		if code, _ := fetch(t, s, "/metrics"); code != http.StatusNotFound {
			t.Fatalf("/metrics on the public handler = %d, want 404", code)
		}
	})
	t.Run("requests by route pattern and status", func(t *testing.T) {
		_, s, _ := newMeasuredServer(t, true)
		if code, _ := fetch(t, s, "/metrics"); code != http.StatusNotFound {
			t.Fatalf("/metrics on the public handler = %d, want 404: metrics have their own listener", code)
		}
		for _, path := range []string{"/healthz", "/healthz", "/c/fenshire-2027", "/c/no-such-consultation-a1b2", "/c/no-such-consultation-c3d4"} {
			fetch(t, s, path)
		}
		code, body := fetch(t, s.MetricsHandler(), "/metrics")
		if code != http.StatusOK {
			t.Fatalf("metrics = %d", code)
		}
		for _, want := range []string{
			`budgetgrid_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
			`budgetgrid_http_requests_total{method="GET",route="/c/:slug",status="200"} 1`,
			`budgetgrid_http_requests_total{method="GET",route="/c/:slug",status="404"} 2`,
			`budgetgrid_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"} 2`,
			`budgetgrid_completions_total 0`,
			`go_goroutines`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if strings.Contains(body, "no-such-consultation") {
			t.Error("a raw path became a label")
		}
	})
	t.Run("store errors by method", func(t *testing.T) {
		_, s, db := newMeasuredServer(t, true)
		fetch(t, s, "/c/no-such-consultation")
		db.Close()
		if code, _ := fetch(t, s, "/c/fenshire-2027"); code != http.StatusInternalServerError {
			t.Fatalf("a page with the database closed = %d", code)
		}
		_, body := fetch(t, s.MetricsHandler(), "/metrics")
		if !strings.Contains(body, `budgetgrid_store_errors_total{method="Consultation"} 1`) {
			t.Errorf("the failed read is not counted once (a not-found is not an error):\n%s", grepLines(body, "store_errors"))
		}
		if !strings.Contains(body, `route="/c/:slug",status="500"} 1`) {
			t.Errorf("the 500 is not counted")
		}
	})
}

// grepLines returns the lines of s containing sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
