package browser

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// continueButton is every question page's Continue button.
const continueButton = "button[value=continue]"

// sendButton sends the answers from check-answers (its other button saves
// them for later).
const sendButton = `form[action$="/check-answers"] button[type=submit]:not([name=action])`

// reference is the confirmation's reference code.
var reference = regexp.MustCompile(`\b[A-Z2-9]{4}-[A-Z2-9]{4}\b`)

// radioID is the id of a lot page's radio for a level of a service.
func radioID(key string, level int) string {
	if level == 1 {
		return "service-" + key
	}
	return fmt.Sprintf("service-%s-%d", key, level)
}

// lotChoices are the levels the journeys choose at each of Fenshire's four
// additive lots (62, 69, 77, 85 points); other services stay at level 1.
var lotChoices = []map[string]int{
	{"roads": 3},
	{"roads": 3, "streetlights": 2},
	{"roads": 4, "streetlights": 2},
	{"roads": 5, "streetlights": 2},
}

// overBudget returns a package for lot 1 that costs more than its budget:
// the top level of services in grid order until the cost passes it.
func overBudget(t *testing.T, s *site) (p grid.Package, cost, budget int) {
	t.Helper()
	g := s.C.Grid
	budget = s.C.Plan().Budgets[0]
	p = g.BasePackage()
	for i, sv := range g.Services {
		p[i] = len(sv.Levels)
		c, err := g.Cost(p)
		if err != nil {
			t.Fatal(err)
		}
		if c > budget {
			return p, c, budget
		}
	}
	t.Fatal("no package over lot 1's budget")
	return nil, 0, 0
}

// journeyOptions say what a journey checks along the way.
type journeyOptions struct {
	axeAll bool // run axe on every page, not only a few
}

