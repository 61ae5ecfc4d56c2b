package web_test

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/web"
)

// goodPassword passes the password rules.
const goodPassword = "correct horse battery"

// admin is the use cases on a test server's store and clock.
func (e *env) admin() *consult.Admin { return &consult.Admin{Store: e.store, Now: e.clock.Now} }

// addUser adds a user with one role (in slug, or every consultation for
// "") and returns it with its set-password token.
func (e *env) addUser(t testing.TB, email string, role consult.Role, slug string) (*consult.User, string) {
	t.Helper()
	u, tok, err := e.admin().AddUserIn(context.Background(), nil, email, role, slug, consult.Client{Address: "test"})
	if err != nil {
		t.Fatalf("AddUserIn %s: %v", email, err)
	}
	return u, tok
}

// addUserWithPassword adds a user and sets goodPassword.
func (e *env) addUserWithPassword(t testing.TB, email string, role consult.Role, slug string) *consult.User {
	t.Helper()
	u, tok := e.addUser(t, email, role, slug)
	if _, err := e.admin().SetPassword(context.Background(), tok, goodPassword, goodPassword, consult.Client{}); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	return u
}

// adminCookie returns the client's admin session cookie value, or "".
func (c *client) adminCookie() string {
	u, _ := url.Parse(c.e.srv.URL + "/admin")
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == "budgetgrid_admin" {
			return ck.Value
		}
	}
	return ""
}

// signIn signs the client in through the form and fails unless it works.
func (c *client) signIn(email string) {
	c.tb.Helper()
	c.get("/admin/sign-in").wantStatus(c.tb, http.StatusOK)
	c.post("/admin/sign-in", url.Values{"email": {email}, "password": {goodPassword}}).wantRedirect(c.tb, "/admin")
}

// sessionFor gives the client a session made straight in the store, to
// walk many routes without meeting the sign-in limits.
func (c *client) sessionFor(u *consult.User) {
	c.tb.Helper()
	id := strconv.FormatInt(time.Now().UnixNano(), 36) + u.Email
	now := c.e.clock.Now()
	err := c.e.store.CreateAdminSession(context.Background(), &consult.AdminSession{IDHash: consult.HashSecret(id), UserID: u.ID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(consult.SessionAbsolute)})
	if err != nil {
		c.tb.Fatal(err)
	}
	uu, _ := url.Parse(c.e.srv.URL + "/admin")
	c.jar.SetCookies(uu, []*http.Cookie{{Name: "budgetgrid_admin", Value: id, Path: "/admin"}})
	c.get("/admin/account") // a CSRF token for admin forms
}

func (r *resp) input(name string) string {
	for _, in := range r.inputs() {
		if in.name == name {
			return in.value
		}
	}
	return ""
}

