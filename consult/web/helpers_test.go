package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
	"github.com/gorilla/sessions"
)

// slug is the Fenshire demo consultation's slug.
const slug = "fenshire-2027"

// base is the path prefix of the demo consultation's pages.
const base = "/c/" + slug

// testNow is the fixed time the test servers run at.
var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock for the server's Config.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// syncBuffer collects the server's log for failure messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a test server on a temp-file SQLite loaded with the Fenshire demo.
type env struct {
	store *sqlite.DB
	srv   *httptest.Server
	k     *consult.Consultation
	flow  *consult.Flow
	clock *testClock
	logs  *syncBuffer
	web   *web.Server
}

// newEnv starts a server on a fresh database holding the Fenshire demo
// consultation, after letting edit change the definition.
func newEnv(tb testing.TB, edit ...func(*consult.Consultation)) *env {
	tb.Helper()
	return newEnvWith(tb, nil, edit...)
}

// newEnvWith is newEnv with the server's configuration changed by cfg.
func newEnvWith(tb testing.TB, cfg func(*web.Config), edit ...func(*consult.Consultation)) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatalf("sqlite.Open: %v", err)
	}
	k, err := demo.Fenshire()
	if err != nil {
		tb.Fatalf("demo.Fenshire: %v", err)
	}
	for _, e := range edit {
		e(k)
	}
	if err := db.CreateConsultation(ctx, k); err != nil {
		tb.Fatalf("CreateConsultation: %v", err)
	}
	e := &env{store: db, k: k, flow: consult.NewFlow(k), clock: &testClock{t: testNow}, logs: &syncBuffer{}}
	conf := web.Config{
		Store:  db,
		Now:    e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
	}
	if cfg != nil {
		cfg(&conf)
	}
	s, err := web.New(ctx, conf)
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	e.web = s
	e.srv = httptest.NewServer(s)
	tb.Cleanup(func() {
		e.srv.Close()
		if err := db.Close(); err != nil {
			tb.Errorf("store Close: %v", err)
		}
	})
	return e
}

// client is a browser: a cookie jar, no redirect following, and the
// last page's CSRF token.
type client struct {
	tb   testing.TB
	e    *env
	http *http.Client
	jar  *cookiejar.Jar
	csrf string
	// pages holds every HTML body received, for whole-site checks.
	pages map[string]string
}

func (e *env) newClient(tb testing.TB) *client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &client{tb: tb, e: e, jar: jar, pages: map[string]string{}, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

// resp is a finished response with its body read.
type resp struct {
	status int
	header http.Header
	body   string // raw body
	text   string // body with HTML entities unescaped, for text checks
	plain  string // text without tags, whitespace collapsed
	path   string
}

func (c *client) do(req *http.Request) *resp {
	c.tb.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.tb.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	r := &resp{status: res.StatusCode, header: res.Header, body: string(b), text: quotes.Replace(html.UnescapeString(string(b))), path: req.URL.Path}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		r.plain = plainText(r.body)
		c.pages[req.Method+" "+req.URL.RequestURI()+" "+strconv.Itoa(r.status)] = r.body
		for _, in := range r.inputs() {
			if in.name == "_csrf" && in.value != "" {
				c.csrf = in.value
			}
		}
	}
	return r
}

// get fetches a path.
func (c *client) get(path string) *resp {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	return c.do(req)
}

// token returns a CSRF token for this client, fetching the start page if
// no page has given one yet.
func (c *client) token() string {
	c.tb.Helper()
	if c.csrf == "" {
		c.get(base)
	}
	if c.csrf == "" {
		// A page without a form (a closed consultation) still gives the
		// session its CSRF token; a forged form could not know it, but a
		// test holding the server's keys can work it out.
		return c.sessionToken()
	}
	return c.csrf
}

// post sends form with this client's CSRF token.
func (c *client) post(path string, form url.Values) *resp {
	c.tb.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", c.token())
	return c.postRaw(path, f.Encode())
}