// completeJourney walks the Fenshire demo from its start page to the
// confirmation by clicking, with an over-budget Continue at lot 1, and
// returns the reference shown.
func completeJourney(t *testing.T, tb *tab, o journeyOptions) string {
	t.Helper()
	axe := func(name string, always bool) {
		if o.axeAll || always {
			tb.axe(name)
		}
	}
	base := "/c/" + slug

	if st := tb.navigate("start", base); st != 200 {
		t.Fatalf("start page: status %d", st)
	}
	axe("start", true)
	if st := tb.submit("about-you", ".govuk-button--start"); st != 200 {
		t.Fatalf("about-you: status %d", st)
	}
	tb.wantPath("about-you")
	axe("about-you", false)
	tb.click("about-area-marshby", true)
	tb.click("about-age_band-35-54", true)
	tb.click("about-sex-none", true)

	tb.submit("current-service", continueButton)
	tb.wantPath("current-service")
	axe("current-service", false)
	tb.click("current-roads-3", true)
	tb.click("current-streetlights-2", true)

	tb.submit("unacceptable-levels", continueButton)
	tb.wantPath("unacceptable-levels")
	axe("unacceptable-levels", false)
	tb.click("unacceptable-roads", true)
	tb.click("unacceptable-roads-2", true)

	tb.submit("lot-1", continueButton)
	tb.wantPath("lot-1")
	axe("lot-1", true)

	// Over budget: Continue is refused with an error summary that says by
	// how many points.
	g := tb.site.C.Grid
	p, cost, budget := overBudget(t, tb.site)
	for i, sv := range g.Services {
		if p[i] > 1 {
			tb.click(radioID(sv.Key, p[i]), true)
		}
	}
	if st := tb.submit("lot-1 (over budget)", continueButton); st != 422 {
		t.Errorf("over-budget Continue: status %d, want 422", st)
	}
	tb.wantPath("lot-1")
	summary := tb.text(".govuk-error-summary")
	over := cost - budget
	for _, want := range []string{fmt.Sprintf("%d points", cost), fmt.Sprintf("%d point", over), fmt.Sprint(budget)} {
		if !strings.Contains(summary, want) {
			t.Errorf("over-budget error summary %q does not say %q (cost %d, budget %d, over by %d)", summary, want, cost, budget, over)
		}
	}
	if summary == "" {
		t.Fatalf("no .govuk-error-summary after an over-budget Continue")
	}
	if tb.js {
		checkErrorSummaryFocused(t, tb)
	}
	tb.axe("lot-1 error state (over budget)")
	// Put the expensive services back to level 1.
	for i, sv := range g.Services {
		if p[i] > 1 {
			tb.click(radioID(sv.Key, 1), true)
		}
	}

	for i, levels := range lotChoices {
		lot := i + 1
		if i > 0 {
			tb.wantPath(fmt.Sprintf("lot-%d", lot))
			axe(fmt.Sprintf("lot-%d", lot), false)
		}
		for key, level := range levels {
			tb.click(radioID(key, level), true)
		}
		next := fmt.Sprintf("lot-%d", lot+1)
		if lot == len(lotChoices) {
			next = "comments"
		}
		if lot == 1 {
			// Most of the budget is left: Continue asks once.
			if st := tb.submit("lot-1 (unspent)", continueButton); st != 422 || !tb.warned() {
				t.Fatalf("Continue at lot 1 with most of the budget unspent: status %d, warning shown %v; want 422 and the warning", st, tb.warned())
			}
			if w := tb.text("#unspent-warning"); !strings.Contains(w, "unspent") {
				t.Errorf("lot-1 unspent warning says %q", w)
			}
			for key, level := range levels {
				if !eval[bool](tb, fmt.Sprintf(`document.getElementById(%q).checked`, radioID(key, level))) {
					t.Errorf("lot-1 unspent warning: #%s is no longer chosen", radioID(key, level))
				}
			}
			tb.axe("lot-1 unspent warning")
		}
		if st := tb.continueLot(next); st != 200 {
			t.Fatalf("Continue at lot %d: status %d", lot, st)
		}
	}

	tb.wantPath("comments")
	axe("comments", false)
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("comments"), "Keep the buses, please.")); err != nil {
		t.Fatalf("type a comment: %v", err)
	}
	tb.submit("check-answers", continueButton)
	tb.wantPath("check-answers")
	axe("check-answers", true)
	check := tb.text("main")
	for _, want := range []string{"Marshby", "35 to 54", "Keep the buses, please."} {
		if !strings.Contains(check, want) {
			t.Errorf("check answers does not show %q", want)
		}
	}

	if st := tb.submit("confirmation", sendButton); st != 200 {
		t.Fatalf("send answers: status %d", st)
	}
	tb.wantPath("confirmation")
	axe("confirmation", true)
	ref := reference.FindString(tb.text(".govuk-panel"))
	if ref == "" {
		t.Fatalf("confirmation shows no reference: %q", tb.text(".govuk-panel"))
	}
	return ref
}

// checkErrorSummaryFocused fails unless the error summary has the focus,
// as GOV.UK Frontend's ErrorSummary gives it on load when scripts run.
func checkErrorSummaryFocused(t *testing.T, tb *tab) {
	t.Helper()
	const inSummary = `!!(document.activeElement && document.activeElement.closest('.govuk-error-summary'))`
	for range 40 { // up to 2s for the deferred module and its import
		if eval[bool](tb, inSummary) {
			t.Logf("error summary has the focus (%s)", tb.focus("*").Desc)
			return
		}
		if err := chromedp.Do(tb.ctx, chromedp.Sleep(50e6)); err != nil {
			t.Fatal(err)
		}
	}
	t.Errorf("after an over-budget Continue, the focus is on %s, not in .govuk-error-summary", tb.focus("*").Desc)
}

