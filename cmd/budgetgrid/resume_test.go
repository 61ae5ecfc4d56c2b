package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

var resumeCode = regexp.MustCompile(`id="resume-code">([A-Z0-9-]{14})<`)

// TestSaveAndResumeOnAnotherDevice saves mid-journey, resumes with the
// code in a fresh browser (a new cookie jar), finishes, and checks the
// code then stops working.
func TestSaveAndResumeOnAnotherDevice(t *testing.T) {
	base, dbPath := startServer(t)
	keys := fenshireServiceKeys(t, dbPath)
	const slug = "/c/fenshire-2027"

	phone := newClient(t, base)
	phone.get(slug, http.StatusOK)
	phone.post(slug+"/start", url.Values{}, http.StatusSeeOther)
	phone.get(slug+"/about-you", http.StatusOK)
	phone.post(slug+"/about-you", url.Values{"about.area": {"eastwold"}}, http.StatusSeeOther)
	phone.get(slug+"/current-service", http.StatusOK)
	// Save on the current-service page with an answer: it is kept.
	if loc := phone.post(slug+"/current-service", url.Values{"action": {"save"}, "current." + keys[0]: {"2"}}, http.StatusSeeOther); loc != slug+"/saved" {
		t.Fatalf("save redirects to %q", loc)
	}
	saved := phone.get(slug+"/saved", http.StatusOK)
	m := resumeCode.FindStringSubmatch(saved)
	if m == nil {
		t.Fatalf("saved page shows no code:\n%s", saved)
	}
	code := m[1]
	if !strings.Contains(saved, slug+"/resume/"+code) {
		t.Errorf("saved page has no resume link")
	}

	laptop := newClient(t, base)
	laptop.get(slug, http.StatusOK)
	// Typed in lower case with spaces: still recognised.
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	if loc := laptop.post(slug+"/resume", url.Values{"code": {typed}}, http.StatusSeeOther); loc != slug+"/current-service" {
		t.Fatalf("resume goes to %q, want the stage the resident saved on", loc)
	}
	cur := laptop.get(slug+"/current-service", http.StatusOK)
	if !regexp.MustCompile(`id="current-` + keys[0] + `-2"[^>]*checked`).MatchString(cur) {
		t.Errorf("the answer saved on the phone is not restored")
	}
	laptop.post(slug+"/current-service", url.Values{"current." + keys[0]: {"2"}}, http.StatusSeeOther)
	laptop.post(slug+"/unacceptable-levels", url.Values{}, http.StatusSeeOther)
	for lot := 1; lot <= 4; lot++ {
		laptop.get(fmt.Sprintf("%s/lot-%d", slug, lot), http.StatusOK)
		laptop.post(fmt.Sprintf("%s/lot-%d", slug, lot), lotForm(keys, nil), http.StatusSeeOther)
	}
	laptop.post(slug+"/comments", url.Values{}, http.StatusSeeOther)
	laptop.get(slug+"/check-answers", http.StatusOK)
	laptop.post(slug+"/check-answers", url.Values{}, http.StatusSeeOther)

	// The code stops working once the answers are sent.
	other := newClient(t, base)
	other.get(slug+"/resume/"+code, http.StatusOK)
	body := other.post(slug+"/resume", url.Values{"code": {code}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "We do not recognise that resume code") {
		t.Errorf("a used code is not refused clearly:\n%s", body)
	}
	// The phone's session is done too.
	phone.post(slug+"/unacceptable-levels", url.Values{}, http.StatusConflict)
}

func TestResumeCodeErrorsAndRateLimit(t *testing.T) {
	base, _ := startServer(t)
	const slug = "/c/fenshire-2027"
	c := newClient(t, base)
	c.get(slug+"/resume", http.StatusOK)
	began := time.Now()
	tests := []struct{ name, code, want string }{
		{"empty", "", "Enter your resume code in the right format"},
		{"too short", "ABCD-EFGH", "Enter your resume code in the right format"},
		{"ambiguous letters", "OOOO-IIII-LLLL", "Enter your resume code in the right format"},
		{"unknown", "ABCD-EFGH-JKMN", "We do not recognise that resume code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := c.post(slug+"/resume", url.Values{"code": {tt.code}}, http.StatusUnprocessableEntity)
			if !strings.Contains(body, tt.want) || !strings.Contains(body, "govuk-error-summary") {
				t.Fatalf("no error summary saying %q", tt.want)
			}
		})
	}
	// 10 attempts a minute are allowed in all; the next is refused. (The
	// limit counts in fixed minutes: if one ended during the test, the
	// count started again and the test cannot tell.)
	for i := len(tests); i < 10; i++ {
		c.post(slug+"/resume", url.Values{"code": {"ABCD-EFGH-JKMN"}}, http.StatusUnprocessableEntity)
	}
	if !consult.RateWindow(began, time.Minute).Equal(consult.RateWindow(time.Now(), time.Minute)) {
		t.Skip("a minute ended during the attempts; the count started again")
	}
	body := c.post(slug+"/resume", url.Values{"code": {"ABCD-EFGH-JKMN"}}, http.StatusTooManyRequests)
	if !strings.Contains(body, "Too many attempts") {
		t.Errorf("rate-limited page does not say so")
	}
}

