package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

// TestNotFound checks that unknown addresses get a 404 page in the site's
// design.
func TestNotFound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	draft, err := func() (*consult.Consultation, error) {
		k := *e.k
		k.Slug, k.Status, k.ID = "draft-2027", consult.Draft, 0
		return &k, e.store.CreateConsultation(ctx, &k)
	}()
	if err != nil {
		t.Fatalf("create draft: %v", err)
	}
	tests := []struct{ name, path string }{
		{"unknown slug", "/c/nowhere-2027"},
		{"unknown slug stage", "/c/nowhere-2027/lot-1"},
		{"unknown stage", base + "/nope"},
		{"lot past the last", base + "/lot-5"},
		{"lot zero", base + "/lot-0"},
		{"unknown top-level path", "/nope"},
		{"draft consultation", "/c/" + draft.Slug},
		{"draft consultation stage", "/c/" + draft.Slug + "/about-you"},
		{"static file without its hash", "/static/css/app.css"},
		{"static file with a wrong hash", "/static/css/app.000000000000.css"},
		{"static path escape", "/static/../templates/layout.html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.newClient(t)
			r := c.get(tc.path)
			r.wantStatus(t, http.StatusNotFound)
			if h := r.heading(); h != "Page not found" {
				t.Errorf("heading %q, want Page not found", h)
			}
			r.wantText(t, "govuk-template__body", "See all consultations")
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type %q, want HTML", r.header.Get("Content-Type"))
			}
		})
	}
	t.Run("draft not on the home page", func(t *testing.T) {
		r := e.newClient(t).get("/")
		r.wantStatus(t, http.StatusOK)
		if strings.Contains(r.body, "/c/"+draft.Slug) {
			t.Errorf("home page links to a draft")
		}
		if !strings.Contains(r.body, `href="`+base+`"`) {
			t.Errorf("home page does not link to the open consultation")
		}
	})
}

// TestInternalError checks the 500 page: the site's design, no internals.
func TestInternalError(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("lot-1")
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", base, base + "/lot-1"} {
		r := c.get(p)
		r.wantStatus(t, http.StatusInternalServerError)
		if h := r.heading(); h != "Sorry, there is a problem with the service" {
			t.Errorf("%s: heading %q", p, h)
		}
		for _, leak := range []string{"sql", "database", "closed", "budgetgrid error", ".go:"} {
			if strings.Contains(strings.ToLower(r.text), leak) {
				t.Errorf("%s: 500 page shows internals (%q)", p, leak)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "request failed") {
		t.Errorf("the error was not logged")
	}
}

// TestSecurityHeaders checks the headers on pages, errors, redirects and
// static files.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	page := c.get(base)
	css := regexp.MustCompile(`href="(/static/css/app\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(page.body)
	if css == nil {
		t.Fatal("start page links no hashed app.css")
	}
	tests := []struct {
		name string
		do   func() *resp
	}{
		{"page", func() *resp { return c.get(base) }},
		{"home", func() *resp { return c.get("/") }},
		{"not found", func() *resp { return c.get("/nope") }},
		{"redirect", func() *resp { return c.post(base+"/start", nil) }},
		{"forbidden", func() *resp { return c.postRaw(base+"/start", "") }},
		{"static", func() *resp { return c.get(css[1]) }},
		{"health", func() *resp { return c.get("/healthz") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.do()
			csp := r.header.Get("Content-Security-Policy")
			if csp == "" {
				t.Fatal("no Content-Security-Policy")
			}
			for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:"} {
				if strings.Contains(csp, bad) {
					t.Errorf("CSP allows %q: %s", bad, csp)
				}
			}
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP lacks %q: %s", want, csp)
				}
			}
			for h, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "same-origin",
			} {
				if got := r.header.Get(h); got != want {
					t.Errorf("%s %q, want %q", h, got, want)
				}
			}
		})
	}
	t.Run("cookies", func(t *testing.T) {
		c := e.newClient(t)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+base+"/start", strings.NewReader(url.Values{"_csrf": {c.token()}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var names []string
		for _, ck := range res.Cookies() {
			names = append(names, ck.Name)
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %s: HttpOnly %v SameSite %v, want HttpOnly and Lax", ck.Name, ck.HttpOnly, ck.SameSite)
			}
		}
		sort.Strings(names)
		if strings.Join(names, ",") != "budgetgrid" {
			t.Errorf("cookies %v, want budgetgrid alone (the CSRF token is bound to it)", names)
		}
	})
}

// TestStaticFiles checks that every static file a page names is served
// under a hashed name, cached for ever, and gzipped when asked.
func TestStaticFiles(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	page := c.get(base)
	refs := regexp.MustCompile(`"(/static/[^"]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(refs) < 4 {
		t.Fatalf("start page names %d static files, want the two stylesheets and two scripts", len(refs))
	}
	hashed := regexp.MustCompile(`^/static/.+\.[0-9a-f]{12}\.[a-z]+$`)
	types := map[string]string{".css": "text/css", ".js": "text/javascript"}
	for _, ref := range refs {
		path := ref[1]
		t.Run(path, func(t *testing.T) {
			if !hashed.MatchString(path) {
				t.Errorf("not a hashed name")
			}
			plain := c.get(path)
			plain.wantStatus(t, http.StatusOK)
			if got := plain.header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control %q", got)
			}
			if plain.header.Get("Content-Encoding") != "" {
				t.Errorf("gzipped without Accept-Encoding")
			}
			for ext, ct := range types {
				if strings.HasSuffix(path, ext) && !strings.HasPrefix(plain.header.Get("Content-Type"), ct) {
					t.Errorf("Content-Type %q, want %s", plain.header.Get("Content-Type"), ct)
				}
			}
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			gz := c.do(req)
			gz.wantStatus(t, http.StatusOK)
			if gz.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", gz.header.Get("Content-Encoding"))
			}
			if !strings.Contains(gz.header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", gz.header.Get("Vary"))
			}
			zr, err := gzip.NewReader(strings.NewReader(gz.body))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, []byte(plain.body)) {
				t.Errorf("gunzipped body (%d bytes) differs from the plain one (%d bytes)", len(body), len(plain.body))
			}
			if len(gz.body) >= len(plain.body) {
				t.Errorf("gzip body %d bytes, plain %d", len(gz.body), len(plain.body))
			}
		})
	}
}