func TestAdminSetPasswordAndSignIn(t *testing.T) {
	e := newEnv(t)
	_, tok := e.addUser(t, "Officer@Fenshire.gov.uk", consult.RoleAdmin, "")
	c := e.newClient(t)
	c.get("/admin").wantRedirect(t, "/admin/sign-in")

	r := c.get("/admin/set-password/" + tok)
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "officer@fenshire.gov.uk")
	for _, tc := range []struct {
		name, password, confirm, field string
	}{
		{"short", "short", "short", "#password"},
		{"common", "password1234", "password1234", "#password"},
		{"mismatch", goodPassword, goodPassword + "x", "#confirm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.post("/admin/set-password/"+tok, url.Values{"password": {tc.password}, "confirm": {tc.confirm}})
			r.wantStatus(t, http.StatusUnprocessableEntity)
			if len(r.errorSummary()) != 1 || !strings.Contains(r.body, `href="`+tc.field+`"`) {
				t.Fatalf("error summary %q not linked to %s", r.errorSummary(), tc.field)
			}
		})
	}
	c.post("/admin/set-password/"+tok, url.Values{"password": {goodPassword}, "confirm": {goodPassword}}).wantStatus(t, http.StatusOK)
	// The link works once.
	c.get("/admin/set-password/"+tok).wantStatus(t, http.StatusNotFound)
	c.post("/admin/set-password/"+tok, url.Values{"password": {goodPassword}, "confirm": {goodPassword}}).wantStatus(t, http.StatusNotFound)

	r = c.get("/admin/sign-in")
	r.wantStatus(t, http.StatusOK)
	for _, label := range []string{`<label class="govuk-label govuk-label--s" for="email">Email address</label>`, `<label class="govuk-label govuk-label--s" for="password">Password</label>`} {
		if !strings.Contains(r.body, label) {
			t.Errorf("sign-in page lacks %s", label)
		}
	}
	r = c.post("/admin/sign-in", url.Values{"email": {"officer@fenshire.gov.uk"}, "password": {"wrong password here"}})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	if got := r.errorSummary(); len(got) != 1 || got[0] != "Enter a correct email address and password" || !strings.Contains(r.body, `href="#email"`) {
		t.Fatalf("wrong password: error summary %q", got)
	}
	// An unknown address gets the same answer.
	r = c.post("/admin/sign-in", url.Values{"email": {"nobody@fenshire.gov.uk"}, "password": {goodPassword}})
	r.wantStatus(t, http.StatusUnprocessableEntity)

	// Session fixation: an id planted before sign-in is replaced.
	uu, _ := url.Parse(e.srv.URL + "/admin")
	c.jar.SetCookies(uu, []*http.Cookie{{Name: "budgetgrid_admin", Value: "planted-by-attacker", Path: "/admin"}})
	r = c.post("/admin/sign-in", url.Values{"email": {"OFFICER@fenshire.gov.uk"}, "password": {goodPassword}})
	r.wantRedirect(t, "/admin")
	set := ""
	for _, v := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "budgetgrid_admin=") {
			set = v
		}
	}
	for _, want := range []string{"budgetgrid_admin=", "Path=/admin", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(set, want) {
			t.Errorf("admin cookie %q lacks %s", set, want)
		}
	}
	id := c.adminCookie()
	if id == "" || id == "planted-by-attacker" {
		t.Fatalf("session id after sign-in = %q", id)
	}
	if _, err := e.store.AdminSession(context.Background(), []byte(id)); consult.ErrorCode(err) != consult.ENOTFOUND {
		t.Errorf("the session id is stored in clear: %v", err)
	}
	r = c.get("/admin")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, e.k.Title, "open")

	es, err := e.store.Audit(context.Background(), consult.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, en := range es {
		got[en.Action]++
	}
	if got[consult.AuditUserAdd] != 1 || got[consult.AuditPasswordSet] != 1 || got[consult.AuditSignInFailed] != 2 || got[consult.AuditSignIn] != 1 {
		t.Errorf("audit log actions = %v", got)
	}
}

