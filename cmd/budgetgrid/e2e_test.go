package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startServer runs budgetgrid serve on :0 with a temp database, as a user
// would, and returns its base URL and the database path.
func startServer(t *testing.T) (string, string) {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "budgetgrid.db")
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, Env{
			Stdout: &out, Stderr: io.Discard,
			Listening: func(addr string) { addrc <- addr },
		})
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve stopped at start: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start in 20s")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + addr, dbPath
}

// client is a browser without JavaScript: a cookie jar, no automatic
// redirects so each step's status can be checked.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) get(path string, wantStatus int) string {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		c.t.Fatalf("GET %s: status %d, want %d\n%s", path, resp.StatusCode, wantStatus, body)
	}
	if m := csrfInput.FindSubmatch(body); m != nil {
		c.csrf = string(m[1])
	}
	return string(body)
}

// post sends a form and returns the redirect location (for 303) or body.
func (c *client) post(path string, form url.Values, wantStatus int) string {
	c.t.Helper()
	form.Set("_csrf", c.csrf)
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		c.t.Fatalf("POST %s: status %d, want %d\n%s", path, resp.StatusCode, wantStatus, body)
	}
	if resp.StatusCode == http.StatusSeeOther {
		loc := resp.Header.Get("Location")
		// Starting and resuming give a new session, with a new CSRF
		// token: a browser reads it from the page it is sent to.
		if strings.HasSuffix(path, "/start") || strings.HasSuffix(path, "/resume") {
			c.get(loc, http.StatusOK)
		}
		return loc
	}
	return string(body)
}

// lotForm builds a lot form from service key -> level, level 1 elsewhere.
// These residents spend little on purpose, so the form carries their
// confirmation that they mean to leave most of the budget unspent.
func lotForm(keys []string, levels map[string]int) url.Values {
	f := url.Values{"action": {"continue"}, "unspent": {"confirmed"}}
	for _, k := range keys {
		l := levels[k]
		if l == 0 {
			l = 1
		}
		f.Set("s."+k, fmt.Sprint(l))
	}
	return f
}

func TestJourneyEndToEndThenExport(t *testing.T) {
	base, dbPath := startServer(t)
	keys := fenshireServiceKeys(t, dbPath)
	c := newClient(t, base)
	const slug = "/c/fenshire-2027"

	home := c.get("/", http.StatusOK)
	if !strings.Contains(home, "Fenshire County Council budget consultation 2027/28") {
		t.Fatalf("home page does not list the demo consultation:\n%s", home)
	}
	c.get(slug, http.StatusOK)
	if loc := c.post(slug+"/start", url.Values{}, http.StatusSeeOther); loc != slug+"/about-you" {
		t.Fatalf("start redirects to %q", loc)
	}
	c.get(slug+"/about-you", http.StatusOK)
	c.post(slug+"/about-you", url.Values{"about.area": {"marshby"}, "about.age_band": {"35-54"}, "about.sex": {""}}, http.StatusSeeOther)
	c.get(slug+"/current-service", http.StatusOK)
	c.post(slug+"/current-service", url.Values{"current." + keys[0]: {"3"}, "current." + keys[1]: {"2"}}, http.StatusSeeOther)
	c.get(slug+"/unacceptable-levels", http.StatusOK)
	c.post(slug+"/unacceptable-levels", url.Values{"unacceptable." + keys[0]: {"1", "2"}}, http.StatusSeeOther)

	// Four additive lots: 62, 69, 77, 85 points. Level 3 of the first
	// service costs 14 points, level 2 of the second 3.
	lots := []map[string]int{
		{keys[0]: 3},
		{keys[0]: 3, keys[1]: 2},
		{keys[0]: 4, keys[1]: 2},
		{keys[0]: 5, keys[1]: 2},
	}
	for i, l := range lots {
		page := fmt.Sprintf("%s/lot-%d", slug, i+1)
		c.get(page, http.StatusOK)
		c.post(page, lotForm(keys, l), http.StatusSeeOther)
	}
	c.get(slug+"/comments", http.StatusOK)
	if loc := c.post(slug+"/comments", url.Values{"comments": {"Keep the buses, please.\r\nThank you."}}, http.StatusSeeOther); loc != slug+"/check-answers" {
		t.Fatalf("comments redirects to %q", loc)
	}
	check := c.get(slug+"/check-answers", http.StatusOK)
	for _, want := range []string{"Marshby", "35 to 54", "Prefer not to say", "Keep the buses, please.", "?return=check"} {
		if !strings.Contains(check, want) {
			t.Errorf("check answers lacks %q", want)
		}
	}
	if loc := c.post(slug+"/check-answers", url.Values{}, http.StatusSeeOther); loc != slug+"/confirmation" {
		t.Fatalf("submit redirects to %q", loc)
	}
	conf := c.get(slug+"/confirmation", http.StatusOK)
	ref := regexp.MustCompile(`<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>`).FindStringSubmatch(conf)
	if ref == nil {
		t.Fatalf("confirmation shows no reference:\n%s", conf)
	}
	// A second submit changes nothing: the confirmation page ended the
	// session, so the old page's form is refused.
	c.post(slug+"/check-answers", url.Values{}, http.StatusForbidden)

	// Export through the command, as an analyst would, while serving.
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"responses", "export", "fenshire-2027", "--db", dbPath}, Env{Stdout: &out, Stderr: io.Discard}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("export has %d rows, want header + 1", len(rows))
	}
	got := map[string]string{}
	for i, col := range rows[0] {
		got[col] = rows[1][i]
	}
	want := map[string]string{
		"channel": "online", "area": "marshby", "age_band": "35-54", "sex": "", "children": "",
		"current." + keys[0]: "3", "current." + keys[1]: "2", "current." + keys[2]: "",
		"unacceptable." + keys[0]: "1;2", "unacceptable." + keys[1]: "",
		"lot1." + keys[0]: "3", "lot2." + keys[1]: "2", "lot3." + keys[0]: "4", "lot4." + keys[0]: "5", "lot4." + keys[2]: "1",
	}
	for col, w := range want {
		if got[col] != w {
			t.Errorf("export %s = %q, want %q", col, got[col], w)
		}
	}
	if _, err := time.Parse(time.RFC3339, got["completed_at"]); err != nil {
		t.Errorf("completed_at %q: %v", got["completed_at"], err)
	}
	if len(got["response_id"]) != 36 {
		t.Errorf("response_id %q is not a UUID", got["response_id"])
	}
}
