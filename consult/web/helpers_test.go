package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
	"github.com/budgetgrid/budgetgrid/grid"
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
}

// newEnv starts a server on a fresh database holding the Fenshire demo
// consultation, after letting edit change the definition.
func newEnv(tb testing.TB, edit ...func(*consult.Consultation)) *env {
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
	s, err := web.New(ctx, web.Config{
		Store:  db,
		Now:    e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
	})
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
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
	path   string
}

var csrfInput = regexp.MustCompile(`<input type="hidden" name="_csrf" value="([^"]*)">`)

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
	r := &resp{status: res.StatusCode, header: res.Header, body: string(b), text: html.UnescapeString(string(b)), path: req.URL.Path}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		c.pages[req.Method+" "+req.URL.RequestURI()+" "+strconv.Itoa(r.status)] = r.body
		if m := csrfInput.FindStringSubmatch(r.body); m != nil {
			c.csrf = m[1]
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
		// A page without a form (a closed consultation) still sets the
		// CSRF cookie; a forged form could not read it, but a test can.
		u, _ := url.Parse(c.e.srv.URL)
		for _, ck := range c.jar.Cookies(u) {
			if ck.Name == "budgetgrid_csrf" {
				return ck.Value
			}
		}
		c.tb.Fatal("no _csrf input on the start page and no CSRF cookie")
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

// wantText fails unless the page's text holds every string.
func (r *resp) wantText(tb testing.TB, want ...string) {
	tb.Helper()
	for _, w := range want {
		if !strings.Contains(r.text, w) {
			tb.Errorf("%s: page does not contain %q; heading %q; errors %q", r.path, w, r.heading(), r.errorSummary())
		}
	}
}

var (
	headingRE      = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	tagRE          = regexp.MustCompile(`<[^>]+>`)
	errorSummaryRE = regexp.MustCompile(`(?s)<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>`)
	errorItemRE    = regexp.MustCompile(`(?s)<li><a href="([^"]*)">(.*?)</a></li>`)
)

// heading is the page's h1 as text.
func (r *resp) heading() string {
	m := headingRE.FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(m[1], ""))), " ")
}

// errorSummary lists the error summary's messages as text.
func (r *resp) errorSummary() []string {
	m := errorSummaryRE.FindStringSubmatch(r.body)
	if m == nil {
		return nil
	}
	var out []string
	for _, it := range errorItemRE.FindAllStringSubmatch(m[1], -1) {
		out = append(out, html.UnescapeString(it[2]))
	}
	return out
}

// input is one <input> element of a page.
type input struct {
	name, value       string
	checked, disabled bool
}

var (
	inputRE = regexp.MustCompile(`<input\b[^>]*>`)
	attrRE  = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
)

// inputs lists the page's input elements.
func (r *resp) inputs() []input {
	var out []input
	for _, tag := range inputRE.FindAllString(r.body, -1) {
		var in input
		for _, a := range attrRE.FindAllStringSubmatch(strings.TrimSuffix(strings.TrimPrefix(tag, "<input"), ">"), -1) {
			switch a[1] {
			case "name":
				in.name = html.UnescapeString(a[2])
			case "value":
				in.value = html.UnescapeString(a[2])
			case "checked":
				in.checked = true
			case "disabled":
				in.disabled = true
			}
		}
		out = append(out, in)
	}
	return out
}

// checked returns the checked values of the inputs named name.
func (r *resp) checked(name string) []string {
	var out []string
	for _, in := range r.inputs() {
		if in.name == name && in.checked {
			out = append(out, in.value)
		}
	}
	return out
}

// disabled returns the disabled values of the inputs named name.
func (r *resp) disabled(name string) []string {
	var out []string
	for _, in := range r.inputs() {
		if in.name == name && in.disabled {
			out = append(out, in.value)
		}
	}
	return out
}

// summaryRow is one row of the check-answers summary.
type summaryRow struct{ key, value, change string }

// summarySection is one heading of the check-answers page and its rows.
type summarySection struct {
	heading, invalid string
	rows             []summaryRow
}

var (
	sectionSplitRE = regexp.MustCompile(`<h2 class="govuk-heading-m">`)
	sectionHeadRE  = regexp.MustCompile(`(?s)^(.*?)</h2>`)
	invalidRE      = regexp.MustCompile(`(?s)<p class="govuk-body bg-invalid" id="[^"]*">(.*?)</p>`)
	rowRE          = regexp.MustCompile(`(?s)<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>\s*(?:<dd class="govuk-summary-list__actions">(?:<a class="govuk-link" href="([^"]*)">)?)?`)
)