func TestAdminSignInRateLimits(t *testing.T) {
	e := newEnv(t)
	e.addUserWithPassword(t, "officer@fenshire.gov.uk", consult.RoleAdmin, "")
	c := e.newClient(t)
	c.get("/admin/sign-in")
	for i := 0; i < consult.SignInPerAccount; i++ {
		c.post("/admin/sign-in", url.Values{"email": {"officer@fenshire.gov.uk"}, "password": {"not the password " + strconv.Itoa(i)}}).wantStatus(t, http.StatusUnprocessableEntity)
	}
	// The right password is refused now too: the account is limited.
	r := c.post("/admin/sign-in", url.Values{"email": {"officer@fenshire.gov.uk"}, "password": {goodPassword}})
	r.wantStatus(t, http.StatusTooManyRequests)
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra <= 0 || ra > int(consult.SignInWindow/time.Second) {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	if len(r.errorSummary()) != 1 {
		t.Errorf("429 page error summary %q", r.errorSummary())
	}
	// After the window it works again.
	e.clock.Set(testNow.Add(consult.SignInWindow))
	c.post("/admin/sign-in", url.Values{"email": {"officer@fenshire.gov.uk"}, "password": {goodPassword}}).wantRedirect(t, "/admin")

	// Per address: many accounts from one address.
	e.clock.Set(testNow.Add(3 * consult.SignInWindow))
	limited := false
	for i := 0; i <= consult.SignInPerAddress; i++ {
		r := c.post("/admin/sign-in", url.Values{"email": {"guess" + strconv.Itoa(i) + "@fenshire.gov.uk"}, "password": {"guessing password"}})
		if r.status == http.StatusTooManyRequests {
			limited = i == consult.SignInPerAddress
			break
		}
	}
	if !limited {
		t.Errorf("the address was not limited after exactly %d attempts", consult.SignInPerAddress)
	}
}

func TestAdminSessionsExpireAndSignOutEverywhere(t *testing.T) {
	e := newEnv(t)
	e.addUserWithPassword(t, "officer@fenshire.gov.uk", consult.RoleAnalyst, "")
	laptop, phone := e.newClient(t), e.newClient(t)
	laptop.signIn("officer@fenshire.gov.uk")
	phone.signIn("officer@fenshire.gov.uk")
	r := laptop.get("/admin/account")
	r.wantStatus(t, http.StatusOK)
	if n := strings.Count(r.body, "/revoke"); n != 1 {
		t.Errorf("account page offers to revoke %d sessions, want 1 (the other browser)", n)
	}
	r.wantText(t, "This browser")

	// Idle: 29 minutes is fine (and renews), 30 more is too long.
	e.clock.Set(testNow.Add(29 * time.Minute))
	laptop.get("/admin").wantStatus(t, http.StatusOK)
	e.clock.Set(testNow.Add(58 * time.Minute))
	laptop.get("/admin").wantStatus(t, http.StatusOK)
	phone.get("/admin").wantRedirect(t, "/admin/sign-in")
	// Absolute: used every 20 minutes, the session still ends at 12 hours.
	at := testNow.Add(58 * time.Minute)
	for at.Before(testNow.Add(consult.SessionAbsolute - 20*time.Minute)) {
		at = at.Add(20 * time.Minute)
		e.clock.Set(at)
		laptop.get("/admin").wantStatus(t, http.StatusOK)
	}
	e.clock.Set(testNow.Add(consult.SessionAbsolute))
	laptop.get("/admin").wantRedirect(t, "/admin/sign-in")

	// Sign out everywhere ends every session.
	e.clock.Set(testNow.Add(24 * time.Hour))
	laptop.signIn("officer@fenshire.gov.uk")
	phone.signIn("officer@fenshire.gov.uk")
	laptop.post("/admin/account/sign-out-everywhere", nil).wantStatus(t, http.StatusOK)
	laptop.get("/admin").wantRedirect(t, "/admin/sign-in")
	phone.get("/admin").wantRedirect(t, "/admin/sign-in")

	// Revoking one session from another browser.
	laptop.signIn("officer@fenshire.gov.uk")
	phone.signIn("officer@fenshire.gov.uk")
	u, _ := e.store.UserByEmail(context.Background(), "officer@fenshire.gov.uk")
	ss, _ := e.store.AdminSessions(context.Background(), u.ID)
	if len(ss) != 2 {
		t.Fatalf("%d sessions, want 2", len(ss))
	}
	phoneSession := ss[0].ID // newest first: the phone signed in last
	laptop.post("/admin/account/sessions/"+strconv.FormatInt(phoneSession, 10)+"/revoke", nil).wantRedirect(t, "/admin/account?done=revoked")
	phone.get("/admin").wantRedirect(t, "/admin/sign-in")
	laptop.get("/admin").wantStatus(t, http.StatusOK)
	// Signing out ends this session only.
	laptop.post("/admin/sign-out", nil).wantStatus(t, http.StatusOK)
	laptop.get("/admin").wantRedirect(t, "/admin/sign-in")
}

func TestAdminSecurityCodes(t *testing.T) {
	e := newEnv(t)
	e.addUserWithPassword(t, "officer@fenshire.gov.uk", consult.RoleEditor, slug)
	c := e.newClient(t)
	c.signIn("officer@fenshire.gov.uk")
	r := c.get("/admin/account/security-codes")
	r.wantStatus(t, http.StatusOK)
	secretField := r.input("secret")
	secret, err := decodeSecret(secretField)
	if err != nil {
		t.Fatalf("secret %q: %v", secretField, err)
	}
	r = c.post("/admin/account/security-codes", url.Values{"secret": {secretField}, "code": {"000000"}})
	if consult.TOTPCode(secret, e.clock.Now()) != "000000" {
		r.wantStatus(t, http.StatusUnprocessableEntity)
		if !strings.Contains(r.body, `href="#code"`) {
			t.Errorf("wrong code: error summary %q not linked to #code", r.errorSummary())
		}
	}
	c.post("/admin/account/security-codes", url.Values{"secret": {secretField}, "code": {consult.TOTPCode(secret, e.clock.Now())}}).wantRedirect(t, "/admin/account?done=codes-on")
	c.post("/admin/sign-out", nil).wantStatus(t, http.StatusOK)

	// The password alone gives only the code page.
	e.clock.Set(testNow.Add(time.Minute))
	c.get("/admin/sign-in")
	c.post("/admin/sign-in", url.Values{"email": {"officer@fenshire.gov.uk"}, "password": {goodPassword}}).wantRedirect(t, "/admin/sign-in/code")
	pending := c.adminCookie()
	c.get("/admin").wantRedirect(t, "/admin/sign-in")
	c.get("/admin/sign-in/code").wantStatus(t, http.StatusOK)
	wrong := "123456"
	if consult.TOTPCode(secret, e.clock.Now()) == wrong {
		wrong = "654321"
	}
	c.post("/admin/sign-in/code", url.Values{"code": {wrong}}).wantStatus(t, http.StatusUnprocessableEntity)
	code := consult.TOTPCode(secret, e.clock.Now())
	c.post("/admin/sign-in/code", url.Values{"code": {code}}).wantRedirect(t, "/admin")
	if c.adminCookie() == pending {
		t.Error("the session id was not renewed after the security code")
	}
	c.get("/admin").wantStatus(t, http.StatusOK)

	// The same code does not work twice.
	other := e.newClient(t)
	other.get("/admin/sign-in")
	other.post("/admin/sign-in", url.Values{"email": {"officer@fenshire.gov.uk"}, "password": {goodPassword}}).wantRedirect(t, "/admin/sign-in/code")
	other.post("/admin/sign-in/code", url.Values{"code": {code}}).wantStatus(t, http.StatusUnprocessableEntity)

	// Turning codes off: the password alone works again.
	c.post("/admin/account/security-codes/off", nil).wantRedirect(t, "/admin/account?done=codes-off")
	e.clock.Set(testNow.Add(2 * time.Minute))
	third := e.newClient(t)
	third.signIn("officer@fenshire.gov.uk")
}

func TestAdminConsultationStatusAndAudit(t *testing.T) {
	e := newEnv(t)
	e.addUserWithPassword(t, "boss@fenshire.gov.uk", consult.RoleAdmin, "")
	e.addUserWithPassword(t, "editor@fenshire.gov.uk", consult.RoleEditor, slug)
	ed := e.newClient(t)
	ed.signIn("editor@fenshire.gov.uk")
	r := ed.get("/admin/consultations/" + slug)
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "Close", "Return to draft (hide)")
	ed.post("/admin/consultations/"+slug+"/status", url.Values{"status": {"closed"}}).wantRedirect(t, "/admin/consultations/"+slug+"?done=status")
	k, err := e.store.Consultation(context.Background(), slug)
	if err != nil || k.Status != consult.Closed {
		t.Fatalf("status after closing = %v, %v", k.Status, err)
	}
	ed.post("/admin/consultations/"+slug+"/status", url.Values{"status": {"archived-or-worse"}}).wantStatus(t, http.StatusUnprocessableEntity)
	ed.post("/admin/consultations/"+slug+"/status", url.Values{"status": {"open"}}).wantRedirect(t, "/admin/consultations/"+slug+"?done=status")
	// CSRF: a form without the token is refused and changes nothing.
	ed.postRaw("/admin/consultations/"+slug+"/status", "status=closed").wantStatus(t, http.StatusForbidden)
	if k, _ := e.store.Consultation(context.Background(), slug); k.Status != consult.Open {
		t.Fatalf("a POST without the CSRF token changed the status to %s", k.Status)
	}

	// A formula planted in the log comes out inert in the CSV.
	if err := e.store.AddAudit(context.Background(), &consult.AuditEntry{Actor: "=HYPERLINK(\"http://evil\")", Action: "sign_in_failed", Target: "+SUM(A1:A9)", After: "@cmd"}); err != nil {
		t.Fatal(err)
	}
	boss := e.newClient(t)
	boss.signIn("boss@fenshire.gov.uk")
	r = boss.get("/admin/audit?action=consultation_status")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "editor@fenshire.gov.uk", "consultation_status")
	if n := strings.Count(r.body, "<td class=\"govuk-table__cell\">consultation_status</td>"); n != 2 {
		t.Errorf("audit page filtered by action shows %d status changes, want 2", n)
	}
	r = boss.get("/admin/audit?user=" + url.QueryEscape("boss@fenshire.gov.uk"))
	if strings.Contains(r.body, "editor@fenshire.gov.uk</td>") {
		t.Error("audit filtered by user shows another user's entries")
	}
	r = boss.get("/admin/audit.csv?user=" + url.QueryEscape("' OR 1=1 --"))
	r.wantStatus(t, http.StatusOK)
	if rows, _ := csv.NewReader(strings.NewReader(r.body)).ReadAll(); len(rows) != 1 {
		t.Errorf("SQL in the filter: %d rows, want the header only", len(rows))
	}
	r = boss.get("/admin/audit.csv")
	r.wantStatus(t, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows[1:] {
		for _, cell := range row {
			if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") {
				t.Errorf("formula cell %q in the audit CSV", cell)
			}
		}
		if row[3] == consult.AuditStatus && row[5] == "open" && row[6] == "closed" {
			found = true
		}
	}
	if !found {
		t.Errorf("no open→closed entry in the audit CSV:\n%s", r.body)
	}
}

