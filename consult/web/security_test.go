package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult/web"
)

// TestStartLimits: starting responses is limited per address and per
// session, through the store; over the limit comes a 429 page with
// Retry-After, a structured log line, and no new response.
func TestStartLimits(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) {
		c.StartLimit, c.StartSessionLimit, c.StartWindow = 5, 3, time.Minute
	})
	// Start again between starts, so that each start is a new response
	// (and a new session).
	c := e.newClient(t)
	for range 3 {
		c.get(base)
		c.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
		c.csrf = ""
		c.post(base+"/start-again", nil).wantRedirect(t, base)
		c.csrf = ""
	}
	d := e.newClient(t)
	d.get(base)
	d.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
	d.csrf = ""
	d.post(base+"/start-again", nil).wantRedirect(t, base)
	d.csrf = ""
	d.get(base)
	d.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
	// The address has now started 5.
	f := e.newClient(t)
	r := f.post(base+"/start", nil)
	r.wantStatus(t, http.StatusTooManyRequests)
	r.wantText(t, "Too many surveys have been started")
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", r.header.Get("Retry-After"))
	}
	if !strings.Contains(e.logs.String(), "msg=security event=rate_limited") || !strings.Contains(e.logs.String(), "limit=address") {
		t.Errorf("no structured rate-limit line in the log:\n%s", e.logs.String())
	}
	// The window passes: starts are allowed again.
	e.clock.Set(testNow.Add(time.Minute))
	f.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
}

// TestStartLimitPerSession: one session cannot start more than its limit,
// even from addresses that still may.
func TestStartLimitPerSession(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) {
		c.StartLimit, c.StartSessionLimit, c.StartWindow = 100, 2, time.Minute
	})
	c := e.newClient(t)
	c.get(base)
	c.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
	// An in-progress session's Start continues its response (still counted).
	c.csrf = ""
	c.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
	c.csrf = ""
	r := c.post(base+"/start", nil)
	r.wantStatus(t, http.StatusTooManyRequests)
	if !strings.Contains(e.logs.String(), "limit=session") {
		t.Errorf("no session rate-limit line in the log:\n%s", e.logs.String())
	}
}

// TestSessionRotates: the session id changes at start and at resume, so
// a session fixed beforehand is worth nothing after.
func TestSessionRotates(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.get(base)
	before := c.sessionValues()["sid"]
	c.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
	after := c.sessionValues()["sid"]
	if before == nil || after == nil || before == after {
		t.Errorf("start kept the session id: %v → %v", before, after)
	}
	c.csrf = ""
	c.post(base+"/about-you", stageForm("about-you")).wantRedirect(t, base+"/current-service")
	c.post(base+"/current-service", set(stageForm("current-service"), "action", "save")).wantRedirect(t, base+"/saved")
	code, _ := c.sessionValues()["saved:"+slug].(string)
	d := e.newClient(t)
	d.get(base + "/resume")
	was := d.sessionValues()["sid"]
	d.post(base+"/resume", url.Values{"code": {code}}).wantRedirect(t, base+"/current-service")
	d.csrf = "" // a new session, with a new token
	if now := d.sessionValues()["sid"]; now == was || now == nil {
		t.Errorf("resume kept the session id %v", now)
	}
	// A resume that fails is logged, without the code.
	d.post(base+"/resume", url.Values{"code": {"ABCD-EFGH-JKLM"}})
	if l := e.logs.String(); !strings.Contains(l, "event=resume_failed") || strings.Contains(l, "ABCD") {
		t.Errorf("resume failure not logged as a security event without the code:\n%s", l)
	}
}

// TestSessionExpires: the server ends in-progress sessions idle for too
// long, or too old, whatever the cookie says.
func TestSessionExpires(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) { c.SessionIdle, c.SessionAbsolute = time.Hour, 3*time.Hour })
	c := e.newClient(t)
	c.answerUntil("lot-1")
	// Used every 50 minutes: alive…
	for i := 1; i <= 3; i++ {
		e.clock.Set(testNow.Add(time.Duration(i) * 50 * time.Minute))
		c.get(base+"/lot-1").wantStatus(t, http.StatusOK)
	}
	// …until it is older than the absolute limit.
	e.clock.Set(testNow.Add(3*time.Hour + time.Minute))
	c.get(base+"/lot-1").wantRedirect(t, base)

	d := e.newClient(t)
	e.clock.Set(testNow)
	d.answerUntil("lot-1")
	e.clock.Set(testNow.Add(61 * time.Minute))
	d.get(base+"/lot-1").wantRedirect(t, base)
}

