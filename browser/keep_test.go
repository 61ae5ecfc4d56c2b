package browser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// checkedCost is the points of the radios checked on a lot page, from the
// page's own grid data: what the budget bar must say.
const checkedCost = `(() => {
  const data = JSON.parse(document.querySelector('[data-bg=data]').textContent);
  let total = 0;
  for (const sv of data.grid.services) {
    const r = document.querySelector('input[name="s.' + sv.key + '"]:checked');
    if (r) total += sv.levels[Number(r.value) - 1].points;
  }
  return total;
})()`

// wantBarAgrees fails unless the bar's Spent figure is the cost of the
// radios on screen.
func wantBarAgrees(t *testing.T, tb *tab, when string) {
	t.Helper()
	cost := eval[int](tb, checkedCost)
	if got := tb.text("[data-bg=spent]"); !strings.HasPrefix(got, fmt.Sprint(cost)+" ") {
		t.Errorf("%s: the budget bar says Spent %q, but the radios on screen cost %d points", when, got, cost)
	}
}

// TestBudgetBarOnShow: the bar agrees with the radios when the page is
// shown again by Back/Forward (the browser may restore radios the server
// did not render) and when the back/forward cache restores it (pageshow).
func TestBudgetBarOnShow(t *testing.T) {
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	walkToLot1(t, tb)
	wantBarAgrees(t, tb, "lot-1 as loaded")
	tb.click(radioID("roads", 4), true)
	wantBarAgrees(t, tb, "lot-1 after a click")

	// Away and back through the history.
	tb.navigate("start", "/c/"+slug)
	tb.load("lot-1 (back)", "history back", chromedp.NavigateBack())
	tb.wantPath("lot-1")
	wantBarAgrees(t, tb, "lot-1 after Back")

	// A restore from the back/forward cache fires pageshow, not change,
	// after the browser has put back the radios as they were.
	eval[bool](tb, `(() => {
  document.getElementById('`+radioID("libraries", 3)+`').checked = true;
  window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}));
  return true;
})()`)
	wantBarAgrees(t, tb, "lot-1 restored from the back/forward cache")
	tb.checkOrigin()
}

// TestLanguageSwitchKeepsChoices: switching language on a lot page keeps
// the choices not yet saved and comes back to the service on screen.
func TestLanguageSwitchKeepsChoices(t *testing.T) {
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	walkToLot1(t, tb)
	tb.click(radioID("roads", 4), true)
	tb.click(radioID("youth", 3), true)
	want := eval[int](tb, checkedCost)
	tb.submit("lot-1 (cy)", `button.bg-lang__link[lang=cy]`)
	tb.wantPath("lot-1")
	if l := eval[string](tb, `document.documentElement.lang`); l != "cy" {
		t.Errorf("after the switch: lang=%q, want cy", l)
	}
	for _, id := range []string{radioID("roads", 4), radioID("youth", 3)} {
		if !eval[bool](tb, fmt.Sprintf(`document.getElementById(%q).checked`, id)) {
			t.Errorf("after the switch: #%s is no longer chosen", id)
		}
	}
	if got := eval[int](tb, checkedCost); got != want {
		t.Errorf("after the switch the choices cost %d points, before %d", got, want)
	}
	wantBarAgrees(t, tb, "lot-1 in Welsh")
	if h := eval[string](tb, `location.hash`); h != "#group-youth" {
		t.Errorf("after the switch the page is at %q, want #group-youth (the service on screen)", h)
	}
	tb.checkOrigin()
}

// warned reports whether the page shows the unspent-budget warning.
func (tb *tab) warned() bool {
	return eval[bool](tb, `!!document.getElementById('unspent-warning')`)
}

// continueLot presses a lot page's Continue and, when the page asks the
// resident to confirm a mostly unspent budget, presses it again; it
// returns the status of the page it ends on.
func (tb *tab) continueLot(next string) int64 {
	tb.t.Helper()
	st := tb.submit(next, continueButton)
	if st == 422 && tb.warned() {
		st = tb.submit(next, continueButton)
	}
	return st
}

