package browser

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// watchBudget installs, in the page, timing of the live budget bar: the
// time of the last pointerdown, and of the first frame painted after the
// bar's Spent figure changed; and a count of the aria-live region's
// updates.
const watchBudget = `(() => {
  const w = window.__bg = {t0: 0, frame: 0, announcements: 0};
  document.addEventListener('pointerdown', () => { w.t0 = performance.now(); w.frame = 0; }, {capture: true});
  new MutationObserver(() => { requestAnimationFrame(() => { if (!w.frame) w.frame = performance.now(); }); })
    .observe(document.querySelector('[data-bg=spent]'), {childList: true, characterData: true, subtree: true});
  new MutationObserver(() => { w.announcements++; })
    .observe(document.querySelector('[data-bg=status]'), {childList: true, characterData: true, subtree: true});
  return true;
})()`

// TestLiveBudget watches the budget bar follow the radios with JavaScript
// on: the points spent and left, the over-budget warning, one polite
// announcement for a burst of changes, and the time from a click to the
// updated bar on screen.
func TestLiveBudget(t *testing.T) {
	requireAxe(t)
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	walkToLot1(t, tb)
	g := s.C.Grid
	budget := s.C.Plan().Budgets[0]

	if !eval[bool](tb, `document.querySelector('[data-bg=recalculate]').hidden`) {
		t.Errorf("lot-1: Recalculate is still shown with JavaScript on")
	}
	if live := eval[string](tb, `document.querySelector('[data-bg=status]').getAttribute('aria-live')`); live != "polite" {
		t.Errorf("lot-1: the budget's status region has aria-live=%q, want polite", live)
	}
	eval[bool](tb, watchBudget)

	spent := func() string { return tb.text("[data-bg=spent]") }
	waitFrame := func(what string) float64 {
		t.Helper()
		for range 100 {
			if ms := eval[float64](tb, `window.__bg.frame ? window.__bg.frame - window.__bg.t0 : -1`); ms >= 0 {
				return ms
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("lot-1: the budget bar did not change after %s (Spent shows %q)", what, spent())
		return 0
	}

	// Each click moves Spent to the package's cost, without a request.
	p := g.BasePackage()
	var times []float64
	for _, c := range []struct {
		key   string
		level int
	}{{"roads", 3}, {"streetlights", 2}, {"roads", 2}, {"buses", 3}} {
		tb.begin("lot-1 (" + c.key + ")")
		start := time.Now()
		tb.click(radioID(c.key, c.level), true)
		ms := waitFrame("clicking #" + radioID(c.key, c.level))
		wall := time.Since(start)
		p[g.ServiceIndex(c.key)] = c.level
		cost, _ := g.Cost(p)
		if got := spent(); !strings.HasPrefix(got, fmt.Sprint(cost)+" ") {
			t.Errorf("lot-1: after choosing %s level %d, Spent shows %q, want %d points", c.key, c.level, got, cost)
		}
		if left := tb.text("[data-bg=left]"); !strings.HasPrefix(left, fmt.Sprint(budget-cost)+" ") {
			t.Errorf("lot-1: after choosing %s level %d, Left shows %q, want %d points", c.key, c.level, left, budget-cost)
		}
		if n := len(tb.current().Requests); n > 0 {
			t.Errorf("lot-1: choosing a level made %d requests; the bar should update in the page", n)
		}
		times = append(times, ms)
		t.Logf("click on #%s → bar painted in %.1f ms (page clock: pointerdown to the first frame after the change); %.0f ms as the test sees it", radioID(c.key, c.level), ms, float64(wall.Microseconds())/1000)
	}
	slices.Sort(times)
	t.Logf("radio click to updated budget bar: median %.1f ms, max %.1f ms over %d clicks", times[len(times)/2], times[len(times)-1], len(times))

	// A burst of changes is announced once, after it settles.
	time.Sleep(700 * time.Millisecond)
	eval[bool](tb, `(window.__bg.announcements = 0, true)`)
	tb.click(radioID("libraries", 2), true)
	tb.click(radioID("libraries", 3), true)
	time.Sleep(900 * time.Millisecond)
	p[g.ServiceIndex("libraries")] = 3
	cost, _ := g.Cost(p)
	if n := eval[int](tb, `window.__bg.announcements`); n != 1 {
		t.Errorf("lot-1: two quick changes made %d announcements in the live region, want 1", n)
	}
	if st := tb.text("[data-bg=status]"); !strings.Contains(st, fmt.Sprint(cost)) {
		t.Errorf("lot-1: the live region says %q, which does not give the new total %d", st, cost)
	}

	// Over budget, the bar says so in words and colour.
	over, _, _ := overBudget(t, s)
	for i, sv := range g.Services {
		if over[i] > 1 {
			tb.click(radioID(sv.Key, over[i]), true)
		}
	}
	// The services the over-budget package leaves at level 1 keep the
	// levels chosen above.
	for i := range p {
		if over[i] == 1 {
			over[i] = p[i]
		}
	}
	overCost, _ := g.Cost(over)
	time.Sleep(100 * time.Millisecond)
	if !eval[bool](tb, `document.querySelector('[data-bg=panel]').classList.contains('bg-budget--over')`) {
		t.Errorf("lot-1: over budget (%d points), the panel is not marked bg-budget--over", overCost)
	}
	warn := tb.text("[data-bg=over]")
	if eval[bool](tb, `document.querySelector('[data-bg=over]').hidden`) || !strings.Contains(warn, fmt.Sprint(overCost-budget)) {
		t.Errorf("lot-1: over budget by %d points, the warning shows %q", overCost-budget, warn)
	}
	tb.axe("lot-1 (live budget, over budget)")
	tb.checkOrigin()
}

// resumeCode is the shape of a resume code: 3 groups of 4 characters with
// no 0, O, 1, I or L.
var resumeCode = regexp.MustCompile(`^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$`)

// TestSaveAndResume saves at lot 1 on one device (JavaScript on), resumes
// with the code on another (a fresh browser context, JavaScript off),
// finishes there, and checks that the code then stops working.
func TestSaveAndResume(t *testing.T) {
	requireAxe(t)
	browser := startBrowser(t)
	s := startSite(t)
	first := newTab(t, browser, s, true)
	walkToLot1(t, first)
	first.click(radioID("roads", 3), true)
	first.click(radioID("streetlights", 2), true)
	if st := first.submit("saved", "button[value=save]"); st != 200 {
		t.Fatalf("Save and come back later: status %d", st)
	}
	first.wantPath("saved")
	first.axe("saved (resume code)")
	code := strings.TrimSpace(first.text("#resume-code"))
	if !resumeCode.MatchString(code) {
		t.Fatalf("resume code %q is not 3 groups of 4 unambiguous characters", code)
	}
	if link := eval[string](first, `(document.querySelector('a[href*="/resume/"]') || {}).href || ""`); !strings.HasSuffix(link, "/c/"+slug+"/resume/"+code) {
		t.Errorf("saved page: resume link %q does not carry the code %s", link, code)
	}
	t.Logf("resume code %s", code)

	// Another device: a wrong code first, then the right one.
	other := newTab(t, browser, s, false)
	other.navigate("resume", "/c/"+slug+"/resume")
	other.axe("resume")
	enterCode := func(tb *tab, name, typed string) int64 {
		t.Helper()
		eval[string](tb, `document.getElementById('code').value = ''`) // SetValue needs page scripts
		if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("code"), typed)); err != nil {
			t.Fatalf("%s: type the code: %v", name, err)
		}
		return tb.submit(name, `form[action$="/resume"] button[type=submit]`)
	}
	if st := enterCode(other, "resume (unknown code)", "ABCD-EFGH-JKMN"); st != 422 {
		t.Errorf("an unknown resume code: status %d, want 422", st)
	}
	if other.text(".govuk-error-summary") == "" {
		t.Errorf("an unknown resume code shows no error summary")
	}
	other.axe("resume error state (unknown code)")

	// The start page's "I have a resume code", typed in lower case with
	// spaces, as someone reading it aloud might.
	other.navigate("start", "/c/"+slug)
	if err := chromedp.Do(other.ctx, chromedp.Click(chromedp.CSS(".govuk-details__summary"))); err != nil {
		t.Fatalf("open the resume details: %v", err)
	}
	if st := enterCode(other, "lot-1 (resumed)", strings.ToLower(strings.ReplaceAll(code, "-", " "))); st != 200 {
		t.Fatalf("resume with the code: status %d", st)
	}
	// Saved at lot 1, the resident stopped there, so resuming opens lot 1.
	if got := other.path(); got != "/c/"+slug+"/lot-1" {
		t.Errorf("saved at lot-1 (without pressing Continue), resuming opens %s, want /c/%s/lot-1: the resident does not come back where they stopped", got, slug)
		other.navigate("lot-1 (resumed, by URL)", "/c/"+slug+"/lot-1")
	}
	for _, id := range []string{radioID("roads", 3), radioID("streetlights", 2)} {
		if !eval[bool](other, fmt.Sprintf(`document.getElementById(%q).checked`, id)) {
			t.Errorf("resumed lot-1: #%s is not chosen as it was when saved", id)
		}
	}
	for lot := 1; lot <= len(lotChoices); lot++ {
		next := fmt.Sprintf("lot-%d", lot+1)
		if lot == len(lotChoices) {
			next = "comments"
		}
		other.continueLot(next)
		other.wantPath(next)
	}
	other.submit("check-answers", continueButton)
	other.wantPath("check-answers")
	other.submit("confirmation", sendButton)
	other.wantPath("confirmation")
	if ref := reference.FindString(other.text(".govuk-panel")); ref == "" {
		t.Errorf("confirmation after resuming shows no reference")
	}

	// Submitted: the code no longer works, on either device.
	first.navigate("resume (after submission)", "/c/"+slug+"/resume/"+code)
	if st := enterCode(first, "resume (code after submission)", code); st != 422 {
		t.Errorf("the resume code still works after submission: status %d, want 422", st)
	}
	first.checkOrigin()
	other.checkOrigin()
}

