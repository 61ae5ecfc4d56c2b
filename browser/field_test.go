package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// fieldSite is a real server with the Fenshire demo whose network can be
// cut: while down, every connection is closed without an answer, as when
// a tablet has no signal (DevTools' offline emulation is used as well,
// for navigator.onLine and the online event).
type fieldSite struct {
	*site
	store *sqlite.DB
	down  atomic.Bool
	// portal answers every request 200 with an HTML page, as a Wi-Fi
	// sign-in page does.
	portal atomic.Bool
	// swExtra, when set, is appended to the service worker, as a new
	// version of the app would change it.
	swExtra atomic.Value
}

func startFieldSite(t testing.TB) *fieldSite {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "budgetgrid.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	c, err := demo.Fenshire()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateConsultation(ctx, c); err != nil {
		t.Fatal(err)
	}
	var w testWriter
	if tt, ok := t.(*testing.T); ok {
		w = testWriter{tt}
	}
	logger := slog.New(slog.DiscardHandler)
	if w.t != nil {
		logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := web.New(ctx, web.Config{Store: store, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	fs := &fieldSite{store: store}
	handler := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if fs.down.Load() {
			if hj, ok := rw.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if fs.portal.Load() {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.WriteHeader(http.StatusOK)
			rw.Write([]byte("<!DOCTYPE html><title>Sign in</title><p>Sign in to the hotel Wi-Fi</p>"))
			return
		}
		if extra, _ := fs.swExtra.Load().(string); extra != "" && r.URL.Path == "/field/sw.js" {
			rec := httptest.NewRecorder()
			r.Header.Del("Accept-Encoding") // plain, so that it can be appended to
			srv.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				rw.Header()[k] = v
			}
			rw.Header().Del("Content-Length")
			rw.WriteHeader(rec.Code)
			rw.Write(append(rec.Body.Bytes(), extra...))
			return
		}
		srv.ServeHTTP(rw, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	fs.site = &site{URL: "http://" + ln.Addr().String(), C: c}
	return fs
}

// enrol stores a tablet assigned to the demo consultation and returns its
// token and device.
func (fs *fieldSite) enrol(t testing.TB) (string, *consult.Device) {
	t.Helper()
	token, hash := consult.NewDeviceToken()
	d := &consult.Device{UserID: 7, Label: "Tablet 1", TokenHash: hash, Consultations: []int64{fs.C.ID}}
	if err := fs.store.CreateDevice(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return token, d
}

// network puts the tab and the server online or offline.
func (fs *fieldSite) network(tb *tab, online bool) {
	tb.t.Helper()
	if err := fs.setOnline(tb.ctx, online); err != nil {
		tb.t.Fatal(err)
	}
}

func (fs *fieldSite) setOnline(ctx context.Context, online bool) error {
	if !online {
		fs.down.Store(true)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &[]bool{!online}[0],
		MatchedNetworkConditions:    []*network.Conditions{{Offline: !online, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		return fmt.Errorf("emulate network: %w", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: !online, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		return fmt.Errorf("override network state: %w", err)
	}
	if online {
		fs.down.Store(false)
	}
	return nil
}

// waitJS waits (up to 20 s) until a JavaScript expression is truthy.
func (tb *tab) waitJS(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		// A reload (the app updating itself) interrupts the wait: go on.
		if (strings.Contains(err.Error(), "navigated or closed") || strings.Contains(err.Error(), "context was destroyed")) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		tb.t.Fatalf("%s: waiting for %s (%s): %v\npage: %s", tb.current().Name, what, expr, err, tb.text("main"))
	}
}

func (tb *tab) press(id string) {
	tb.t.Helper()
	// The home screen is drawn again whenever the queue changes, so a
	// button found may be replaced before the click lands: try again.
	var err error
	for range 5 {
		if err = chromedp.Do(tb.ctx, chromedp.Click(chromedp.ID(id))); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.t.Fatalf("%s: click #%s: %v", tb.current().Name, id, err)
}

func (tb *tab) stage(name string) {
	tb.t.Helper()
	tb.waitJS("stage "+name, fmt.Sprintf(`(document.getElementById('stage') || {}).dataset?.stage === %q`, name))
}

// interview runs a whole interview from the home screen: consent, the
// about-you answers, the current and unacceptable stages, every round
// (buying roads level 2 in the first, and checking the additive floor in
// the next) and a comment.
func (fs *fieldSite) interview(tb *tab, comment string) {
	tb.t.Helper()
	tb.waitJS("the start button", `!!document.getElementById('start-`+slug+`')`)
	tb.press("start-" + slug)
	tb.stage("interviewer")
	// Consent is required: without it the app stays.
	tb.press("next")
	tb.waitJS("the consent error", `!document.getElementById('stage-error').hidden`)
	tb.click("consent", true)
	tb.press("next")
	tb.stage("about-you")
	// Hand-over mode hides the interviewer's controls until taken back.
	tb.press("handover")
	tb.waitJS("hand-over mode", `document.getElementById('discard').offsetParent === null && !!document.getElementById('take-back')`)
	tb.click("about-area-fenchester", true)
	tb.click("about-age_band-35-54", true)
	tb.press("next")
	tb.stage("current-service")
	tb.click("current-roads-3", true)
	tb.press("next")
	tb.stage("unacceptable-levels")
	tb.click("unacceptable-roads-1", true)
	tb.press("next")
	for k := 1; k <= len(fs.C.Plan().Budgets); k++ {
		tb.stage(fmt.Sprintf("lot-%d", k))
		if k == 1 {
			// Over budget, the round cannot go on; the server would refuse it.
			eval[bool](tb, `[...document.querySelectorAll('#stage fieldset')].forEach(f => { const r = f.querySelectorAll('input[type=radio]'); r[r.length - 1].click(); }), true`)
			tb.waitJS("the over-budget bar", `!!document.getElementById('over')`)
			tb.press("next")
			tb.waitJS("the over-budget error", `/over the budget/.test(document.getElementById('stage-error').innerText) && document.getElementById('stage').dataset.stage === 'lot-1'`)
			eval[bool](tb, `[...document.querySelectorAll('#stage fieldset')].forEach(f => f.querySelector('input[type=radio]').click()), true`)
			tb.click("lot1-roads-2", true)
			tb.axe("field round 1")
			if got := tb.text("#spent"); !strings.Contains(got, "Spent") {
				tb.t.Fatalf("round 1: budget bar says %q", got)
			}
		} else if !eval[bool](tb, fmt.Sprintf(`document.getElementById('lot%d-roads-1').disabled`, k)) {
			tb.t.Fatalf("round %d: roads level 1 is choosable below the floor of round %d", k, k-1)
		}
		tb.press("next")
	}
	tb.stage("comments")
	if !eval[bool](tb, `document.getElementById('discard').offsetParent === null`) {
		tb.t.Fatal("hand-over mode ended by itself before the check page")
	}
	tb.press("take-back")
	tb.waitJS("the interviewer's controls back", `document.getElementById('discard').offsetParent !== null && !!document.getElementById('handover')`)
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("comments"), comment)); err != nil {
		tb.t.Fatal(err)
	}
	tb.press("next")
	tb.stage("check-answers")
	tb.press("next")
	tb.waitJS("the home screen", `!!document.getElementById('queue')`)
}

// entry returns the state and text of the newest queue entry.
func (tb *tab) entries() []struct{ ID, State, Text string } {
	tb.t.Helper()
	return eval[[]struct{ ID, State, Text string }](tb, `[...document.querySelectorAll('#queue [data-entry]')].map(e => ({ID: e.dataset.entry, State: e.dataset.state, Text: e.innerText}))`)
}

// exportQueue returns what "Export my queue" saves, from the app's own
// module.
func (tb *tab) exportQueue() string {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`import(document.body.dataset.queueJs).then(m => m.exportText())`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("export the queue: %v", err)
	}
	return v
}

// TestFieldAppOffline is the field app's journey: enrol, go offline,
// interview, reload offline, come back online and watch it sent with its
// reference; then a revoked device is told so and keeps its queue.
func TestFieldAppOffline(t *testing.T) {
	requireAxe(t)
	browser := startBrowser(t)
	fs := startFieldSite(t)
	token, dev := fs.enrol(t)
	tb := newTab(t, browser, fs.site, true)

	if st := tb.navigate("field", "/field"); st != http.StatusOK {
		t.Fatalf("/field: %d", st)
	}
	tb.waitJS("the enrol form", `!!document.getElementById('token')`)
	tb.axe("field enrol")
	// A wrong token is refused and nothing is kept.
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("token"), "not-a-token")); err != nil {
		t.Fatal(err)
	}
	tb.press("enrol-submit")
	tb.waitJS("the refusal", `/does not know this token/.test((document.getElementById('enrol-error') || {}).innerText || '')`)
	if eval[string](tb, `document.getElementById('token').value`) != "" {
		t.Fatal("the token field keeps the refused token")
	}
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("token"), token)); err != nil {
		t.Fatal(err)
	}
	tb.press("enrol-submit")
	tb.waitJS("the assigned consultation", `!!document.getElementById('start-`+slug+`')`)
	tb.waitJS("the service worker", `navigator.serviceWorker.controller !== null`)
	if got := tb.text("#consultations"); !strings.Contains(got, fs.C.Title) {
		t.Fatalf("consultations: %q", got)
	}
	if got := tb.text("#storage"); !strings.HasPrefix(got, "Storage: persistent") {
		t.Fatalf("the app does not say whether storage is persistent: %q", got)
	}
	tb.axe("field home")

	fs.network(tb, false)
	tb.waitJS("offline shown", `document.getElementById('net').innerText === 'Offline'`)
	fs.interview(tb, "Offline comment")
	tb.waitJS("the failed send", `/No connection/.test(document.querySelector('#queue [data-entry]')?.innerText)`)
	es := tb.entries()
	if len(es) != 1 || es[0].State != "tablet" || !strings.Contains(es[0].Text, "On this tablet") {
		t.Fatalf("after an offline interview the queue is %+v, want one entry on this tablet", es)
	}
	id := es[0].ID
	if !uuidRE.MatchString(id) {
		t.Fatalf("interview id %q is not a random UUID", id)
	}

	// Reload with no network: the worker serves the app, IndexedDB the queue.
	tb.begin("reload offline")
	if err := chromedp.Do(tb.ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload offline: %v", err)
	}
	tb.waitJS("the start button after an offline reload", `!!document.getElementById('start-`+slug+`')`)
	if es := tb.entries(); len(es) != 1 || es[0].ID != id || es[0].State != "tablet" {
		t.Fatalf("after the offline reload the queue is %+v", es)
	}
	if n, _, err := fs.store.CountResponses(context.Background(), fs.C.ID); err != nil || n != 0 {
		t.Fatalf("responses on the server while offline: %d, %v", n, err)
	}

	// Back online: the online event sends it.
	fs.network(tb, true)
	tb.waitJS("the interview sent", `document.querySelector('#queue [data-entry]')?.dataset.state === 'sent'`)
	es = tb.entries()
	r, err := fs.store.Response(context.Background(), id)
	if err != nil {
		t.Fatalf("the sent interview is not on the server: %v", err)
	}
	if r.Channel != consult.ChannelInterview || r.CompletedAt.IsZero() || r.Answers.Comments != "Offline comment" || r.Answers.About["area"] != "fenchester" {
		t.Fatalf("stored response: channel %q completed %v comments %q about %v", r.Channel, r.CompletedAt, r.Answers.Comments, r.Answers.About)
	}
	if r.Reference == "" || !strings.Contains(es[0].Text, "reference "+r.Reference) {
		t.Fatalf("the tablet shows %q, want the reference %q", es[0].Text, r.Reference)
	}
	if r.Answers.Lots[0][fs.C.Grid.ServiceIndex("roads")] != 2 {
		t.Fatalf("round 1 roads = %v", r.Answers.Lots[0])
	}
	// The answers left the tablet; the export holds only unsent records.
	exported := tb.exportQueue()
	var ex struct {
		Format  string
		Records []json.RawMessage
	}
	if err := json.Unmarshal([]byte(exported), &ex); err != nil || ex.Format != "budgetgrid-field-queue" || len(ex.Records) != 0 {
		t.Fatalf("export after sending: %v %s", err, exported)
	}

	// Revoked: the next send gets 401, the app says so, the queue stays.
	if err := fs.store.RevokeDevice(context.Background(), dev.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	fs.interview(tb, "After revocation")
	tb.waitJS("the revocation banner", `/revoked or is not enrolled/.test(document.getElementById('banner').innerText) && !document.getElementById('banner').hidden`)
	es = tb.entries()
	if len(es) != 2 || es[0].State != "tablet" || es[1].State != "sent" {
		t.Fatalf("after a 401 the queue is %+v, want the new interview still on the tablet", es)
	}
	exported = tb.exportQueue()
	var ex2 struct {
		Records []struct {
			Consultation string
			ResponseID   string `json:"response_id"`
			State        string
			Record       consult.FieldRecord
		}
	}
	if err := json.Unmarshal([]byte(exported), &ex2); err != nil || len(ex2.Records) != 1 || ex2.Records[0].ResponseID != es[0].ID || ex2.Records[0].Record.Comments != "After revocation" || ex2.Records[0].Consultation != slug {
		t.Fatalf("export after a 401: %v %s", err, exported)
	}
	// Signing out with unsent records is refused.
	tb.press("sign-out")
	tb.waitJS("the sign-out refusal", `!document.getElementById('signout-note').hidden`)
	if got := tb.queueJS(`return await m.getKV('token')`); got != `"`+token+`"` {
		t.Fatalf("after a refused sign-out the token is %s", got)
	}
	// Once the queue is exported, signing out is allowed.
	tb.press("export")
	tb.waitJS("the export", `import(document.body.dataset.queueJs).then(m => m.getKV('exportedAt')).then(v => { window.exported = !!v; }), window.exported === true`)
	tb.press("sign-out")
	tb.waitJS("the enrol form after signing out", `!!document.getElementById('token')`)
	tb.checkOrigin()
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// openApp opens /field in a new tab and enrols it with token.
func (fs *fieldSite) openApp(t *testing.T, browser context.Context, token string) *tab {
	t.Helper()
	tb := newTab(t, browser, fs.site, true)
	if st := tb.navigate("field", "/field"); st != http.StatusOK {
		t.Fatalf("/field: %d", st)
	}
	tb.waitJS("the enrol form", `!!document.getElementById('token')`)
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("token"), token)); err != nil {
		t.Fatal(err)
	}
	tb.press("enrol-submit")
	tb.waitJS("the assigned consultation", `!!document.getElementById('start-`+slug+`')`)
	tb.waitJS("the service worker", `navigator.serviceWorker.controller !== null`)
	return tb
}