// postRaw sends body as an urlencoded form, exactly as given.
func (c *client) postRaw(path, body string) *resp {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// wantStatus fails the test unless r has the status; it shows the page's
// heading and, on a 5xx, the server log.
func (r *resp) wantStatus(tb testing.TB, want int) {
	tb.Helper()
	if r.status != want {
		tb.Fatalf("%s: status %d, want %d; heading %q; errors %q", r.path, r.status, want, r.heading(), r.errorSummary())
	}
}

// wantRedirect fails unless r is a 303 to location.
func (r *resp) wantRedirect(tb testing.TB, location string) {
	tb.Helper()
	if r.status != http.StatusSeeOther || r.header.Get("Location") != location {
		tb.Fatalf("%s: status %d to %q, want 303 to %q; heading %q; errors %q", r.path, r.status, r.header.Get("Location"), location, r.heading(), r.errorSummary())
	}
}

// wantText fails unless the page holds every string, either in its HTML
// (entities unescaped) or in its text without tags.
func (r *resp) wantText(tb testing.TB, want ...string) {
	tb.Helper()
	for _, w := range want {
		if !strings.Contains(r.text, w) && !strings.Contains(r.plain, w) {
			tb.Errorf("%s: page does not contain %q; heading %q; errors %q", r.path, w, r.heading(), r.errorSummary())
		}
	}
}

// sessionToken is the CSRF token of the client's session, made as the
// server makes it from the stored keys.
func (c *client) sessionToken() string {
	c.tb.Helper()
	keys, err := c.e.store.Setting(context.Background(), "session_keys")
	if err != nil {
		c.tb.Fatalf("session keys: %v", err)
	}
	k := hmac.New(sha256.New, keys[:64])
	k.Write([]byte("budgetgrid csrf v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	id, _ := c.sessionValues()["sid"].(string)
	if id == "" {
		c.tb.Fatal("the session has no id")
	}
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sessionValues decodes the client's session cookie with the keys the
// server keeps in the store.
func (c *client) sessionValues() map[any]any {
	c.tb.Helper()
	keys, err := c.e.store.Setting(context.Background(), "session_keys")
	if err != nil {
		c.tb.Fatalf("session keys: %v", err)
	}
	cs := sessions.NewCookieStore(keys[:64], keys[64:])
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.jar.Cookies(u) {
		req.AddCookie(ck)
	}
	sess, err := cs.Get(req, "budgetgrid")
	if err != nil {
		c.tb.Fatalf("decode session cookie: %v", err)
	}
	return sess.Values
}

// responseID is the id of the client's response: in progress or sent.
func (c *client) responseID() string {
	c.tb.Helper()
	v := c.sessionValues()
	if id, _ := v["r:"+slug].(string); id != "" {
		return id
	}
	id, _ := v["done:"+slug].(string)
	if id == "" {
		c.tb.Fatal("session holds no response id")
	}
	return id
}

// stored reads the client's response from the store.
func (c *client) stored() *consult.Response {
	c.tb.Helper()
	r, err := c.e.store.Response(context.Background(), c.responseID())
	if err != nil {
		c.tb.Fatalf("read stored response: %v", err)
	}
	return r
}

// sameResponse reports how two stored versions of a response differ, or "".
func sameResponse(a, b *consult.Response) string {
	switch {
	case a.ID != b.ID:
		return "id " + a.ID + " became " + b.ID
	case a.Reached != b.Reached:
		return "reached " + strconv.Itoa(a.Reached) + " became " + strconv.Itoa(b.Reached)
	case !reflect.DeepEqual(a.Answers, b.Answers):
		return "answers changed"
	case !a.UpdatedAt.Equal(b.UpdatedAt):
		return "updated_at changed"
	case !a.CompletedAt.Equal(b.CompletedAt) || a.Reference != b.Reference:
		return "completion changed"
	}
	return ""
}