// summary parses the check-answers page.
func (r *resp) summary() map[string]summarySection {
	out := map[string]summarySection{}
	for _, part := range sectionSplitRE.Split(r.body, -1)[1:] {
		h := sectionHeadRE.FindStringSubmatch(part)
		if h == nil {
			continue
		}
		sec := summarySection{heading: html.UnescapeString(h[1])}
		if m := invalidRE.FindStringSubmatch(part); m != nil {
			sec.invalid = html.UnescapeString(m[1])
		}
		for _, m := range rowRE.FindAllStringSubmatch(part, -1) {
			sec.rows = append(sec.rows, summaryRow{key: html.UnescapeString(m[1]), value: html.UnescapeString(m[2]), change: html.UnescapeString(m[3])})
		}
		out[sec.heading] = sec
	}
	return out
}

// row returns the row with the given key, failing the test if absent.
func (s summarySection) row(tb testing.TB, key string) summaryRow {
	tb.Helper()
	for _, r := range s.rows {
		if r.key == key {
			return r
		}
	}
	tb.Fatalf("section %q has no row %q", s.heading, key)
	return summaryRow{}
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

// Standard answers for every stage of the Fenshire journey.

// Fenshire's services, in grid order.
var services = []string{"roads", "streetlights", "gritting", "buses", "recycling", "libraries", "early_help", "youth",
	"school_transport", "send", "reablement", "carers", "public_health", "domestic_abuse", "climate", "trading_standards"}

// The resident's packages, one per lot (budgets 62, 69, 77, 85; today's
// services cost 77). Each lot is at or above the one before.
var (
	lot1 = grid.Package{2, 2, 2, 2, 3, 2, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2} // 62
	lot2 = grid.Package{3, 2, 2, 2, 3, 2, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2} // 68
	lot3 = grid.Package{3, 2, 2, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 3} // 75
	lot4 = grid.Package{4, 2, 2, 3, 3, 3, 3, 4, 2, 2, 2, 2, 2, 2, 1, 3} // 83
	lots = []grid.Package{lot1, lot2, lot3, lot4}
)

// with returns a copy of p with the named services set to levels.
func with(p grid.Package, changes map[string]int) grid.Package {
	q := append(grid.Package(nil), p...)
	for k, l := range changes {
		for i, s := range services {
			if s == k {
				q[i] = l
			}
		}
	}
	return q
}

// lotForm is the form a lot page posts for package p.
func lotForm(p grid.Package) url.Values {
	f := url.Values{"action": {"continue"}}
	for i, s := range services {
		f.Set("s."+s, strconv.Itoa(p[i]))
	}
	return f
}

var aboutForm = url.Values{
	"about.area": {"marshby"}, "about.age_band": {"35-54"}, "about.sex": {"female"},
	"about.children": {"no"}, "about.care": {""}, "action": {"continue"},
}

var currentForm = url.Values{"current.roads": {"2"}, "current.libraries": {"3"}, "current.buses": {""}, "action": {"continue"}}

var unacceptableForm = url.Values{"unacceptable.roads": {"1"}, "unacceptable.libraries": {"1", "2"}, "unacceptable.reablement": {"1"}, "action": {"continue"}}

const comments = "Fix the roads first, please.\r\nAnd keep the libraries open."

// stageOrder is the Fenshire flow's stage slugs.
var stageOrder = []string{"about-you", "current-service", "unacceptable-levels", "lot-1", "lot-2", "lot-3", "lot-4", "comments", "check-answers"}

// stageForm is the standard answer to a stage.
func stageForm(stage string) url.Values {
	switch stage {
	case "about-you":
		return aboutForm
	case "current-service":
		return currentForm
	case "unacceptable-levels":
		return unacceptableForm
	case "lot-1", "lot-2", "lot-3", "lot-4":
		n, _ := strconv.Atoi(strings.TrimPrefix(stage, "lot-"))
		return lotForm(lots[n-1])
	case "comments":
		return url.Values{"comments": {comments}, "action": {"continue"}}
	}
	return url.Values{}
}

// start begins a response and checks the redirect to the first stage.
func (c *client) start() {
	c.tb.Helper()
	c.get(base).wantStatus(c.tb, http.StatusOK)
	c.post(base+"/start", nil).wantRedirect(c.tb, base+"/about-you")
}

// answerUntil starts a response and answers every stage before stage
// with the standard answers; "submitted" also sends the response.
func (c *client) answerUntil(stage string) {
	c.tb.Helper()
	if stage != "submitted" && !slices.Contains(stageOrder, stage) {
		c.tb.Fatalf("no stage %q", stage)
	}
	c.start()
	for i, st := range stageOrder {
		if st == stage {
			return
		}
		if st == "check-answers" {
			c.get(base+"/check-answers").wantStatus(c.tb, http.StatusOK)
			c.post(base+"/check-answers", nil).wantRedirect(c.tb, base+"/confirmation")
			return
		}
		c.get(base+"/"+st).wantStatus(c.tb, http.StatusOK)
		c.post(base+"/"+st, stageForm(st)).wantRedirect(c.tb, base+"/"+stageOrder[i+1])
	}
}