// queueJS runs an async function body with the app's queue module as m,
// returning its result as JSON text.
func (tb *tab) queueJS(body string) string {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`import(document.body.dataset.queueJs).then(async m => JSON.stringify(await (async () => {`+body+`})()))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("queue script: %v", err)
	}
	return v
}

// entryText waits until queue entry id has the given state and returns
// what the tablet shows of it.
func (tb *tab) entryState(id, state string) string {
	tb.t.Helper()
	return tb.entryShows(id, state, "")
}

// entryShows waits until queue entry id has the given state and shows
// text, and returns all it shows.
func (tb *tab) entryShows(id, state, text string) string {
	tb.t.Helper()
	sel := fmt.Sprintf(`document.querySelector('#queue [data-entry=%q]')`, id)
	tb.waitJS("entry "+id+" "+state+" "+text, fmt.Sprintf(`%s?.dataset.state === %q && %s.innerText.includes(%q)`, sel, state, sel, text))
	return eval[string](tb, sel+`.innerText`)
}

// TestFieldAppRejections checks what the tablet does with each refusal:
// a changed answer re-sent (409), an erased response (410), an invalid
// record (422) and a Wi-Fi sign-in page's 200 are never counted as sent;
// refused records are kept, shown with the server's reason and exported.
func TestFieldAppRejections(t *testing.T) {
	browser := startBrowser(t)
	fs := startFieldSite(t)
	token, _ := fs.enrol(t)
	tb := fs.openApp(t, browser, token)
	ctx := context.Background()

	// One interview, kept offline so the tablet still has its record.
	fs.network(tb, false)
	fs.interview(tb, "First")
	id := tb.entries()[0].ID
	tb.entryState(id, "tablet")
	original := tb.queueJS(fmt.Sprintf(`return (await m.getEntry(%q)).record`, id))
	fs.network(tb, true)
	tb.press("send-now")
	sent := tb.entryState(id, "sent")
	r, err := fs.store.Response(ctx, id)
	if err != nil || !strings.Contains(sent, r.Reference) {
		t.Fatalf("sent entry %q, stored %v %v", sent, r, err)
	}

	// The same id with a changed answer: 409, nothing overwritten.
	tb.queueJS(fmt.Sprintf(`const rec = %s; rec.about.area = 'marshby'; await m.putEntry({id: %q, slug: %q, title: 'changed', state: 'tablet', record: rec, created: new Date().toISOString()}); return true`, original, id, slug))
	tb.press("send-now")
	if got := tb.entryShows(id, "rejected", "Conflict (HTTP 409)"); !strings.Contains(got, "reference "+r.Reference) {
		t.Fatalf("409 shown as %q, without the first reference %s", got, r.Reference)
	}
	if r2, err := fs.store.Response(ctx, id); err != nil || r2.Answers.About["area"] != "fenchester" {
		t.Fatalf("after the conflict the stored response is %v (%v)", r2, err)
	}

	// Erased on the server, then sent again: 410.
	if err := fs.store.EraseResponse(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	tb.queueJS(fmt.Sprintf(`await m.putEntry({id: %q, slug: %q, title: 'erased', state: 'tablet', record: %s, created: new Date().toISOString()}); return true`, id, slug, original))
	tb.press("send-now")
	tb.entryShows(id, "rejected", "Erased (HTTP 410)")

	// A record for another grid version: 422 with the field's error.
	bad := "00000000-0000-4000-8000-000000000422"
	tb.queueJS(fmt.Sprintf(`const rec = %s; rec.response_id = %q; rec.grid_version = 999; await m.putEntry({id: %q, slug: %q, title: 'invalid', state: 'tablet', record: rec, created: new Date().toISOString()}); return true`, original, bad, bad, slug))
	tb.press("send-now")
	if got := tb.entryShows(bad, "rejected", "Invalid (HTTP 422)"); !strings.Contains(got, "grid_version: ") || !strings.Contains(got, "(grid_version.mismatch)") {
		t.Fatalf("422 shown as %q", got)
	}

	// A Wi-Fi sign-in page answers 200 with HTML: not sent, kept.
	good := "00000000-0000-4000-8000-000000000200"
	tb.queueJS(fmt.Sprintf(`const rec = %s; rec.response_id = %q; await m.putEntry({id: %q, slug: %q, title: 'portal', state: 'tablet', record: rec, created: new Date().toISOString()}); return true`, original, good, good, slug))
	fs.portal.Store(true)
	tb.press("send-now")
	tb.waitJS("the portal's answer", fmt.Sprintf(`/did not come from the budgetgrid server/.test(document.querySelector('#queue [data-entry=%q]')?.innerText)`, good))
	tb.entryState(good, "tablet")
	if _, err := fs.store.Response(ctx, good); consult.ErrorCode(err) != consult.ENOTFOUND {
		t.Fatalf("the record reached the server through the portal: %v", err)
	}
	fs.portal.Store(false)
	tb.press("send-now")
	tb.entryState(good, "sent")

	// The refused records stay exportable; sent ones are not exported.
	var ex struct {
		Records []struct {
			ResponseID string `json:"response_id"`
			State      string
			Reason     string
		}
	}
	if err := json.Unmarshal([]byte(tb.exportQueue()), &ex); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range ex.Records {
		got[r.ResponseID] = r.State + ": " + r.Reason
	}
	if len(got) != 2 || !strings.HasPrefix(got[id], "rejected: Erased") || !strings.HasPrefix(got[bad], "rejected: Invalid") {
		t.Fatalf("export: %v", got)
	}
}

// benchApp starts a site and a headless Chromium with the field app
// enrolled and its worker in control, for benchmarks.
func benchApp(b *testing.B) (*fieldSite, context.Context, func(string) chromedp.Action[bool]) {
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		b.Skipf("no Chromium at %s", path)
	}
	fs := startFieldSite(b)
	token, _ := fs.enrol(b)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.UserDataDir(b.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-dev-shm-usage", true))
	b.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	b.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 5*time.Minute)
	b.Cleanup(cancelT)
	wait := func(expr string) chromedp.Action[bool] {
		return chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(60*time.Second))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fs.URL+"/field")); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, wait(`!!document.getElementById('token')`)); err != nil {
		b.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), token)); err != nil {
		b.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("enrol-submit"))); err != nil {
		b.Fatal(err)
	}
	for _, expr := range []string{`!!document.getElementById('start-` + slug + `')`, `navigator.serviceWorker.controller !== null`} {
		if _, err := chromedp.Run(ctx, wait(expr)); err != nil {
			b.Fatal(err)
		}
	}
	return fs, ctx, wait
}

// BenchmarkFieldAppSync measures how fast the app empties its queue on
// loopback: 100 finished interviews are queued, then "Send now" sends them
// one PUT at a time (each acknowledged after the server's durable commit)
// until the tablet shows every one sent.
func BenchmarkFieldAppSync(b *testing.B) {
	fs, ctx, wait := benchApp(b)
	const batch = 100
	lots := make([]map[string]int, len(fs.C.Plan().Budgets))
	for k := range lots {
		lots[k] = map[string]int{}
		for _, s := range fs.C.Grid.Services {
			lots[k][s.Key] = 1
		}
	}
	now := time.Now().UTC()
	base := consult.FieldRecord{GridVersion: fs.C.GridVersion, StartedAt: now.Add(-20 * time.Minute), CompletedAt: now.Add(-time.Minute), Language: "en",
		About: map[string]string{"area": "eastwold"}, Lots: lots, Interview: &consult.InterviewDetails{Consent: true, TimingsMS: map[string]int{"lot-1": 30000}}}
	tmpl, err := json.Marshal(base)
	if err != nil {
		b.Fatal(err)
	}
	sent := 0
	for b.Loop() {
		b.StopTimer()
		inject := fmt.Sprintf(`import(document.body.dataset.queueJs).then(async m => {
  for (let i = 0; i < %d; i++) {
    const rec = %s; rec.response_id = crypto.randomUUID();
    await m.putEntry({id: rec.response_id, slug: %q, title: 'bench', state: 'tablet', record: rec, created: new Date().toISOString()});
  }
  return true;
})`, batch, tmpl, slug)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](inject, chromedp.EvalAwaitPromise)); err != nil {
			b.Fatal(err)
		}
		sent += batch
		b.StartTimer()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('send-now').click(), true`)); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, wait(fmt.Sprintf(`document.getElementById('queue-count')?.innerText === '0 not yet sent · %d sent'`, sent))); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n, _, err := fs.store.CountResponses(context.Background(), fs.C.ID); err != nil || n != sent {
		b.Fatalf("the server holds %d responses (%v), want %d", n, err, sent)
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "responses/s")
}

