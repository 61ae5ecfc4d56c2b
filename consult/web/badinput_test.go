package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// without returns a copy of form without the named fields.
func without(form url.Values, names ...string) url.Values {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	for _, n := range names {
		delete(f, n)
	}
	return f
}

// set returns a copy of form with the field name set to values.
func set(form url.Values, name string, values ...string) url.Values {
	f := without(form)
	f[name] = values
	return f
}

// TestBadInput sends tampered forms and requests. Each gets a 4xx page or
// an error summary saying what is wrong, and the stored response stays
// exactly as it was.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		// at is the stage the resident has reached ("submitted": sent).
		at string
		// send makes the bad request.
		send func(c *client) *resp
		// status and text are what the reply must be and say.
		status int
		text   []string
		// summary says the text must be in the error summary.
		summary bool
		// raw must not appear in the page's HTML.
		raw string
	}{
		{
			name: "lot level does not exist", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", set(lotForm(lot1), "s.roads", "9")) },
			status: http.StatusUnprocessableEntity, text: []string{"Choose a level of Road and pavement repairs from the list"}, summary: true,
		},
		{
			name: "lot level zero", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", set(lotForm(lot1), "s.roads", "0")) },
			status: http.StatusUnprocessableEntity, text: []string{"Choose a level of Road and pavement repairs from the list"}, summary: true,
		},
		{
			name: "lot level not a number", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", set(lotForm(lot1), "s.roads", "two")) },
			status: http.StatusUnprocessableEntity, text: []string{"Choose a level of Road and pavement repairs from the list"}, summary: true,
		},
		{
			name: "lot level given twice", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", set(lotForm(lot1), "s.roads", "2", "1")) },
			status: http.StatusUnprocessableEntity, text: []string{"Choose a level of Road and pavement repairs from the list"}, summary: true,
		},
		{
			name: "service missing from lot form", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", without(lotForm(lot1), "s.libraries")) },
			status: http.StatusUnprocessableEntity, text: []string{"Choose a level for Libraries"}, summary: true,
		},
		{
			name: "service blank in lot form", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", set(lotForm(lot1), "s.libraries", "")) },
			status: http.StatusUnprocessableEntity, text: []string{"Choose a level for Libraries"}, summary: true,
		},
		{
			name: "level below the previous lot's", at: "lot-2",
			send:   func(c *client) *resp { return c.post(base+"/lot-2", lotForm(with(lot2, map[string]int{"roads": 1}))) },
			status: http.StatusUnprocessableEntity, text: []string{`Road and pavement repairs cannot go below "Reduced", the level you chose at an earlier lot`}, summary: true,
		},
		{
			name: "several levels below the previous lot's", at: "lot-3",
			send: func(c *client) *resp {
				return c.post(base+"/lot-3", lotForm(with(lot3, map[string]int{"roads": 2, "buses": 1})))
			},
			status: http.StatusUnprocessableEntity, text: []string{`Road and pavement repairs cannot go below "As now"`, `Bus routes and community transport cannot go below "Reduced"`}, summary: true,
		},
		{
			name: "package over budget", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", lotForm(with(lot1, map[string]int{"climate": 2}))) },
			status: http.StatusUnprocessableEntity, text: []string{"Your choices cost 65 points, 3 points more than your budget of 62. Give back 3 points"}, summary: true,
		},
		{
			name: "package over budget by one point", at: "lot-2",
			send: func(c *client) *resp {
				return c.post(base+"/lot-2", lotForm(with(lot2, map[string]int{"youth": 4})))
			},
			status: http.StatusUnprocessableEntity, text: []string{"Your choices cost 70 points, 1 point more than your budget of 69. Give back 1 point"}, summary: true,
		},
		{
			name: "GET a lot skipped by URL", at: "lot-1",
			send:   func(c *client) *resp { return c.get(base + "/lot-3") },
			status: http.StatusConflict, text: []string{"Answer the earlier questions first", `href="` + base + `/lot-1"`},
		},
		{
			name: "POST a lot skipped by URL", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-3", lotForm(lot3)) },
			status: http.StatusConflict, text: []string{"Answer the earlier questions first"},
		},
		{
			name: "GET a lot before the first stage", at: "about-you",
			send:   func(c *client) *resp { return c.get(base + "/lot-1") },
			status: http.StatusConflict, text: []string{"Answer the earlier questions first", `href="` + base + `/about-you"`},
		},
		{
			name: "submit skipped by URL", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/check-answers", nil) },
			status: http.StatusConflict, text: []string{"Answer the earlier questions first"},
		},
		{
			name: "POST after submission", at: "submitted",
			send:   func(c *client) *resp { return c.post(base+"/lot-1", lotForm(lot1)) },
			status: http.StatusConflict, text: []string{"You have already sent your answers"},
		},
		{
			name: "comments after submission", at: "submitted",
			send:   func(c *client) *resp { return c.post(base+"/comments", url.Values{"comments": {"more"}}) },
			status: http.StatusConflict, text: []string{"You have already sent your answers"},
		},
		{
			name: "submit twice", at: "submitted",
			send:   func(c *client) *resp { return c.post(base+"/check-answers", nil) },
			status: http.StatusConflict, text: []string{"You have already sent your answers"},
		},
		{
			name: "missing CSRF token", at: "lot-1",
			send:   func(c *client) *resp { return c.postRaw(base+"/lot-1", lotForm(lot1).Encode()) },
			status: http.StatusForbidden, text: []string{"Your session has expired or the form was not sent from this site"},
		},
		{
			name: "wrong CSRF token", at: "lot-1",
			send: func(c *client) *resp {
				f := lotForm(lot1)
				f.Set("_csrf", strings.Repeat("x", len(c.token())))
				return c.postRaw(base+"/lot-1", f.Encode())
			},
			status: http.StatusForbidden, text: []string{"Your session has expired or the form was not sent from this site"},
		},
		{
			name: "another browser's CSRF token", at: "lot-1",
			send: func(c *client) *resp {
				other := c.e.newClient(c.tb)
				f := lotForm(lot1)
				f.Set("_csrf", other.token())
				return c.postRaw(base+"/lot-1", f.Encode())
			},
			status: http.StatusForbidden, text: []string{"Your session has expired or the form was not sent from this site"},
		},
		{
			name: "empty CSRF token", at: "lot-1",
			send: func(c *client) *resp {
				f := lotForm(lot1)
				f.Set("_csrf", "")
				return c.postRaw(base+"/lot-1", f.Encode())
			},
			status: http.StatusForbidden, text: []string{"Your session has expired"},
		},
		{
			name: "oversized body", at: "comments",
			send: func(c *client) *resp {
				return c.post(base+"/comments", url.Values{"comments": {strings.Repeat("a", 70_000)}})
			},
			status: http.StatusRequestEntityTooLarge, text: []string{"What you sent is too large"},
		},
		{
			name: "oversized body without a length", at: "comments",
			send: func(c *client) *resp {
				body := url.Values{"_csrf": {c.token()}, "comments": {strings.Repeat("a", 70_000)}}.Encode()
				req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+base+"/comments", io.MultiReader(strings.NewReader(body)))
				if err != nil {
					c.tb.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.ContentLength = -1 // sent chunked
				return c.do(req)
			},
			status: http.StatusRequestEntityTooLarge, text: []string{"What you sent is too large"},
		},
		{
			name: "invalid UTF-8 in a comment", at: "comments",
			send: func(c *client) *resp {
				return c.postRaw(base+"/comments", "_csrf="+c.token()+"&comments=caf%E9+ok")
			},
			status: http.StatusBadRequest, text: []string{"We could not read what you sent", "characters we cannot read"},
		},
		{
			name: "invalid UTF-8 in a lot form", at: "lot-1",
			send: func(c *client) *resp {
				return c.postRaw(base+"/lot-1", lotForm(lot1).Encode()+"&_csrf="+c.token()+"&note=%FF%FE")
			},
			status: http.StatusBadRequest, text: []string{"We could not read what you sent"},
		},
		{
			name: "invalid UTF-8 in a field name", at: "about-you",
			send: func(c *client) *resp {
				return c.postRaw(base+"/about-you", "_csrf="+c.token()+"&about.area=marshby&%C0%AF=1")
			},
			status: http.StatusBadRequest, text: []string{"We could not read what you sent"},
		},
		{
			name: "10,000-character comment", at: "comments",
			send: func(c *client) *resp {
				return c.post(base+"/comments", url.Values{"comments": {strings.Repeat("x", 10_000)}})
			},
			status: http.StatusUnprocessableEntity, text: []string{"Comments must be 2000 characters or fewer. You have 8000 characters too many"}, summary: true,
		},
		{
			name: "about-you option that does not exist", at: "about-you",
			send: func(c *client) *resp {
				return c.post(base+"/about-you", set(aboutForm, "about.area", "atlantis"))
			},
			status: http.StatusUnprocessableEntity, text: []string{`Select an answer to "Where do you live?" from the list`}, summary: true,
		},
		{
			name: "about-you option of another question", at: "about-you",
			send: func(c *client) *resp {
				return c.post(base+"/about-you", set(aboutForm, "about.sex", "marshby"))
			},
			status: http.StatusUnprocessableEntity, text: []string{`Select an answer to "What is your sex?" from the list`}, summary: true,
		},
		{
			name: "about-you answer with HTML is not reflected raw", at: "about-you",
			send: func(c *client) *resp {
				return c.post(base+"/about-you", set(aboutForm, "about.area", `"><script>alert(1)</script>`))
			},
			status: http.StatusUnprocessableEntity, text: []string{`Select an answer to "Where do you live?" from the list`}, summary: true,
			raw: "<script>alert",
		},
		{
			name: "current level that does not exist", at: "current-service",
			send: func(c *client) *resp {
				return c.post(base+"/current-service", set(currentForm, "current.roads", "6"))
			},
			status: http.StatusUnprocessableEntity, text: []string{"Choose a level of Road and pavement repairs from the list"}, summary: true,
		},
		{
			name: "unacceptable level that does not exist", at: "unacceptable-levels",
			send: func(c *client) *resp {
				return c.post(base+"/unacceptable-levels", set(unacceptableForm, "unacceptable.libraries", "1", "5"))
			},
			status: http.StatusUnprocessableEntity, text: []string{"Choose levels of Libraries from the list"}, summary: true,
		},
		{
			name: "unacceptable level marked twice", at: "unacceptable-levels",
			send: func(c *client) *resp {
				return c.post(base+"/unacceptable-levels", set(unacceptableForm, "unacceptable.libraries", "2", "2"))
			},
			status: http.StatusUnprocessableEntity, text: []string{"Choose levels of Libraries from the list"}, summary: true,
		},
		{
			name: "stage that does not exist", at: "lot-1",
			send:   func(c *client) *resp { return c.post(base+"/lot-9", lotForm(lot1)) },
			status: http.StatusNotFound, text: []string{"Page not found"},
		},
		{
			name: "POST to the confirmation page", at: "check-answers",
			send:   func(c *client) *resp { return c.post(base+"/confirmation", nil) },
			status: http.StatusNotFound, text: []string{"Page not found"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.newClient(t)
			c.answerUntil(tc.at)
			before := c.stored()
			r := tc.send(c)
			if r.status >= 500 {
				t.Fatalf("status %d; server log:\n%s", r.status, e.logs.String())
			}
			r.wantStatus(t, tc.status)
			r.wantText(t, tc.text...)
			if tc.summary {
				es := r.errorSummary()
				if len(es) == 0 {
					t.Errorf("no error summary")
				}
				for _, w := range tc.text {
					found := false
					for _, m := range es {
						found = found || strings.Contains(m, w)
					}
					if !found {
						t.Errorf("error summary %q does not say %q", es, w)
					}
				}
			}
			if tc.raw != "" && strings.Contains(r.body, tc.raw) {
				t.Errorf("page HTML contains %q", tc.raw)
			}
			if d := sameResponse(before, c.stored()); d != "" {
				t.Errorf("stored response changed: %s", d)
			}
		})
	}
}

