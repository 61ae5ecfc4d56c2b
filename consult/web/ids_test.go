package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	idAttrRE  = regexp.MustCompile(`\sid="([^"]*)"`)
	refAttrRE = regexp.MustCompile(`\s(aria-describedby|aria-labelledby|aria-controls|for|form)="([^"]*)"`)
	fragRE    = regexp.MustCompile(`\shref="#([^"]+)"`)
)

// idProblems lists a page's duplicate ids, and the references (aria-*, a
// label's for, a button's form, a link to #fragment) to ids it lacks.
func idProblems(body string) []string {
	body = scriptRE.ReplaceAllString(body, " ")
	var out []string
	ids := map[string]int{}
	for _, m := range idAttrRE.FindAllStringSubmatch(body, -1) {
		ids[m[1]]++
	}
	for id, n := range ids {
		if n > 1 {
			out = append(out, "duplicate id "+id)
		}
	}
	for _, m := range refAttrRE.FindAllStringSubmatch(body, -1) {
		for _, ref := range strings.Fields(m[2]) {
			if ids[ref] == 0 {
				out = append(out, m[1]+"="+ref+" names no element")
			}
		}
	}
	for _, m := range fragRE.FindAllStringSubmatch(body, -1) {
		if ids[m[1]] == 0 {
			out = append(out, "link to #"+m[1]+" names no element")
		}
	}
	return out
}

// TestIDsAreUniqueAndReferenced walks every resident page, in both
// languages and with the error states, and fails on a duplicate id or a
// reference to an id the page lacks (screen readers then announce the
// wrong text, or nothing).
func TestIDsAreUniqueAndReferenced(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.get("/")
	c.get(base)
	c.answerUntil("check-answers")
	for _, st := range stageOrder {
		c.get(base + "/" + st)
		c.get(base + "/" + st + "?lang=cy")
		c.get(base + "/" + st + "?return=check&lang=en")
	}
	// Error states of each page.
	c.post(base+"/about-you", url.Values{"about.area": {"nowhere"}})
	c.post(base+"/current-service", url.Values{"current.roads": {"9"}})
	c.post(base+"/unacceptable-levels", url.Values{"unacceptable.roads": {"9"}})
	c.post(base+"/lot-1", lotForm(with(lot1, map[string]int{"roads": 5})))
	c.post(base+"/lot-1", without(lotForm(lot1), "s.buses"))
	c.post(base+"/comments", url.Values{"comments": {strings.Repeat("x", 2001)}})
	c.post(base+"/lot-1", set(lotForm(lot1), "action", "save"))
	c.get(base + "/saved")
	c.get(base + "/resume")
	c.post(base+"/resume", url.Values{"code": {"nope"}})
	c.get(base + "/check-answers")
	c.post(base+"/check-answers", nil)
	c.get(base + "/confirmation")
	c.get("/nope")
	if len(c.pages) < 30 {
		t.Fatalf("only %d pages seen", len(c.pages))
	}
	for name, body := range c.pages {
		for _, p := range idProblems(body) {
			t.Errorf("%s: %s", name, p)
		}
	}
}
