package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axePath is axe-core's browser build, installed by `cd .ci && npm ci`,
// relative to this package's folder (where go test runs).
var axePath = filepath.Join("..", ".ci", "node_modules", "axe-core", "axe.min.js")

// axeSource reads axe-core once per test binary.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(axePath)
	return string(b), err
})

// requireAxe checks that axe-core is installed before a test starts work.
func requireAxe(t *testing.T) {
	t.Helper()
	if _, err := axeSource(); err != nil {
		missing(t, "axe-core not found at %s (run `cd .ci && npm ci`): %v", axePath, err)
	}
}

// axeViolation is one failed axe rule with the elements that fail it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  json.RawMessage `json:"target"`
		Summary string          `json:"summary"`
	} `json:"nodes"`
}

// axeRun runs the WCAG 2.2 A and AA rule sets (axe files each rule under
// the version that introduced it).
const axeRun = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
  resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
})))`

// runAxe injects axe-core into the page the tab shows (through DevTools,
// which the page's CSP does not govern), runs the WCAG 2.2 A/AA rules and
// fails listing every violation: rule, impact, help and each element's
// selector.
func runAxe(ctx context.Context, t *testing.T, pageName string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		missing(t, "axe-core not found at %s (run `cd .ci && npm ci`): %v", axePath, err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err != nil {
		t.Fatalf("axe on %s: %v", pageName, err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			t.Fatalf("axe on %s: inject axe-core: %v", pageName, err)
		}
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: run: %v", pageName, err)
	}
	if len(vs) == 0 {
		t.Logf("axe: %s: no WCAG 2.2 A/AA violations", pageName)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "axe: %s: %d WCAG 2.2 A/AA violation(s):", pageName, len(vs))
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  [%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s", n.Target)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
			}
		}
	}
	t.Error(b.String())
}

// axe runs axe on the tab's current page. With JavaScript off, axe's
// promise would never settle (timers do not run), so scripts are switched
// on for the run only: the page's own scripts, skipped when it loaded, do
// not run, and the page stays as a browser without JavaScript shows it.
func (tb *tab) axe(pageName string) {
	tb.t.Helper()
	tb.axeRuns = append(tb.axeRuns, pageName)
	if !tb.js {
		tb.scripts(true)
		defer tb.scripts(false)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	runAxe(ctx, tb.t, pageName)
}
