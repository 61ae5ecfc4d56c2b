// Package browser holds budgetgrid's browser tests: a real server on a
// loopback port and Debian's Chromium driven with chromedp. They walk the
// resident's journey with JavaScript on and off and by keyboard alone,
// watch the live budget bar, save and resume in another browser context,
// switch to Welsh mid-journey, check pages with axe-core against WCAG 2.2
// A/AA, keep every request on the page's own origin with no console
// errors, take screenshots at 320 px and 1280 px, and measure the bytes a
// lot page costs on a first and a repeat load.
//
// The tests need Chromium (/usr/bin/chromium, or the path in CHROMIUM) and
// axe-core (installed by `cd .ci && npm ci`). Without them they skip, unless
// CI=true, when they fail. Run them with
//
//	mkdir -p /tmp/budgetgrid-artifacts
//	go test ./browser/ -v -count=1 -artifacts -outputdir=/tmp/budgetgrid-artifacts
//
// to keep the screenshots (without -artifacts they go to a temporary folder
// that the test removes).
package browser