var (
	// urlAttrRE finds attributes that name a URL.
	urlAttrRE = regexp.MustCompile(`\s(src|href|action|formaction|poster|srcset|data-[a-z-]+)="([^"]*)"`)
	// scriptTagRE finds script elements; inlineStyleRE finds what a strict
	// CSP blocks besides inline script: inline styles and event handlers.
	scriptTagRE   = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	inlineStyleRE = regexp.MustCompile(`\sstyle="|<style[\s>]|\son[a-z]+="`)
)

// inlineCode returns the first thing on the page that a CSP without
// 'unsafe-inline' would block, or "". JSON data blocks are not scripts.
func inlineCode(body string) string {
	for _, m := range scriptTagRE.FindAllStringSubmatch(body, -1) {
		attrs := m[1]
		if strings.Contains(attrs, `type="application/json"`) {
			continue
		}
		if !strings.Contains(attrs, " src=") || strings.TrimSpace(m[2]) != "" {
			return m[0]
		}
	}
	return inlineStyleRE.FindString(body)
}

// TestPagesStayOnSite walks the whole journey and the error pages and
// checks that no page names another origin or uses inline script or style.
func TestPagesStayOnSite(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.get("/")
	c.answerUntil("check-answers")
	c.get(base + "/check-answers")
	c.post(base+"/lot-1", lotForm(with(lot1, map[string]int{"roads": 5}))) // 422 page
	c.post(base+"/lot-1?return=check", set(lotForm(lot1), "action", "recalculate"))
	c.post(base+"/check-answers", nil)
	c.get(base + "/confirmation")
	c.get(base + "/lot-1") // 409 already sent
	c.get("/nope")
	c.postRaw(base+"/start", "")
	o := e.newClient(t)
	o.start()
	o.get(base + "/lot-2") // 409 skip
	for k, v := range o.pages {
		c.pages[k] = v
	}
	if len(c.pages) < 15 {
		t.Fatalf("only %d pages seen", len(c.pages))
	}
	for name, body := range c.pages {
		t.Run(name, func(t *testing.T) {
			for _, m := range urlAttrRE.FindAllStringSubmatch(body, -1) {
				v := strings.TrimSpace(m[2])
				if strings.Contains(v, "://") || strings.HasPrefix(v, "//") || strings.HasPrefix(strings.ToLower(v), "javascript:") {
					t.Errorf("%s=%q names another origin", m[1], v)
				}
				if (m[1] == "src" || m[1] == "href") && v != "" && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "#") {
					t.Errorf("%s=%q is not a same-site path", m[1], v)
				}
			}
			if m := inlineCode(body); m != "" {
				t.Errorf("inline script or style the CSP would block: %q", m)
			}
		})
	}
}