func TestAdminAddsUser(t *testing.T) {
	e := newEnv(t)
	e.addUserWithPassword(t, "boss@fenshire.gov.uk", consult.RoleAdmin, "")
	boss := e.newClient(t)
	boss.signIn("boss@fenshire.gov.uk")
	r := boss.post("/admin/users", url.Values{"email": {"not an address"}, "role": {"analyst"}})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, `href="#email"`) {
		t.Errorf("bad email: error summary %q", r.errorSummary())
	}
	r = boss.post("/admin/users", url.Values{"email": {"ana@fenshire.gov.uk"}, "role": {"analyst"}, "consultation": {slug}})
	r.wantStatus(t, http.StatusOK)
	link := ""
	if i := strings.Index(r.body, "/admin/set-password/"); i >= 0 {
		link = r.body[i:]
		link = link[:strings.IndexByte(link, '<')]
	}
	if link == "" {
		t.Fatal("no set-password link shown")
	}
	r.wantText(t, "analyst in "+slug)
	boss.post("/admin/users", url.Values{"email": {"ana@fenshire.gov.uk"}, "role": {"analyst"}}).wantStatus(t, http.StatusUnprocessableEntity)
	ana := e.newClient(t)
	ana.get(link).wantText(t, "ana@fenshire.gov.uk")
	ana.post(link, url.Values{"password": {goodPassword}, "confirm": {goodPassword}}).wantStatus(t, http.StatusOK)
	ana.signIn("ana@fenshire.gov.uk")
	ana.get("/admin/consultations/"+slug).wantStatus(t, http.StatusOK)
	ana.post("/admin/consultations/"+slug+"/status", url.Values{"status": {"closed"}}).wantStatus(t, http.StatusForbidden)
}

