package main

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult/postgres/pgtest"
)

// TestAdminOnPostgresAcrossServers: on PostgreSQL, "user add" and "user
// link" print working set-password links, and the admin area works across
// two servers on one database: a password set on one signs in on the
// other, its session holds on both, and signing out everywhere on one
// ends it on both. (Cookies ignore the port, so one browser on two local
// servers is one browser behind a load balancer.)
func TestAdminOnPostgresAcrossServers(t *testing.T) {
	pg := pgtest.URL(t)
	a, _ := serveOn(t, pg)
	b, _ := serveOn(t, pg)
	linkRE := regexp.MustCompile(`http://\S+/admin/set-password/\S+`)

	out, stderr, err := run(t, "user", "add", "--db", pg, "--role", "admin", "--base-url", a, "ann@fenshire.gov.uk")
	if err != nil {
		t.Fatalf("user add: %v\n%s", err, stderr)
	}
	if _, _, err := run(t, "user", "add", "--db", pg, "--role", "admin", "ann@fenshire.gov.uk"); err == nil {
		t.Fatal("adding the same user twice worked")
	}
	// A newer link works as well as the first.
	out, _, err = run(t, "user", "link", "--db", pg, "--base-url", a, "ann@fenshire.gov.uk")
	if err != nil {
		t.Fatalf("user link: %v", err)
	}
	link := linkRE.FindString(out)
	if link == "" {
		t.Fatalf("no link in %q", out)
	}

	br := newBrowser(t)
	if st, _, body := br.do("GET", link, nil); st != 200 || !bytes.Contains(body, []byte("ann@fenshire.gov.uk")) {
		t.Fatalf("set-password page on server A: %d", st)
	}
	const pw = "a long memorable passphrase"
	if st, _, _ := br.do("POST", link, url.Values{"password": {pw}, "confirm": {pw}}); st != 200 {
		t.Fatalf("set password on server A: %d", st)
	}
	if st, _, _ := br.do("GET", link, nil); st == 200 {
		t.Fatal("the set-password link worked twice")
	}
	br.do("GET", b+"/admin/sign-in", nil)
	if st, h, _ := br.do("POST", b+"/admin/sign-in", url.Values{"email": {"ann@fenshire.gov.uk"}, "password": {pw}}); st != 303 || h.Get("Location") != "/admin" {
		t.Fatalf("sign in on server B: %d to %q", st, h.Get("Location"))
	}
	for _, base := range []string{a, b} {
		if st, _, body := br.do("GET", base+"/admin", nil); st != 200 || !bytes.Contains(body, []byte("fenshire")) {
			t.Fatalf("consultations on %s after signing in: %d", base, st)
		}
	}
	st, _, body := br.do("GET", a+"/admin/audit", nil)
	if st != 200 || !bytes.Contains(body, []byte("sign_in")) || !bytes.Contains(body, []byte("ann@fenshire.gov.uk")) {
		t.Fatalf("audit log on server A: %d\n%.600s", st, body)
	}
	// The session id the browser holds, to present again once it is ended.
	au, _ := url.Parse(a + "/admin")
	var session *http.Cookie
	for _, c := range br.http.Jar.Cookies(au) {
		if c.Name == "budgetgrid_admin" {
			session = &http.Cookie{Name: c.Name, Value: c.Value, Path: "/admin"}
		}
	}
	if session == nil {
		t.Fatal("no admin session cookie after signing in")
	}
	br.do("GET", a+"/admin/account", nil)
	if st, _, _ := br.do("POST", a+"/admin/account/sign-out-everywhere", url.Values{}); st != 200 {
		t.Fatalf("sign out everywhere on server A: %d", st)
	}
	br.http.Jar.SetCookies(au, []*http.Cookie{session})
	for _, base := range []string{a, b} {
		if st, h, _ := br.do("GET", base+"/admin", nil); st != 303 || h.Get("Location") == "/admin" {
			t.Fatalf("%s/admin with the ended session: %d to %q, want a redirect to sign in", base, st, h.Get("Location"))
		}
	}
}