// TestReplayAfterSubmission replays the session cookie a browser held
// before it sent its answers (the back button, or a second tab): every
// POST is refused and the sent response is unchanged.
func TestReplayAfterSubmission(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("check-answers")
	u, _ := url.Parse(e.srv.URL)
	old := c.jar.Cookies(u)

	c.post(base+"/check-answers", nil).wantRedirect(t, base+"/confirmation")
	sent := c.stored()

	tab := e.newClient(t)
	tab.jar.SetCookies(u, old)
	tab.csrf = c.csrf
	for _, st := range []string{"about-you", "lot-1", "lot-4", "comments", "check-answers"} {
		t.Run(st, func(t *testing.T) {
			tab.tb = t
			r := tab.post(base+"/"+st, stageForm(st))
			r.wantStatus(t, http.StatusConflict)
			r.wantText(t, "You have already sent your answers")
			got, err := e.store.Response(context.Background(), sent.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := sameResponse(sent, got); d != "" {
				t.Errorf("sent response changed: %s", d)
			}
		})
	}
}

// TestClosed closes the consultation mid-journey: the start page shows the
// closed page, and every POST gets 410 and stores nothing.
func TestClosed(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		close func(t *testing.T, e *env)
	}{
		{"status closed", func(t *testing.T, e *env) {
			if err := e.store.SetStatus(ctx, slug, consult.Closed); err != nil {
				t.Fatalf("SetStatus: %v", err)
			}
		}},
		// Within the session's idle limit, so that only the closing matters.
		{"closing date passed", func(t *testing.T, e *env) { e.clock.Set(testNow.Add(90 * time.Minute)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(k *consult.Consultation) { k.ClosesAt = testNow.Add(time.Hour) })
			c := e.newClient(t)
			c.answerUntil("lot-2")
			before := c.stored()
			tc.close(t, e)

			r := c.get(base)
			r.wantStatus(t, http.StatusOK)
			r.wantText(t, "This consultation has closed")
			if strings.Contains(r.body, base+"/start") {
				t.Errorf("closed start page still has the start form")
			}
			r = c.get(base + "/lot-2")
			r.wantText(t, "This consultation has closed")
			if r.status >= 300 && r.status != http.StatusGone {
				t.Errorf("GET a stage: status %d", r.status)
			}
			for _, p := range []struct {
				path string
				form url.Values
			}{
				{base + "/lot-2", lotForm(lot2)},
				{base + "/about-you", aboutForm},
				{base + "/check-answers", nil},
				{base + "/start", nil},
			} {
				r := c.post(p.path, p.form)
				r.wantStatus(t, http.StatusGone)
				r.wantText(t, "This consultation has closed")
			}
			if d := sameResponse(before, c.stored()); d != "" {
				t.Errorf("stored response changed: %s", d)
			}
			// A new visitor cannot start either.
			n := e.newClient(t)
			n.get(base).wantText(t, "This consultation has closed")
			r = n.post(base+"/start", nil)
			r.wantStatus(t, http.StatusGone)
			if all, _, err := e.store.CountResponses(ctx, e.k.ID); err != nil || all != 1 {
				t.Errorf("responses %d (%v), want 1", all, err)
			}
			// The home page lists it apart, as closed.
			home := n.get("/")
			home.wantText(t, "Closed consultations")
			if i, j := strings.Index(home.text, "Closed consultations"), strings.Index(home.text, e.k.Title); j < i {
				t.Errorf("home page lists the closed consultation among the open ones")
			}
		})
	}
}

