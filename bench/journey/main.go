// Command journey measures the resident's journey through the real HTTP
// handler on loopback, with the store's full durability (SQLite WAL,
// synchronous=FULL, or PostgreSQL with synchronous_commit=on):
// completed-response submissions per second, and the p50/p99 latency of a
// lot page. It prints its figures and stops.
//
//	go run ./bench/journey -n 3000 -c 16
//	go run ./bench/journey -db postgres://…            # one server on PostgreSQL
//	go run ./bench/journey -targets http://127.0.0.1:8081,http://127.0.0.1:8082
//
// With -targets it drives servers already running (budgetgrid serve, with
// the demo loaded), resident i on target i mod N.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/postgres"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
)

func main() {
	n := flag.Int("n", 2000, "responses to submit")
	conc := flag.Int("c", 16, "concurrent clients")
	lotGets := flag.Int("lot-gets", 5000, "lot page requests to time")
	lotConc := flag.Int("lot-c", 4, "concurrent lot page requests")
	db := flag.String("db", "", "database for the in-process server: a SQLite file or postgres:// URL (default: a new temporary SQLite file)")
	targets := flag.String("targets", "", "comma-separated base URLs of running servers to drive instead of an in-process one")
	flag.Parse()
	c, err := demo.Fenshire()
	if err != nil {
		log.Fatal(err)
	}
	var bases []string
	if *targets != "" {
		for _, t := range strings.Split(*targets, ",") {
			bases = append(bases, strings.TrimSuffix(t, "/")+"/c/"+c.Slug)
		}
	} else {
		base, stop := startServer(*db, c)
		defer stop()
		bases = []string{base}
	}
	keys := make([]string, len(c.Grid.Services))
	for i, s := range c.Grid.Services {
		keys[i] = s.Key
	}
	transport := &http.Transport{MaxIdleConnsPerHost: *conc * 2}

	// Walk every client to the check-answers page.
	fmt.Printf("preparing %d responses to the check-answers page with %d clients over %d server(s)...\n", *n, *conc, len(bases))
	clients := make([]*client, *n)
	start := time.Now()
	parallel(*n, *conc, func(i int) {
		clients[i] = newClient(bases[i%len(bases)], transport, i)
		clients[i].walk(keys)
	})
	fmt.Printf("prepared in %s\n", time.Since(start).Round(time.Millisecond))

	// Submissions: each POST returns only after the durable commit.
	start = time.Now()
	parallel(*n, *conc, func(i int) { clients[i].post("/check-answers", url.Values{}, http.StatusSeeOther) })
	el := time.Since(start)
	fmt.Printf("submissions: %d in %s = %.0f completed responses/s (%d concurrent clients, durable commits)\n", *n, el.Round(time.Millisecond), float64(*n)/el.Seconds(), *conc)

	// Lot page latency: one resident's lot 3 page, requested by many clients.
	probe := newClient(bases[0], transport, *n)
	probe.walkTo(keys, 3)
	lat := make([]time.Duration, *lotGets)
	parallel(*lotGets, *lotConc, func(i int) {
		t := time.Now()
		probe.get("/lot-3")
		lat[i] = time.Since(t)
	})
	slices.Sort(lat)
	fmt.Printf("lot page: %d GETs, %d concurrent: p50 %s, p99 %s, max %s\n", *lotGets, *lotConc,
		lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*99/100].Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
}

// startServer starts an in-process server on db (a temporary SQLite file
// when empty) holding the demo consultation, and returns the
// consultation's base URL and a function that stops it.
func startServer(db string, c *consult.Consultation) (string, func()) {
	ctx := context.Background()
	var store consult.Store
	var err error
	dir := ""
	switch {
	case postgres.IsURL(db):
		store, err = postgres.Open(ctx, db)
	case db == "":
		if dir, err = os.MkdirTemp("", "budgetgrid-bench-"); err != nil {
			log.Fatal(err)
		}
		store, err = sqlite.Open(filepath.Join(dir, "bench.db"))
	default:
		store, err = sqlite.Open(db)
	}
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateConsultation(ctx, c); err != nil && consult.ErrorCode(err) != consult.ECONFLICT {
		log.Fatal(err)
	}
	srv, err := web.New(ctx, web.Config{Store: store, TrustProxy: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String() + "/c/" + c.Slug, func() {
		hs.Close()
		store.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
}

func parallel(n, conc int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

type client struct {
	base string
	http *http.Client
	csrf string
	// addr is the resident's own address, sent as X-Forwarded-For to a
	// server that trusts its proxy: residents come from many addresses,
	// so each is held to the per-address limits on starting responses
	// as it would be in production, not all to one.
	addr string
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func newClient(base string, tr http.RoundTripper, i int) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, addr: fmt.Sprintf("127.%d.%d.%d", 1+i>>16&0xff, i>>8&0xff, i&0xff),
		http: &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(path string) {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", c.addr)
	resp, err := c.http.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if m := csrfInput.FindSubmatch(body); m != nil {
		c.csrf = string(m[1])
	}
}

func (c *client) post(path string, form url.Values, want int) {
	form.Set("_csrf", c.csrf)
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", c.addr)
	resp, err := c.http.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		log.Fatalf("POST %s: %d, want %d", path, resp.StatusCode, want)
	}
}

// walkTo answers every stage before lot number lot.
func (c *client) walkTo(keys []string, lot int) {
	c.get("")
	c.post("/start", url.Values{}, http.StatusSeeOther)
	// Starting gives a new session, and the form token is bound to it: the
	// first page after the start carries the new one, as for a resident.
	c.get("/about-you")
	c.post("/about-you", url.Values{"about.area": {"marshby"}}, http.StatusSeeOther)
	c.post("/current-service", url.Values{}, http.StatusSeeOther)
	c.post("/unacceptable-levels", url.Values{}, http.StatusSeeOther)
	for l := 1; l < lot; l++ {
		f := url.Values{"action": {"continue"}, "unspent": {"confirmed"}}
		for _, k := range keys {
			f.Set("s."+k, "1")
		}
		f.Set("s."+keys[0], "3")
		c.post(fmt.Sprintf("/lot-%d", l), f, http.StatusSeeOther)
	}
}

// walk answers every stage up to the check-answers page.
func (c *client) walk(keys []string) {
	c.walkTo(keys, 5)
	c.post("/comments", url.Values{"comments": {"Benchmark response."}}, http.StatusSeeOther)
	c.get("/check-answers")
}