// TestJourneyWithoutJavaScript completes the Fenshire demo with scripts
// switched off, by clicking through the forms, running axe on every page
// and an error state, and checks that every request stays on the site.
func TestJourneyWithoutJavaScript(t *testing.T) {
	requireAxe(t)
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, false)
	ref := completeJourney(t, tb, journeyOptions{axeAll: true})
	if eval[bool](tb, `document.body.classList.contains('js-enabled')`) {
		t.Errorf("JavaScript ran although it was switched off")
	}
	t.Logf("confirmation reference %s; axe ran on %d pages: %s", ref, len(tb.axeRuns), strings.Join(tb.axeRuns, ", "))
	tb.checkOrigin()
}

// TestJourneyWithJavaScript completes the same journey with scripts on,
// checks that the error summary takes the focus after an over-budget
// Continue, and that every request stays on the site.
func TestJourneyWithJavaScript(t *testing.T) {
	requireAxe(t)
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	ref := completeJourney(t, tb, journeyOptions{})
	if !eval[bool](tb, `document.body.classList.contains('js-enabled')`) {
		t.Errorf("the page's script did not run (no js-enabled class on body)")
	}
	t.Logf("confirmation reference %s; axe ran on %d pages: %s", ref, len(tb.axeRuns), strings.Join(tb.axeRuns, ", "))
	tb.checkOrigin()
}

// TestKeyboardOnly completes the whole journey, from the start page to the
// confirmation, with Tab, Space and Enter alone, checking that every
// element that takes the focus shows it and is not hidden.
func TestKeyboardOnly(t *testing.T) {
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	base := "/c/" + slug
	tb.navigate("start", base)

	enter := func(next string) {
		t.Helper()
		if st := tb.load(next, "press Enter", chromedp.KeyEvent("\r")); st != 200 {
			t.Fatalf("Enter to %s: status %d", next, st)
		}
		tb.wantPath(next)
	}
	// The skip link comes first and shows when focused.
	if f := tb.focus("*"); f.Desc != "body" {
		t.Logf("focus on load: %s", f.Desc)
	}
	n := tb.tabTo(".govuk-button--start", 20)
	t.Logf("start: %d Tab presses to the Start button", n)
	enter("about-you")

	// About you: each question's radios are one Tab stop. Space selects
	// the focused radio (none is pre-selected).
	for _, q := range s.C.Questions {
		n := tb.tabTo(fmt.Sprintf("input[name=%q]", "about."+q.Key), 10)
		tb.key(" ")
		f := tb.focus(":checked")
		if !f.Matches {
			t.Errorf("about-you: Space did not select the focused radio %s", f.Desc)
		}
		t.Logf("about-you: %q reached with %d Tab presses; %s selected with Space", q.Text, n, f.Desc)
	}
	tb.tabTo(continueButton, 5)
	enter("current-service")

	tb.tabTo(continueButton, 40)
	enter("unacceptable-levels")

	// Checkboxes: Space ticks the focused one.
	tb.tabTo("#unacceptable-roads", 5)
	tb.key(" ")
	if !eval[bool](tb, `document.getElementById('unacceptable-roads').checked`) {
		t.Errorf("unacceptable-levels: Space did not tick #unacceptable-roads")
	}
	tb.tabTo(continueButton, 80)
	enter("lot-1")

	// Lot 1: the radios hold the base package. Tab must reach every
	// service's radios, each once, and then Continue; Space on Continue
	// submits the form (with JavaScript on, the live budget hides
	// Recalculate).
	tb.focused = nil
	tb.tabTo(continueButton, 60)
	groups := map[string]bool{}
	for _, d := range tb.focused {
		if i := strings.Index(d, "[name=s."); i >= 0 {
			groups[d[i:]] = true
		}
	}
	if len(groups) != len(s.C.Grid.Services) {
		t.Errorf("lot-1: Tab reached the radios of %d services, want all %d (focus went: %s)", len(groups), len(s.C.Grid.Services), strings.Join(tb.focused, " → "))
	}
	st := tb.load("lot-2", "press Space on Continue", chromedp.KeyEvent(" "))
	if st == 422 && tb.warned() { // most of the budget unspent: confirm
		tb.tabTo(continueButton, 80)
		st = tb.load("lot-2", "press Space on Continue", chromedp.KeyEvent(" "))
	}
	if st != 200 {
		t.Fatalf("Space on Continue at lot 1: status %d", st)
	}
	tb.wantPath("lot-2")

	// The rest of the journey: each lot keeps the package it starts from
	// (additive lots start from the one before), then comments, check
	// your answers and send, all with Tab and Enter.
	for lot := 2; lot <= 4; lot++ {
		next := fmt.Sprintf("lot-%d", lot+1)
		if lot == 4 {
			next = "comments"
		}
		tb.tabTo(continueButton, 80)
		if st := tb.load(next, "press Enter", chromedp.KeyEvent("\r")); st == 422 && tb.warned() {
			tb.tabTo(continueButton, 80)
		} else {
			tb.wantPath(next)
			continue
		}
		enter(next)
	}
	tb.tabTo(continueButton, 10)
	enter("check-answers")
	tb.tabTo("button.govuk-button:not([value=save])", 200)
	enter("confirmation")
	if ref := eval[string](tb, `document.querySelector('.govuk-panel__body strong')?.textContent || ''`); ref == "" {
		t.Errorf("confirmation shows no reference after a keyboard-only journey")
	}
	tb.checkOrigin()
}