// TestComments checks the comments limit: 2,000 characters, counted as a
// person counts them (a line break is one character).
func TestComments(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		text   string
		status int
		stored string
		want   string
	}{
		{"2,000 letters", strings.Repeat("a", 2000), http.StatusSeeOther, strings.Repeat("a", 2000), ""},
		{"2,000 with CRLF line breaks", strings.Repeat("ab\r\n", 666) + "ab", http.StatusSeeOther, strings.Repeat("ab\n", 666) + "ab", ""},
		{"2,000 accented letters", strings.Repeat("é", 2000), http.StatusSeeOther, strings.Repeat("é", 2000), ""},
		{"2,000 emoji", strings.Repeat("🙂", 2000), http.StatusSeeOther, strings.Repeat("🙂", 2000), ""},
		{"2,000 plus surrounding space", "  \r\n" + strings.Repeat("a", 2000) + "\r\n ", http.StatusSeeOther, strings.Repeat("a", 2000), ""},
		{"empty", "", http.StatusSeeOther, "", ""},
		{"2,001 letters", strings.Repeat("a", 2001), http.StatusUnprocessableEntity, "", "You have 1 character too many"},
		{"2,002 letters", strings.Repeat("a", 2002), http.StatusUnprocessableEntity, "", "You have 2 characters too many"},
		{"2,001 with CRLF", strings.Repeat("ab\r\n", 666) + "abc", http.StatusUnprocessableEntity, "", "too many"},
		{"HTML is kept as text", "<script>alert(1)</script>", http.StatusSeeOther, "<script>alert(1)</script>", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.newClient(t)
			c.answerUntil("comments")
			before := c.stored()
			r := c.post(base+"/comments", url.Values{"comments": {tc.text}})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; errors %q", r.status, tc.status, r.errorSummary())
			}
			after := c.stored()
			if tc.status != http.StatusSeeOther {
				r.wantText(t, tc.want)
				if d := sameResponse(before, after); d != "" {
					t.Errorf("stored response changed: %s", d)
				}
				// The text is kept in the box for the resident to shorten.
				if !strings.Contains(r.text, strings.ReplaceAll(tc.text, "\r\n", "\n")[:100]) {
					t.Errorf("the refused text is not shown back")
				}
				return
			}
			if after.Answers.Comments != tc.stored {
				t.Errorf("stored %d bytes %q..., want %d bytes", len(after.Answers.Comments), trim(after.Answers.Comments), len(tc.stored))
			}
			r = c.get(base + "/check-answers")
			r.wantStatus(t, http.StatusOK)
			if strings.Contains(r.body, "<script>alert") {
				t.Errorf("comment HTML is not escaped on the check page")
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