// TestAdminRoutesByRole walks every admin route as each role and as
// nobody (a resident with a session of their own).
func TestAdminRoutesByRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := *e.k
	other.Slug, other.Title, other.ID = "other-2027", "Another consultation", 0
	if err := e.store.CreateConsultation(ctx, &other); err != nil {
		t.Fatal(err)
	}
	users := map[string]*consult.User{
		"admin":        e.addUserWithPassword(t, "admin@fenshire.gov.uk", consult.RoleAdmin, ""),
		"editor":       e.addUserWithPassword(t, "editor@fenshire.gov.uk", consult.RoleEditor, slug),
		"other-editor": e.addUserWithPassword(t, "other@fenshire.gov.uk", consult.RoleEditor, "other-2027"),
		"analyst":      e.addUserWithPassword(t, "analyst@fenshire.gov.uk", consult.RoleAnalyst, ""),
		"interviewer":  e.addUserWithPassword(t, "interviewer@fenshire.gov.uk", consult.RoleInterviewer, ""),
	}
	const (
		ok, redirect, unprocessable, forbidden, notFound = 200, 303, 422, 403, 404
	)
	toSignIn := "/admin/sign-in"
	// want[route] is the status for nobody, admin, editor, other-editor,
	// analyst, interviewer.
	type row struct {
		path string
		form url.Values
		want [6]int
	}
	all := func(n int) [6]int { return [6]int{redirect, n, n, n, n, n} }
	byRole := func(admin, editor, otherEditor, analyst, interviewer int) [6]int {
		return [6]int{redirect, admin, editor, otherEditor, analyst, interviewer}
	}
	routes := map[string]row{
		"GET /admin/sign-in":                                {path: "/admin/sign-in", want: [6]int{ok, redirect, redirect, redirect, redirect, redirect}},
		"POST /admin/sign-in":                               {path: "/admin/sign-in", want: [6]int{unprocessable, unprocessable, unprocessable, unprocessable, unprocessable, unprocessable}},
		"GET /admin/sign-in/code":                           {path: "/admin/sign-in/code", want: [6]int{redirect, redirect, redirect, redirect, redirect, redirect}},
		"POST /admin/sign-in/code":                          {path: "/admin/sign-in/code", want: [6]int{redirect, redirect, redirect, redirect, redirect, redirect}},
		"GET /admin/set-password/:token":                    {path: "/admin/set-password/no-such-token", want: [6]int{notFound, notFound, notFound, notFound, notFound, notFound}},
		"POST /admin/set-password/:token":                   {path: "/admin/set-password/no-such-token", want: [6]int{notFound, notFound, notFound, notFound, notFound, notFound}},
		"GET /admin/account":                                {path: "/admin/account", want: all(ok)},
		"POST /admin/account/sessions/:id/revoke":           {path: "/admin/account/sessions/999999/revoke", want: all(notFound)},
		"GET /admin/account/security-codes":                 {path: "/admin/account/security-codes", want: all(ok)},
		"POST /admin/account/security-codes":                {path: "/admin/account/security-codes", form: url.Values{"code": {"x"}}, want: all(unprocessable)},
		"POST /admin/account/security-codes/off":            {path: "/admin/account/security-codes/off", want: all(redirect)},
		"GET /admin":                                        {path: "/admin", want: byRole(ok, ok, ok, ok, forbidden)},
		"GET /admin/consultations/:slug":                    {path: "/admin/consultations/" + slug, want: byRole(ok, ok, notFound, ok, notFound)},
		"POST /admin/consultations/:slug/status":            {path: "/admin/consultations/" + slug + "/status", form: url.Values{"status": {"open"}}, want: byRole(redirect, redirect, notFound, forbidden, notFound)},
		"GET /admin/consultations/:slug/download/:file":     {path: "/admin/consultations/" + slug + "/download/responses.csv", want: byRole(ok, ok, notFound, ok, notFound)},
		"GET /admin/consultations/:slug/dashboard":          {path: "/admin/consultations/" + slug + "/dashboard", want: byRole(ok, ok, notFound, ok, notFound)},
		"GET /admin/consultations/:slug/comments":           {path: "/admin/consultations/" + slug + "/comments?q=roads", want: byRole(ok, ok, notFound, ok, notFound)},
		"POST /admin/consultations/:slug/comments/:id/hide": {path: "/admin/consultations/" + slug + "/comments/no-such/hide", want: byRole(notFound, notFound, notFound, forbidden, notFound)},
		"GET /admin/audit":                                  {path: "/admin/audit", want: byRole(ok, forbidden, forbidden, forbidden, forbidden)},
		"GET /admin/audit.csv":                              {path: "/admin/audit.csv", want: byRole(ok, forbidden, forbidden, forbidden, forbidden)},
		"GET /admin/users":                                  {path: "/admin/users", want: byRole(ok, forbidden, forbidden, forbidden, forbidden)},
		"POST /admin/users":                                 {path: "/admin/users", form: url.Values{"email": {""}}, want: byRole(unprocessable, forbidden, forbidden, forbidden, forbidden)},
		"GET /admin/devices":                                {path: "/admin/devices", want: byRole(ok, forbidden, forbidden, forbidden, forbidden)},
		"POST /admin/devices":                               {path: "/admin/devices", form: url.Values{"email": {""}}, want: byRole(unprocessable, forbidden, forbidden, forbidden, forbidden)},
		"POST /admin/devices/:id/revoke":                    {path: "/admin/devices/999999/revoke", want: byRole(notFound, forbidden, forbidden, forbidden, forbidden)},
		"POST /admin/sign-out":                              {path: "/admin/sign-out", want: all(ok)},
		"POST /admin/account/sign-out-everywhere":           {path: "/admin/account/sign-out-everywhere", want: all(ok)},
	}
	srv, err := web.New(ctx, web.Config{Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range srv.AdminRoutes() {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, ok := routes[r]; !ok {
			t.Errorf("route %s is not walked: add it to the table", r)
		}
	}
	who := []string{"nobody", "admin", "editor", "other-editor", "analyst", "interviewer"}
	for name, rt := range routes {
		if !seen[name] {
			t.Errorf("table names %s, which is not a route", name)
			continue
		}
		method := strings.SplitN(name, " ", 2)[0]
		for i, w := range who {
			t.Run(name+"/"+w, func(t *testing.T) {
				c := e.newClient(t)
				c.get(base) // a resident's session gives nothing in /admin
				if w != "nobody" {
					c.sessionFor(users[w])
				} else {
					// A visitor's posts carry the admin area's own form
					// token, from its sign-in page: the resident's token
					// is bound to the resident's session and works only
					// on the resident's pages.
					c.get("/admin/sign-in")
				}
				var r *resp
				if method == http.MethodGet {
					r = c.get(rt.path)
				} else {
					r = c.post(rt.path, rt.form)
				}
				if r.status != rt.want[i] {
					t.Fatalf("%s as %s: status %d, want %d (heading %q, location %q)", name, w, r.status, rt.want[i], r.heading(), r.header.Get("Location"))
				}
				if strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
					checkAdminPage(t, name, r)
				}
				if method == http.MethodPost {
					// The same form without its CSRF token is refused.
					body := rt.form.Encode()
					if f := c.postRaw(rt.path, body); f.status != forbidden {
						t.Errorf("%s as %s without a CSRF token: status %d, want 403", name, w, f.status)
					}
				}
				if r.status == redirect && rt.want[0] == redirect && i == 0 && r.header.Get("Location") != toSignIn {
					t.Errorf("nobody sent to %q, want %s", r.header.Get("Location"), toSignIn)
				}
			})
		}
	}
}