// TestWelshMidJourney switches to Welsh part way through, checks the
// answers stay and the page's language is declared, and switches back.
func TestWelshMidJourney(t *testing.T) {
	requireAxe(t)
	browser := startBrowser(t)
	s := startSite(t)
	if !s.C.Offers("cy") {
		t.Fatalf("the Fenshire demo does not offer Welsh")
	}
	tb := newTab(t, browser, s, true)
	lang := func() string { return eval[string](tb, `document.documentElement.lang`) }

	tb.navigate("start", "/c/"+slug)
	if l := lang(); l != "en" {
		t.Errorf("start page: lang=%q, want en", l)
	}
	tb.submit("about-you", ".govuk-button--start")
	tb.click("about-area-marshby", true)
	tb.click("about-age_band-35-54", true)
	tb.submit("current-service", continueButton)
	tb.click("current-roads-3", true)

	// Switch to Welsh on current-service: the page's answer so far is not
	// posted, but everything saved stays.
	tb.submit("current-service (cy)", `a.bg-lang__link[hreflang=cy]`)
	tb.wantPath("current-service")
	if l := lang(); l != "cy" {
		t.Errorf("after switching to Welsh: lang=%q, want cy", l)
	}
	if got := tb.text(continueButton); got != "Parhau" {
		t.Errorf("Welsh Continue button says %q, want Parhau", got)
	}
	roads := s.C.Grid.Services[0]
	if cy := roads.Translations["cy"].Name; cy != "" && !strings.Contains(tb.text("main"), cy) {
		t.Errorf("Welsh current-service page does not name %q as %q", roads.Name, cy)
	}
	tb.axe("current-service (Welsh)")

	tb.submit("about-you (cy)", ".govuk-back-link")
	tb.wantPath("about-you")
	if l := lang(); l != "cy" {
		t.Errorf("about-you after the switch: lang=%q, want cy (the choice should stick)", l)
	}
	for _, id := range []string{"about-area-marshby", "about-age_band-35-54"} {
		if !eval[bool](tb, fmt.Sprintf(`document.getElementById(%q).checked`, id)) {
			t.Errorf("about-you in Welsh: #%s lost (chosen in English)", id)
		}
	}
	tb.submit("current-service (cy)", continueButton)
	tb.submit("unacceptable-levels (cy)", continueButton)
	tb.submit("lot-1 (cy)", continueButton)
	tb.wantPath("lot-1")
	tb.axe("lot-1 (Welsh)")
	tb.click(radioID("roads", 3), true)
	tb.continueLot("lot-2 (cy)")
	tb.wantPath("lot-2")

	// And back to English: lot 1's choice carries into lot 2.
	tb.submit("lot-2 (en)", `button.bg-lang__link[lang=en]`)
	tb.wantPath("lot-2")
	if l := lang(); l != "en" {
		t.Errorf("after switching back to English: lang=%q, want en", l)
	}
	if !eval[bool](tb, fmt.Sprintf(`document.getElementById(%q).checked`, radioID("roads", 3))) {
		t.Errorf("lot-2 in English: roads is not at level 3, chosen at lot 1 in Welsh")
	}
	tb.checkOrigin()
}
