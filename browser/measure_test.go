package browser

import (
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestPhoneJourneyLength walks the demo journey on a 360 × 640 phone with
// JavaScript on, as a resident who answers a little on each page, and
// logs its length: screens (each page's scroll height over the viewport's
// height, summed over pages), clicks (radios, boxes, buttons and links),
// and the check page's Change links. It measures; it asserts only that
// the journey completes.
func TestPhoneJourneyLength(t *testing.T) {
	browser := startBrowser(t)
	s := startSite(t)
	tb := newTab(t, browser, s, true)
	if _, err := chromedp.Call(tb.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 360, Height: 640, DeviceScaleFactor: 1, Mobile: true,
	}); err != nil {
		t.Fatal(err)
	}
	screens, clicks, pages := 0.0, 0, 0
	measure := func() {
		t.Helper()
		h := eval[float64](tb, `document.documentElement.scrollHeight / window.innerHeight`)
		t.Logf("%-22s %5.1f screens", tb.path(), h)
		screens += h
		pages++
	}
	press := func(name, sel string) {
		t.Helper()
		clicks++
		tb.submit(name, sel)
		measure()
	}
	choose := func(id string) {
		t.Helper()
		clicks++
		tb.click(id, true)
	}
	tb.navigate("start", "/c/"+slug)
	measure()
	press("about-you", ".govuk-button--start")
	choose("about-area-marshby")
	choose("about-age_band-35-54")
	press("current-service", continueButton)
	choose("current-roads-3")
	press("unacceptable-levels", continueButton)
	choose("unacceptable-roads")
	press("lot-1", continueButton)
	for i, levels := range lotChoices {
		for key, level := range levels {
			choose(radioID(key, level))
		}
		next := fmt.Sprintf("lot-%d", i+2)
		if i == len(lotChoices)-1 {
			next = "comments"
		}
		press(next, continueButton)
		if eval[bool](tb, `!!document.getElementById('unspent-warning')`) {
			press(next, continueButton)
		}
	}
	tb.wantPath("comments")
	press("check-answers", continueButton)
	tb.wantPath("check-answers")
	changes := eval[int](tb, `[...document.querySelectorAll('main a')].filter(a => a.textContent.trim().startsWith('Change')).length`)
	press("confirmation", sendButton)
	tb.wantPath("confirmation")
	t.Logf("phone journey at 360 px: %.0f screens over %d pages, %d clicks; check page: %d Change links", screens, pages, clicks, changes)
}