func decodeSecret(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func TestAdminSetPasswordLinkLasts24Hours(t *testing.T) {
	e := newEnv(t)
	_, tok := e.addUser(t, "officer@fenshire.gov.uk", consult.RoleEditor, slug)
	c := e.newClient(t)
	e.clock.Set(testNow.Add(consult.SetPasswordValid - time.Second))
	c.get("/admin/set-password/"+tok).wantStatus(t, http.StatusOK)
	e.clock.Set(testNow.Add(consult.SetPasswordValid))
	c.get("/admin/set-password/"+tok).wantStatus(t, http.StatusNotFound)
	c.post("/admin/set-password/"+tok, url.Values{"password": {goodPassword}, "confirm": {goodPassword}}).wantStatus(t, http.StatusNotFound)
	if u, _ := e.store.UserByEmail(context.Background(), "officer@fenshire.gov.uk"); u.PasswordHash != "" {
		t.Error("an expired link set a password")
	}
}

func TestAdminDashboardAndComments(t *testing.T) {
	e := newEnv(t)
	e.addUserWithPassword(t, "editor@fenshire.gov.uk", consult.RoleEditor, slug)
	e.addUserWithPassword(t, "analyst@fenshire.gov.uk", consult.RoleAnalyst, slug)
	for i := 0; i < 2; i++ {
		e.newClient(t).answerUntil("submitted")
	}
	e.newClient(t).answerUntil("lot-2")
	e.newClient(t).answerUntil("about-you")
	xss := e.newClient(t)
	xss.answerUntil("comments")
	payload := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	xss.post(base+"/comments", url.Values{"comments": {payload}, "action": {"continue"}}).wantRedirect(t, base+"/check-answers")
	xss.post(base+"/check-answers", nil).wantRedirect(t, base+"/confirmation")

	ed := e.newClient(t)
	ed.signIn("editor@fenshire.gov.uk")
	r := ed.get("/admin/consultations/" + slug + "/dashboard")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "5 started, 3 completed (60%)")
	stages := map[string][2]string{}
	for _, m := range regexp.MustCompile(`(?s)<tr class="govuk-table__row">\s*<td class="govuk-table__cell">([^<]+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>`).FindAllStringSubmatch(r.body, -1) {
		stages[m[1]] = [2]string{m[2], m[3]}
	}
	for stage, want := range map[string][2]string{
		"About you": {"5", "1"}, "Round 1": {"4", "0"}, "Round 2": {"4", "1"}, "Round 3": {"3", "0"}, "Check your answers": {"3", "0"},
	} {
		if stages[stage] != want {
			t.Errorf("stage %s: reached, stopped = %v, want %v", stage, stages[stage], want)
		}
	}
	// The store stamps responses with its own clock, not the server's.
	day := `\d{4}-\d{2}-\d{2}`
	if !regexp.MustCompile(`<td class="govuk-table__cell">` + day + `</td>\s*<td class="govuk-table__cell">online</td>\s*<td[^>]*>5</td>\s*<td[^>]*>3</td>`).MatchString(r.body) {
		t.Error("per-day table lacks a day with 5 online started and 3 completed")
	}

	r = ed.get("/admin/consultations/" + slug + "/comments?q=ROADS")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "2 comments holding")
	r = ed.get("/admin/consultations/" + slug + "/comments?q=" + url.QueryEscape(`'; DROP TABLE responses; --`))
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "0 comments")
	r = ed.get("/admin/consultations/" + slug + "/comments")
	r.wantText(t, "3 comments")
	if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") || !strings.Contains(r.body, "&lt;script&gt;") {
		t.Error("a comment's markup is not inert on the comments page")
	}
	// Hide the first comment: the analyst no longer sees it, the editor
	// sees it marked, the audit log has it.
	m := regexp.MustCompile(`/comments/([0-9a-f-]+)/hide`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no hide button for the editor")
	}
	ed.post("/admin/consultations/"+slug+"/comments/"+m[1]+"/hide", url.Values{"hidden": {"true"}}).wantRedirect(t, "/admin/consultations/"+slug+"/comments")
	an := e.newClient(t)
	an.signIn("analyst@fenshire.gov.uk")
	r = an.get("/admin/consultations/" + slug + "/comments")
	r.wantText(t, "2 comments")
	if strings.Contains(r.body, "/hide") {
		t.Error("the analyst is offered to hide comments")
	}
	an.post("/admin/consultations/"+slug+"/comments/"+m[1]+"/hide", url.Values{"hidden": {"false"}}).wantStatus(t, http.StatusForbidden)
	r = ed.get("/admin/consultations/" + slug + "/comments")
	r.wantText(t, "3 comments", "Hidden")
	es, _ := e.store.Audit(context.Background(), consult.AuditFilter{Action: consult.AuditCommentHide})
	if len(es) != 1 || es[0].Actor != "editor@fenshire.gov.uk" {
		t.Errorf("audit of hiding: %+v", es)
	}
	ed.post("/admin/consultations/"+slug+"/comments/"+m[1]+"/hide", url.Values{"hidden": {"false"}}).wantRedirect(t, "/admin/consultations/"+slug+"/comments")
	an.get("/admin/consultations/"+slug+"/comments").wantText(t, "3 comments")
}