// BenchmarkFieldAppOfflineStart times what an interviewer waits for with
// no signal: the app opened again (a reload, served by the worker) until
// the first stage of a new interview shows.
func BenchmarkFieldAppOfflineStart(b *testing.B) {
	fs, ctx, wait := benchApp(b)
	start := `!!document.getElementById('start-` + slug + `')`
	if err := fs.setOnline(ctx, false); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, wait(start)); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('start-`+slug+`').click(), true`)); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, wait(`document.getElementById('stage')?.dataset.stage === 'interviewer'`)); err != nil {
			b.Fatal(err)
		}
		// Leave the interview so the next reload starts from the home
		// screen; this part is not timed.
		b.StopTimer()
		for _, a := range []chromedp.Action[bool]{
			chromedp.Evaluate[bool](`document.getElementById('discard').click(), true`),
			wait(`!!document.getElementById('discard-draft')`),
			chromedp.Evaluate[bool](`document.getElementById('discard-draft').click(), true`),
			wait(`!document.getElementById('resume') && !!document.getElementById('start-` + slug + `')`),
		} {
			if _, err := chromedp.Run(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/first-interview")
}

// profileBrowser starts Chromium on a profile folder that outlives it, in
// the default browser context (whose storage is kept on disk), and returns
// a tab; stop closes the whole browser, as a restart of the tablet does.
func profileBrowser(t *testing.T, profile string) (ctx context.Context, stop func()) {
	t.Helper()
	path := chromiumPath(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.UserDataDir(profile),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true))
	bctx, cancel := chromedp.NewContext(alloc)
	tctx, cancelT := context.WithTimeout(bctx, journeyTimeout)
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	var once bool
	stop = func() {
		if once {
			return
		}
		once = true
		cancelT()
		// Closing the browser gracefully lets it write its storage.
		if err := chromedp.Cancel(bctx); err != nil {
			t.Logf("close Chromium: %v", err)
		}
		cancel()
		cancelAlloc()
	}
	t.Cleanup(stop)
	return tctx, stop
}

// TestFieldAppRestartOffline restarts the browser with no signal in the
// middle of an interview: the app opens from the worker's cache, the
// interview continues where it was, and it is sent once the signal is back.
func TestFieldAppRestartOffline(t *testing.T) {
	fs := startFieldSite(t)
	token, _ := fs.enrol(t)
	profile := t.TempDir()

	ctx, stop := profileBrowser(t, profile)
	run := func(ctx context.Context, what string, a chromedp.Action[bool]) {
		t.Helper()
		if _, err := chromedp.Run(ctx, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	wait := func(expr string) chromedp.Action[bool] {
		return chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))
	}
	js := func(expr string) chromedp.Action[bool] { return chromedp.Evaluate[bool](expr) }
	if err := chromedp.Do(ctx, chromedp.Navigate(fs.URL+"/field")); err != nil {
		t.Fatal(err)
	}
	run(ctx, "enrol form", wait(`!!document.getElementById('token')`))
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), token)); err != nil {
		t.Fatal(err)
	}
	run(ctx, "enrol", js(`document.getElementById('enrol-submit').click(), true`))
	run(ctx, "the start button", wait(`!!document.getElementById('start-`+slug+`')`))
	run(ctx, "the worker", wait(`navigator.serviceWorker.controller !== null`))

	if err := fs.setOnline(ctx, false); err != nil {
		t.Fatal(err)
	}
	run(ctx, "start", js(`document.getElementById('start-`+slug+`').click(), true`))
	run(ctx, "the interviewer stage", wait(`document.getElementById('stage')?.dataset.stage === 'interviewer'`))
	run(ctx, "consent", js(`document.getElementById('consent').click(), document.getElementById('notes').value = 'Doorstep, Marshby', document.getElementById('next').click(), true`))
	run(ctx, "about you", wait(`document.getElementById('stage')?.dataset.stage === 'about-you'`))
	run(ctx, "area", js(`document.getElementById('about-area-marshby').click(), document.getElementById('next').click(), true`))
	run(ctx, "current", wait(`document.getElementById('stage')?.dataset.stage === 'current-service'`))
	stop()

	// The tablet restarts with no signal.
	ctx, _ = profileBrowser(t, profile)
	if err := fs.setOnline(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fs.URL+"/field")); err != nil {
		t.Fatalf("open the app offline after a restart: %v", err)
	}
	run(ctx, "the interview in progress", wait(`!!document.getElementById('resume')`))
	run(ctx, "continue", js(`document.getElementById('resume').click(), true`))
	run(ctx, "back at the current stage", wait(`document.getElementById('stage')?.dataset.stage === 'current-service'`))
	run(ctx, "back to about you", js(`document.getElementById('back').click(), true`))
	run(ctx, "the kept answer", wait(`document.getElementById('about-area-marshby')?.checked === true`))
	for _, st := range []string{"about-you", "current-service", "unacceptable-levels", "lot-1", "lot-2", "lot-3", "lot-4", "comments", "check-answers"} {
		run(ctx, st, wait(fmt.Sprintf(`document.getElementById('stage')?.dataset.stage === %q`, st)))
		run(ctx, "next from "+st, js(`document.getElementById('next').click(), true`))
	}
	run(ctx, "queued", wait(`document.querySelector('#queue [data-entry]')?.dataset.state === 'tablet'`))

	// "Export my queue" saves a file an admin can take the record from.
	downloads := t.TempDir()
	if _, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	run(ctx, "export", js(`document.getElementById('export').click(), true`))
	var file []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && file == nil; time.Sleep(50 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(downloads, "budgetgrid-queue-*.json")); len(m) == 1 {
			file, _ = os.ReadFile(m[0])
			if !json.Valid(file) {
				file = nil // still being written
			}
		}
	}
	var ex struct {
		Format  string
		Records []struct {
			State  string
			Record consult.FieldRecord
		}
	}
	if err := json.Unmarshal(file, &ex); err != nil || ex.Format != "budgetgrid-field-queue" || len(ex.Records) != 1 || ex.Records[0].State != "tablet" || ex.Records[0].Record.About["area"] != "marshby" || !ex.Records[0].Record.Interview.Consent {
		t.Fatalf("exported file (%v): %s", err, file)
	}

	if err := fs.setOnline(ctx, true); err != nil {
		t.Fatal(err)
	}
	run(ctx, "sent", wait(`document.querySelector('#queue [data-entry]')?.dataset.state === 'sent'`))
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#queue [data-entry]').dataset.entry`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := fs.store.Response(context.Background(), id)
	if err != nil {
		t.Fatalf("the interview is not on the server: %v", err)
	}
	iv := r.Answers.Interview
	if r.Answers.About["area"] != "marshby" || iv == nil || !iv.Consent || iv.Notes != "Doorstep, Marshby" || iv.TimingsMS["about-you"] <= 0 || iv.TimingsMS["lot-1"] <= 0 {
		t.Fatalf("stored about %v interview %+v", r.Answers.About, iv)
	}
}