// TestLotPageScreenshots saves full-page screenshots of a lot page at
// 320 px and 1280 px wide, and checks that at 320 px the page does not
// scroll sideways (WCAG 1.4.10 reflow).
func TestLotPageScreenshots(t *testing.T) {
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	walkToLot1(t, tb)
	for _, w := range []int64{320, 1280} {
		tb.screenshot(fmt.Sprintf("lot-1-%dpx.png", w), w)
		scroll := eval[int64](tb, `document.documentElement.scrollWidth`)
		if scroll > w {
			t.Errorf("lot-1 at %d px: the page is %d px wide and scrolls sideways", w, scroll)
		}
	}
}

// walkToLot1 clicks Start and Continue up to lot 1.
func walkToLot1(t *testing.T, tb *tab) {
	t.Helper()
	tb.navigate("start", "/c/"+slug)
	tb.submit("about-you", ".govuk-button--start")
	tb.submit("current-service", continueButton)
	tb.submit("unacceptable-levels", continueButton)
	tb.submit("lot-1", continueButton)
	tb.wantPath("lot-1")
}

// maxFirstLoad is issue 4's budget for a lot page's first load: HTML, CSS
// and JS, compressed, headers included.
const maxFirstLoad = 100_000

// TestLotPageBytes loads a lot page with an empty cache and again with a
// warm one, logs the bytes each transferred and fails if the first is
// over 100 KB.
func TestLotPageBytes(t *testing.T) {
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	walkToLot1(t, tb)
	if _, err := chromedp.Call(tb.ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatalf("clear cache: %v", err)
	}
	tb.navigate("lot-1 first load", "/c/"+slug+"/lot-1")
	first := tb.current()
	tb.navigate("lot-1 repeat load", "/c/"+slug+"/lot-1")
	repeat := tb.current()
	for _, p := range []*pageLog{first, repeat} {
		var parts []string
		for _, r := range p.Requests {
			parts = append(parts, fmt.Sprintf("%s %.0f B", strings.TrimPrefix(r.URL, s.URL), r.Bytes))
		}
		t.Logf("%s: %.0f bytes in %d requests (%s)", p.Name, p.Bytes(), len(p.Requests), strings.Join(parts, "; "))
	}
	if first.Bytes() > maxFirstLoad {
		t.Errorf("first load of a lot page transferred %.0f bytes, over the %d-byte budget", first.Bytes(), maxFirstLoad)
	}
	if first.Bytes() == 0 {
		t.Errorf("first load recorded no bytes: the network listener is not working")
	}
	tb.checkOrigin()
}
