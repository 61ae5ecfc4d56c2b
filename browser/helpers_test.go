package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// journeyTimeout bounds each journey: a page that never loads fails the
// test instead of hanging the run.
const journeyTimeout = 60 * time.Second

// slug is the Fenshire demo consultation's.
const slug = "fenshire-2027"

// missing skips the test with a clear message, or fails it in CI, where
// .ci/run installs everything these tests need.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true, so this is a failure, not a skip)", msg)
	}
	t.Skipf("skipping browser test: %s", msg)
}

// chromiumPath finds Chromium: $CHROMIUM, else Debian's /usr/bin/chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	found, err := exec.LookPath(p)
	if err != nil {
		missing(t, "Chromium not found at %s (apt-get install chromium, or set CHROMIUM to its path): %v", p, err)
	}
	return found
}

// site is a real budgetgrid server on a loopback port, with the Fenshire
// demo loaded into a temp-file SQLite database.
type site struct {
	URL string // http://127.0.0.1:PORT, no trailing slash
	C   *consult.Consultation
}

func startSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "budgetgrid.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	c, err := demo.Fenshire()
	if err != nil {
		t.Fatalf("demo consultation: %v", err)
	}
	if err := store.CreateConsultation(ctx, c); err != nil {
		t.Fatalf("load demo consultation: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := web.New(ctx, web.Config{Store: store, Logger: logger})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return &site{URL: "http://" + ln.Addr().String(), C: c}
}

// testWriter sends the server's warnings and errors to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("server: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}

// startBrowser starts one headless Chromium for a test function; tabs
// (each in a fresh browser context) come from newTab. It skips or fails
// when Chromium is missing.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	profile := t.TempDir() // removed after the browser has exited (cleanups run last-in first-out)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Do starts the browser and binds it to ctx, which has no
	// deadline; journeys put their timeouts on the tabs.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium (%s): %v", path, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Chromium (%s) did not start in 30s", path)
	}
	return ctx
}

// request is one network request a tab made.
type request struct {
	URL   string
	Type  network.ResourceType
	Bytes float64 // encoded bytes received, headers included
	Done  bool
}

// pageLog is what the tab fetched while one page loaded and was used.
type pageLog struct {
	Name     string
	Requests []*request
}

// Bytes is the total encoded bytes the page's requests received.
func (p *pageLog) Bytes() float64 {
	var n float64
	for _, r := range p.Requests {
		n += r.Bytes
	}
	return n
}

// tab is one browser tab in its own browser context (its own cookies and
// storage, like another device), with a journey's timeout, recording every
// request by page.
type tab struct {
	t      *testing.T
	ctx    context.Context
	site   *site
	origin string
	js     bool

	mu       sync.Mutex
	pages    []*pageLog
	byID     map[network.RequestID]*request
	lastReq  time.Time
	axeRuns  []string
	focused  []string // what Tab has focused, in order
	problems []string // console errors and uncaught exceptions
}

// newTab opens a tab in a fresh browser context; with js false, scripts
// are switched off for every page it loads.
func newTab(t *testing.T, browser context.Context, s *site, js bool) *tab {
	t.Helper()
	tb := &tab{t: t, site: s, origin: s.URL, js: js, byID: map[network.RequestID]*request{}}
	tb.pages = []*pageLog{{Name: "(blank)"}}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.listen))
	t.Cleanup(cancel)
	tctx, tcancel := context.WithTimeout(ctx, journeyTimeout)
	t.Cleanup(tcancel)
	tb.ctx = tctx
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	if _, err := chromedp.Call(tctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("network.enable: %v", err)
	}
	if !js {
		tb.scripts(false)
	}
	return tb
}