// TestFieldAppUpdateWaits publishes a new version of the app in the
// middle of an interview: it installs but waits, the interview goes on,
// and it takes over (the page reloading into it) once no interview is open.
func TestFieldAppUpdateWaits(t *testing.T) {
	browser := startBrowser(t)
	fs := startFieldSite(t)
	token, _ := fs.enrol(t)
	tb := fs.openApp(t, browser, token)
	tb.press("start-" + slug)
	tb.stage("interviewer")
	tb.click("consent", true)
	tb.press("next")
	tb.stage("about-you")
	tb.click("about-area-eastwold", true)

	fs.swExtra.Store("\n// a new version\n")
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.getRegistration('/field').then(r => r.update()).then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("check for an update: %v", err)
	}
	waiting := `(navigator.serviceWorker.getRegistration('/field').then(r => { window.bgWaiting = !!r.waiting; }), window.bgWaiting === true)`
	tb.waitJS("the new version installed and waiting", waiting)
	eval[bool](tb, `window.bgMarker = true`)
	time.Sleep(500 * time.Millisecond)
	if !eval[bool](tb, `window.bgMarker === true && document.getElementById('about-area-eastwold').checked`) {
		t.Fatal("the update broke the interview in progress")
	}
	tb.waitJS("the new version still waiting", waiting)

	// Leaving the interview keeps it in progress: still no update.
	tb.press("discard")
	tb.waitJS("the home screen", `!!document.getElementById('discard-draft')`)
	time.Sleep(500 * time.Millisecond)
	if !eval[bool](tb, `window.bgMarker === true`) {
		t.Fatal("the app updated with an interview in progress")
	}
	// Discarded: the new version takes over and the page reloads into it.
	tb.press("discard-draft")
	tb.waitJS("the reload into the new version", `window.bgMarker === undefined && !!document.getElementById('start-`+slug+`')`)
	tb.waitJS("no version waiting", `(navigator.serviceWorker.getRegistration('/field').then(r => { window.bgWaiting = !!r.waiting; }), window.bgWaiting === false)`)
}

// TestFieldAppClosedConsultation: once a consultation has closed, the
// tablet offers no new interview of it.
func TestFieldAppClosedConsultation(t *testing.T) {
	browser := startBrowser(t)
	fs := startFieldSite(t)
	token, _ := fs.enrol(t)
	tb := fs.openApp(t, browser, token)
	if err := fs.store.SetStatus(context.Background(), slug, consult.Closed); err != nil {
		t.Fatal(err)
	}
	tb.press("refresh")
	tb.waitJS("the closed notice", `!!document.getElementById('closed-`+slug+`') && !document.getElementById('start-`+slug+`')`)
}
