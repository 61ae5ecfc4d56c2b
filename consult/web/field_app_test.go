package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var (
	shellLine  = regexp.MustCompile(`(?m)^const SHELL = (\[.*\]);$`)
	versionRE  = regexp.MustCompile(`(?m)^const VERSION = "([0-9a-f]{12})";$`)
	scriptTags = regexp.MustCompile(`<script\b[^>]*>`)
)

// shellURLs reads the files the field app's service worker caches.
func shellURLs(tb testing.TB, sw string) []string {
	tb.Helper()
	m := shellLine.FindStringSubmatch(sw)
	if m == nil {
		tb.Fatalf("sw.js names no SHELL:\n%.400s", sw)
	}
	var urls []string
	if err := json.Unmarshal([]byte(m[1]), &urls); err != nil {
		tb.Fatal(err)
	}
	return urls
}

// TestFieldAppShell checks the field app's page and worker: the page has
// no inline script and loads only same-origin hashed files; the worker is
// served from a stable URL allowed to control /field, and every file it
// caches is served.
func TestFieldAppShell(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)

	page := c.get("/field")
	page.wantStatus(t, http.StatusOK)
	if ct := page.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("/field Content-Type %q", ct)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("/field CSP %q", csp)
	}
	if cc := page.header.Get("Cache-Control"); cc != "no-cache" {
		t.Fatalf("/field Cache-Control %q, want no-cache (the worker keeps the copy)", cc)
	}
	tags := scriptTags.FindAllString(page.body, -1)
	if len(tags) != 1 || !strings.Contains(tags[0], `src="/static/field/app.`) {
		t.Fatalf("/field scripts %q, want only the app module", tags)
	}
	if strings.Contains(page.body, "http://") || strings.Contains(page.body, "https://") {
		t.Fatal("/field names another origin")
	}

	sw := c.get("/field/sw.js")
	sw.wantStatus(t, http.StatusOK)
	if got := sw.header.Get("Service-Worker-Allowed"); got != "/field" {
		t.Fatalf("Service-Worker-Allowed %q", got)
	}
	if ct := sw.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Fatalf("sw.js Content-Type %q", ct)
	}
	if !versionRE.MatchString(sw.body) {
		t.Fatal("sw.js has no VERSION")
	}
	urls := shellURLs(t, sw.body)
	if len(urls) < 6 || urls[0] != "/field" {
		t.Fatalf("SHELL %v", urls)
	}
	for _, u := range urls[1:] {
		// Every file the page loads is in the shell, so it opens offline.
		if !strings.Contains(page.body+sw.body, u) {
			t.Errorf("%s is cached but named nowhere", u)
		}
		r := c.get(u)
		if r.status != http.StatusOK || r.body == "" {
			t.Errorf("shell file %s: %d", u, r.status)
		}
	}
	for _, attr := range regexp.MustCompile(`(?:src|href|data-[a-z-]+)="(/static/[^"]+)"`).FindAllStringSubmatch(page.body, -1) {
		found := false
		for _, u := range urls {
			found = found || u == attr[1]
		}
		if !found {
			t.Errorf("the page loads %s, which the worker does not cache", attr[1])
		}
	}
}

// BenchmarkFieldAppShell reports the size of the field app's shell: the
// page, the worker and every file it caches, as sent uncompressed
// (shell-bytes) and with gzip (shell-gzip-bytes).
func BenchmarkFieldAppShell(b *testing.B) {
	e := newEnv(b)
	c := e.newClient(b)
	var plain, gz int
	for b.Loop() {
		plain, gz = 0, 0
		sw := c.get("/field/sw.js")
		plain += len(sw.body)
		for _, u := range append([]string{"/field/sw.js"}, shellURLs(b, sw.body)...) {
			if u != "/field/sw.js" {
				plain += len(c.get(u).body)
			}
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+u, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			var n int
			buf := make([]byte, 32<<10)
			for {
				k, err := res.Body.Read(buf)
				n += k
				if err != nil {
					break
				}
			}
			res.Body.Close()
			gz += n
		}
	}
	b.ReportMetric(float64(plain), "shell-bytes")
	b.ReportMetric(float64(gz), "shell-gzip-bytes")
}

// BenchmarkFieldPut is one interview sent to the field sync API on
// loopback, each acknowledged after the store's durable commit: the
// server's side of the field app's sync throughput.
func BenchmarkFieldPut(b *testing.B) {
	e := newEnv(b)
	token, _ := e.enrol(b, e.k.ID)
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("bench-%08d", i)
		if r := e.put(b, token, slug, id, e.interview(id)); r.code != http.StatusCreated {
			b.Fatalf("PUT = %+v", r)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
}