// TestCSRF: the token is bound to the session, read from the body only,
// and a POST from another origin is refused, each refusal logged.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("lot-1")
	before := c.stored()
	tok := c.token()
	// The token in the query string is not taken.
	body := lotForm(lot1).Encode()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+base+"/lot-1?_csrf="+url.QueryEscape(tok), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c.do(req).wantStatus(t, http.StatusForbidden)
	// Another origin, even with the right token.
	for h, v := range map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"} {
		f := lotForm(lot1)
		f.Set("_csrf", tok)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+base+"/lot-1", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h, v)
		c.do(req).wantStatus(t, http.StatusForbidden)
	}
	// This site's origin and same-origin fetches pass.
	f := lotForm(lot1)
	f.Set("_csrf", tok)
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+base+"/lot-1", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	c.do(req).wantRedirect(t, base+"/lot-2")
	if st := c.stored(); st.Reached == before.Reached {
		t.Error("the same-origin post was not saved")
	}
	l := e.logs.String()
	for _, want := range []string{"event=csrf_refused", `reason="missing token"`, "reason=origin", `reason="sec-fetch-site cross-site"`} {
		if !strings.Contains(l, want) {
			t.Errorf("log lacks %q:\n%s", want, l)
		}
	}
}

// TestHostCookiesOverHTTPS: served over HTTPS, the cookies are __Host-
// ones: Secure, path /, no domain.
func TestHostCookiesOverHTTPS(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) { c.BaseURL = "https://consult.example.gov.uk" })
	c := e.newClient(t)
	r := c.get(base + "?lang=cy")
	var names []string
	for _, sc := range r.header.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(sc)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, ck.Name)
		if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %s: secure %v path %q domain %q, want a __Host- cookie", ck.Name, ck.Secure, ck.Path, ck.Domain)
		}
	}
	if len(names) < 2 {
		t.Errorf("cookies %v, want the session's and the language's", names)
	}
}

// TestLinksIgnoreClientHeaders: without a base URL, the resume link is not
// built from the client's Host or X-Forwarded-Proto (unless the proxy is
// trusted).
func TestLinksIgnoreClientHeaders(t *testing.T) {
	for _, trust := range []bool{false, true} {
		e := newEnvWith(t, func(c *web.Config) { c.TrustProxy = trust })
		c := e.newClient(t)
		c.answerUntil("lot-1")
		c.post(base+"/lot-1", set(lotForm(lot1), "action", "save")).wantRedirect(t, base+"/saved")
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+base+"/saved", nil)
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Proto", "https")
		u, _ := url.Parse(e.srv.URL)
		for _, ck := range c.jar.Cookies(u) {
			req.AddCookie(ck)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		r := &resp{status: res.StatusCode, body: string(b), path: req.URL.Path}
		r.wantStatus(t, http.StatusOK)
		if got := strings.Contains(r.body, "https://evil.example"); got != trust {
			t.Errorf("trust proxy %v: link built from the client's headers %v", trust, got)
		}
		if !strings.Contains(r.body, base+"/resume/") {
			t.Errorf("trust proxy %v: the saved page has no resume link", trust)
		}
	}
}

// TestSubmitRacingSave: a save acknowledged while a submit is in flight is
// never overwritten by it: either the submit sends what is stored, or it
// is refused.
func TestSubmitRacingSave(t *testing.T) {
	e := newEnv(t)
	lost := 0
	for i := range 30 {
		c := e.newClient(t)
		c.answerUntil("check-answers")
		c.get(base + "/comments?return=check")
		id := c.responseID()
		text := "race " + strconv.Itoa(i)
		var wg sync.WaitGroup
		var saved, sent *resp
		wg.Add(2)
		go func() {
			defer wg.Done()
			saved = c.post(base+"/comments", url.Values{"comments": {text}, "return": {"check"}, "action": {"continue"}})
		}()
		go func() { defer wg.Done(); sent = c.post(base+"/check-answers", nil) }()
		wg.Wait()
		st, err := e.store.Response(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if saved.status == http.StatusSeeOther && sent.status == http.StatusSeeOther && st.Answers.Comments != text {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of 30 acknowledged saves were overwritten by a racing submit", lost)
	}
}

// TestPurgeAbandoned: the server's purge deletes in-progress responses
// unchanged for longer than PurgeAfter, and never a sent one.
func TestPurgeAbandoned(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) { c.PurgeAfter = 48 * time.Hour })
	ctx := context.Background()
	left := e.newClient(t)
	left.answerUntil("lot-1")
	abandoned := left.responseID()
	sent := e.newClient(t)
	sent.answerUntil("submitted")
	done := sent.responseID()
	// The store stamps responses with its own (real) clock.
	e.clock.Set(time.Now().Add(47 * time.Hour))
	if n, err := e.web.PurgeOnce(ctx); err != nil || n != 0 {
		t.Fatalf("purge before PurgeAfter: %d, %v", n, err)
	}
	e.clock.Set(time.Now().Add(49 * time.Hour))
	if n, err := e.web.PurgeOnce(ctx); err != nil || n != 1 {
		t.Fatalf("purge after PurgeAfter: %d, %v; want 1", n, err)
	}
	if _, err := e.store.Response(ctx, abandoned); err == nil {
		t.Error("the abandoned response is still stored")
	}
	if _, err := e.store.Response(ctx, done); err != nil {
		t.Errorf("the sent response was purged: %v", err)
	}
}