// listen runs in the tab's event loop: it must return fast.
func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r := &request{URL: ev.Request.URL, Type: ev.Type}
		if old := tb.byID[ev.RequestID]; old != nil {
			old.Done = true // redirected: the new request carries on
		}
		tb.byID[ev.RequestID] = r
		p := tb.pages[len(tb.pages)-1]
		p.Requests = append(p.Requests, r)
		tb.lastReq = time.Now()
	case *network.EventLoadingFinished:
		if r := tb.byID[ev.RequestID]; r != nil {
			r.Bytes += ev.EncodedDataLength
			r.Done = true
			tb.lastReq = time.Now()
		}
	case *cdplog.EventEntryAdded:
		// CSP refusals and other errors the console shows. Failed loads
		// (source network: a 422 error page, the favicon's 404) are the
		// server's answers, checked by the journeys themselves.
		if ev.Entry.Level == cdplog.EntryLevelError && ev.Entry.Source != cdplog.EntrySourceNetwork {
			tb.problems = append(tb.problems, fmt.Sprintf("page %s: console %s error: %s %s", tb.pages[len(tb.pages)-1].Name, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		tb.problems = append(tb.problems, fmt.Sprintf("page %s: uncaught exception at %s:%d: %s", tb.pages[len(tb.pages)-1].Name, d.URL, d.LineNumber+1, text))
	case *network.EventLoadingFailed:
		if r := tb.byID[ev.RequestID]; r != nil {
			r.Done = true
			tb.lastReq = time.Now()
		}
	}
}

// begin starts recording requests under a new page name.
func (tb *tab) begin(name string) *pageLog {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	p := &pageLog{Name: name}
	tb.pages = append(tb.pages, p)
	return p
}

// current returns the page being recorded.
func (tb *tab) current() *pageLog {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.pages[len(tb.pages)-1]
}

// waitIdle waits until every request started has finished and none has
// started or finished for a moment (a module script's import, say), for
// at most 5 seconds.
func (tb *tab) waitIdle() {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tb.mu.Lock()
		busy := false
		for _, r := range tb.pages[len(tb.pages)-1].Requests {
			if !r.Done {
				busy = true
			}
		}
		quiet := time.Since(tb.lastReq) > 150*time.Millisecond
		tb.mu.Unlock()
		if !busy && quiet {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	tb.t.Logf("page %q: network not idle after 5s", tb.current().Name)
}

// navigate loads path on the site as page name and returns the status.
func (tb *tab) navigate(name, path string) int64 {
	tb.t.Helper()
	tb.begin(name)
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(tb.origin+path))
	if err != nil {
		tb.t.Fatalf("%s: navigate to %s: %v", name, path, err)
	}
	tb.waitIdle()
	return resp.Status
}

// submit clicks the element a CSS selector finds (a submit button, a
// link) and waits for the page it leads to, recorded as page name; it
// returns that page's status.
func (tb *tab) submit(name, sel string) int64 {
	tb.t.Helper()
	return tb.load(name, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// load runs an action that makes the page navigate, and waits for the new
// page, recorded as page name.
func (tb *tab) load(name, what string, a chromedp.Action[chromedp.Void]) int64 {
	tb.t.Helper()
	tb.begin(name)
	resp, err := chromedp.RunResponse(tb.ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %s: %v", name, what, err)
	}
	if resp == nil {
		tb.t.Fatalf("%s: %s: no response", name, what)
	}
	tb.waitIdle()
	return resp.Status
}

// click clicks the element with the given id (a radio, a checkbox) and
// fails unless it is then checked as wanted.
func (tb *tab) click(id string, wantChecked bool) {
	tb.t.Helper()
	// Scroll it to the middle of the window first, as a person would, so
	// that the sticky budget bar does not cover it.
	hit := eval[string](tb, fmt.Sprintf(`(() => {
  const e = document.getElementById(%q);
  if (!e) return 'missing';
  e.scrollIntoView({block: 'center'});
  const r = e.getBoundingClientRect();
  const h = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return h ? h.tagName.toLowerCase() + (h.id ? '#' + h.id : '') + [...h.classList].map(c => '.' + c).join('') : 'nothing';
})()`, id))
	if hit == "missing" {
		tb.t.Fatalf("%s: no element #%s", tb.current().Name, id)
	}
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		tb.t.Fatalf("%s: click #%s: %v", tb.current().Name, id, err)
	}
	got := eval[bool](tb, fmt.Sprintf(`document.getElementById(%q).checked`, id))
	if got != wantChecked {
		tb.t.Fatalf("%s: after clicking #%s, checked = %v, want %v (the element at its centre before the click: %s)", tb.current().Name, id, got, wantChecked, hit)
	}
}

// path returns the path of the page the tab shows.
func (tb *tab) path() string {
	tb.t.Helper()
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tb.t.Fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// wantPath fails unless the tab shows the consultation's page stage
// ("" for the start page).
func (tb *tab) wantPath(stage string) {
	tb.t.Helper()
	want := "/c/" + slug
	if stage != "" {
		want += "/" + stage
	}
	if got := tb.path(); got != want {
		tb.t.Fatalf("on page %s, want %s", got, want)
	}
}

// eval evaluates a JavaScript expression in the page (through DevTools, so
// it runs whatever the page's CSP or the tab's JavaScript setting) and
// decodes its result.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s: evaluate %.80q: %v", tb.current().Name, expr, err)
	}
	return v
}

// text returns the text of the first element matching a CSS selector, or
// "" when there is none.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel))
}

// checkOrigin fails for every request of every page so far that went
// anywhere but the site's own origin (data: URLs, inline images in CSS,
// fetch nothing, so they pass), and for every console error (a CSP
// refusal, a failed load) or uncaught exception.
func (tb *tab) checkOrigin() {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	n, away := 0, 0
	for _, p := range tb.pages {
		for _, r := range p.Requests {
			n++
			if strings.HasPrefix(r.URL, "data:") {
				continue
			}
			u, err := url.Parse(r.URL)
			if err != nil || u.Scheme+"://"+u.Host != tb.origin {
				away++
				tb.t.Errorf("page %s: request to another origin: %s (%s)", p.Name, r.URL, r.Type)
			}
		}
	}
	if n == 0 {
		tb.t.Errorf("no requests recorded: the network listener is not working")
	}
	for _, p := range tb.problems {
		tb.t.Errorf("%s", p)
	}
	tb.t.Logf("origin check: %d requests over %d pages, %d of them to other origins than %s; %d console errors", n, len(tb.pages)-1, away, tb.origin, len(tb.problems))
}

// screenshot sets the viewport width (CSS px) and saves a full-page PNG
// into the test's artifact folder, returning its path.
func (tb *tab) screenshot(name string, width int64) string {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 600,
	}); err != nil {
		tb.t.Fatalf("set viewport %d: %v", width, err)
	}
	// Let layout settle at the new width.
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)); err != nil {
		tb.t.Fatalf("wait for layout at %d px: %v", width, err)
	}
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(tb.t.ArtifactDir(), name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot at %d px: %s (%d bytes)", width, path, len(buf))
	return path
}

// scripts switches JavaScript on or off for the tab.
func (tb *tab) scripts(on bool) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		tb.t.Fatalf("switch JavaScript on=%v: %v", on, err)
	}
}