// TestResumeCodeStopsWhenClosed: a code does not work while the
// consultation is closed, and works again if it reopens.
func TestResumeCodeStopsWhenClosed(t *testing.T) {
	base, dbPath := startServer(t)
	const slug = "/c/fenshire-2027"
	_, code := startAndSave(t, base)

	other := newClient(t, base)
	other.get(slug+"/resume", http.StatusOK) // the form, and its CSRF token, while open
	if _, _, err := run(t, "consultation", "status", "--db", dbPath, "fenshire-2027", "closed"); err != nil {
		t.Fatal(err)
	}
	csrf := other.csrf
	if page := other.get(slug+"/resume/"+code, http.StatusOK); !strings.Contains(page, "This consultation has closed") {
		t.Errorf("the resume page of a closed consultation does not say it is closed")
	}
	other.csrf = csrf
	other.post(slug+"/resume", url.Values{"code": {code}}, http.StatusGone)

	if _, _, err := run(t, "consultation", "status", "--db", dbPath, "fenshire-2027", "open"); err != nil {
		t.Fatal(err)
	}
	if loc := other.post(slug+"/resume", url.Values{"code": {code}}, http.StatusSeeOther); loc != slug+"/about-you" {
		t.Fatalf("after reopening, resume goes to %q", loc)
	}
}

// TestEarlierResumeCodesKeepWorking: saving twice gives two codes; the
// first, perhaps written on paper, still works, and each opens the page it
// was saved on.
func TestEarlierResumeCodesKeepWorking(t *testing.T) {
	base, _ := startServer(t)
	const slug = "/c/fenshire-2027"
	c, first := startAndSave(t, base)
	c.post(slug+"/current-service", url.Values{"action": {"save"}}, http.StatusSeeOther)
	second := resumeCode.FindStringSubmatch(c.get(slug+"/saved", http.StatusOK))[1]
	if first == second {
		t.Fatal("saving again gave the same code")
	}
	for code, stage := range map[string]string{first: "/about-you", second: "/current-service"} {
		other := newClient(t, base)
		other.get(slug+"/resume", http.StatusOK)
		if loc := other.post(slug+"/resume", url.Values{"code": {code}}, http.StatusSeeOther); loc != slug+stage {
			t.Errorf("code %s opens %q, want %s", code, loc, slug+stage)
		}
	}
}

// startAndSave starts a Fenshire response and presses "Save and come back
// later" on the about-you page, returning the client and its code.
func startAndSave(t *testing.T, base string) (*client, string) {
	t.Helper()
	const slug = "/c/fenshire-2027"
	c := newClient(t, base)
	c.get(slug, http.StatusOK)
	c.post(slug+"/start", url.Values{}, http.StatusSeeOther)
	c.get(slug+"/about-you", http.StatusOK)
	c.post(slug+"/about-you", url.Values{"action": {"save"}}, http.StatusSeeOther)
	m := resumeCode.FindStringSubmatch(c.get(slug+"/saved", http.StatusOK))
	if m == nil {
		t.Fatal("the saved page shows no resume code")
	}
	return c, m[1]
}