var (
	inlineScriptRE  = regexp.MustCompile(`<script\b[^>]*>[^<]`)
	adminScriptRE   = regexp.MustCompile(`<script\b[^>]*>`)
	inlineHandlerRE = regexp.MustCompile(`\s(on[a-z]+|style)\s*=`)
	externalRE      = regexp.MustCompile(`(src|href|action)="(https?:)?//`)
)

// checkAdminPage checks what the strict CSP and privacy rules need of
// every admin page: no inline script or style, nothing from other sites,
// a CSRF token in every POST form, and the CSP header itself.
func checkAdminPage(t *testing.T, name string, r *resp) {
	t.Helper()
	if inlineScriptRE.MatchString(r.body) || inlineHandlerRE.MatchString(r.body) {
		t.Errorf("%s: inline script or style", name)
	}
	for _, tag := range adminScriptRE.FindAllString(r.body, -1) {
		if !strings.Contains(tag, `src="/static/`) {
			t.Errorf("%s: script %s", name, tag)
		}
	}
	if externalRE.MatchString(r.body) {
		t.Errorf("%s: a request to another site: %s", name, externalRE.FindString(r.body))
	}
	forms := strings.Count(r.body, `<form method="post"`)
	if tokens := strings.Count(r.body, `name="_csrf" value="`); tokens < forms || (forms > 0 && strings.Contains(r.body, `name="_csrf" value=""`)) {
		t.Errorf("%s: %d POST forms, %d CSRF tokens", name, forms, tokens)
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("%s: no strict CSP", name)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", name, r.header.Get("Cache-Control"))
	}
}

func TestAdminPagesRenderStoredMarkupInert(t *testing.T) {
	payload := `Fenshire <script>alert(1)</script><img src=x onerror=alert(2)>`
	e := newEnv(t, func(k *consult.Consultation) { k.Title = payload })
	e.addUserWithPassword(t, "admin@fenshire.gov.uk", consult.RoleAdmin, "")
	// A user-agent and an address end up on the account and audit pages.
	c := e.newClient(t)
	c.get("/admin/sign-in")
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/sign-in", strings.NewReader(url.Values{
		"email": {"admin@fenshire.gov.uk"}, "password": {goodPassword}, "_csrf": {c.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", `<script>alert(3)</script>`)
	c.do(req).wantRedirect(t, "/admin")
	for _, p := range []string{"/admin", "/admin/consultations/" + slug, "/admin/consultations/" + slug + "/dashboard",
		"/admin/consultations/" + slug + "/comments", "/admin/account", "/admin/audit"} {
		r := c.get(p)
		r.wantStatus(t, http.StatusOK)
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
			t.Errorf("%s: stored markup is live", p)
		}
	}
	c.get("/admin").wantText(t, payload)
	c.get("/admin/account").wantText(t, `<script>alert(3)</script>`)
}