// TestLockedAndOverContrast: at 360 px, locked levels are not faded (GOV.UK
// Frontend halves a disabled radio's opacity, 2.3:1) and the over-budget
// message is dark enough on the bar (4.5:1 or more).
func TestLockedAndOverContrast(t *testing.T) {
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	if _, err := chromedp.Call(tb.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 360, Height: 800, DeviceScaleFactor: 1, Mobile: true,
	}); err != nil {
		t.Fatalf("set viewport 360: %v", err)
	}
	walkToLot1(t, tb)
	tb.click(radioID("roads", 4), true)
	tb.continueLot("lot-2")
	tb.wantPath("lot-2")
	contrast := `(sel) => {
  const el = document.querySelector(sel);
  if (!el) return -1;
  const lum = (c) => { const v = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  let bg = 'rgb(255, 255, 255)';
  for (let e = el; e; e = e.parentElement) { const b = getComputedStyle(e).backgroundColor; if (b && b !== 'rgba(0, 0, 0, 0)' && b !== 'transparent') { bg = b; break; } }
  const op = Number(getComputedStyle(el).opacity);
  const fg = lum(getComputedStyle(el).color), bl = lum(bg);
  // Opacity blends the text toward its background.
  const eff = op * fg + (1 - op) * bl;
  return (Math.max(eff, bl) + 0.05) / (Math.min(eff, bl) + 0.05);
}`
	locked := eval[float64](tb, `(`+contrast+`)('.bg-level--locked .govuk-radios__label')`)
	if locked < 4.5 {
		t.Errorf("lot-2 at 360 px: a locked level's label has contrast %.2f:1, want 4.5:1 or more", locked)
	}
	eval[bool](tb, `(() => { for (const r of document.querySelectorAll('input[type=radio]:not(:disabled)')) { if (r.value === '5') { r.checked = true; r.dispatchEvent(new Event('change', {bubbles: true})); } } return true; })()`)
	over := eval[float64](tb, `(`+contrast+`)('[data-bg=over]')`)
	if over < 4.5 {
		t.Errorf("lot-2 at 360 px: the over-budget message has contrast %.2f:1, want 4.5:1 or more", over)
	}
}

// TestNewPagesAxe runs axe-core on the pages this round of work added or
// changed (information pages, Start again, the unspent warning, the
// language switch button) at 320, 360 and 1280 px, with JavaScript on and
// off.
func TestNewPagesAxe(t *testing.T) {
	requireAxe(t)
	browser := startBrowser(t)
	s := startSite(t)
	for _, js := range []bool{true, false} {
		tb := newTab(t, browser, s, js)
		walkToLot1(t, tb)
		tb.click(radioID("roads", 3), true)
		if st := tb.submit("lot-1 (unspent)", continueButton); st != 422 || !tb.warned() {
			t.Fatalf("js %v: no unspent warning (status %d)", js, st)
		}
		pages := []string{"/c/" + slug + "/lot-1", "/c/" + slug + "/start-again?from=lot-1", "/accessibility", "/cookies", "/c/" + slug + "/privacy"}
		for _, w := range []int64{320, 360, 1280} {
			if _, err := chromedp.Call(tb.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600,
			}); err != nil {
				t.Fatal(err)
			}
			if w == 320 {
				tb.axe(fmt.Sprintf("lot-1 unspent warning (js %v, %d px)", js, w))
			}
			for _, p := range pages[1:] {
				tb.navigate(p, p)
				tb.axe(fmt.Sprintf("%s (js %v, %d px)", p, js, w))
			}
			tb.navigate("lot-1", pages[0])
			tb.axe(fmt.Sprintf("lot-1 (js %v, %d px)", js, w))
		}
		tb.checkOrigin()
	}
}
