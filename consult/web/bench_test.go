package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
)

// benchResident is one resident's session against an in-process server.
type benchResident struct {
	srv     http.Handler
	cookies map[string]*http.Cookie
	csrf    string
	// gzip asks for compressed pages, as every browser does.
	gzip bool
}

func (r *benchResident) do(b *testing.B, method, path string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		form.Set("_csrf", r.csrf)
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for _, c := range r.cookies {
		req.AddCookie(c)
	}
	if r.gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	w := httptest.NewRecorder()
	r.srv.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		r.cookies[c.Name] = c
	}
	if m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(w.Body.String()); m != nil {
		r.csrf = m[1]
	}
	if w.Code >= 400 {
		b.Fatalf("%s %s: %d", method, path, w.Code)
	}
	return w
}

// BenchmarkLotPage renders lot 2 of the Fenshire demo (16 services, 61
// levels) for a resident, through the whole handler stack: session,
// CSRF, store reads, template and the embedded grid data.
func BenchmarkLotPage(b *testing.B) { benchmarkLotPage(b, false) }

// BenchmarkLotPageGzip is BenchmarkLotPage with the page compressed, as a
// browser asks for it.
func BenchmarkLotPageGzip(b *testing.B) { benchmarkLotPage(b, true) }

func benchmarkLotPage(b *testing.B, gzip bool) {
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	c, err := demo.Fenshire()
	if err != nil {
		b.Fatal(err)
	}
	if err := store.CreateConsultation(ctx, c); err != nil {
		b.Fatal(err)
	}
	srv, err := web.New(ctx, web.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	r := &benchResident{srv: srv, cookies: map[string]*http.Cookie{}}
	const slug = "/c/fenshire-2027"
	r.do(b, "GET", slug, nil)
	r.do(b, "POST", slug+"/start", url.Values{})
	r.do(b, "GET", slug+"/about-you", nil) // the new session's form token
	for _, st := range []string{"about-you", "current-service", "unacceptable-levels"} {
		r.do(b, "POST", slug+"/"+st, url.Values{})
	}
	lot1 := url.Values{"action": {"continue"}, "unspent": {"confirmed"}}
	for _, s := range c.Grid.Services {
		lot1.Set("s."+s.Key, "1")
	}
	lot1.Set("s."+c.Grid.Services[0].Key, "3")
	r.do(b, "POST", slug+"/lot-1", lot1)
	r.gzip = gzip
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w := r.do(b, "GET", slug+"/lot-2", nil)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
		b.SetBytes(int64(w.Body.Len()))
	}
}
