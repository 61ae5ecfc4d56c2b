// Command journey measures the resident's journey through the real HTTP
// handler on loopback, with the store's full durability (SQLite WAL,
// synchronous=FULL): completed-response submissions per second, and the
// p50/p99 latency of a lot page. It prints its figures and stops.
//
//	go run ./bench/journey -n 3000 -c 16
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
	"sync"
	"time"

	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
)

func main() {
	n := flag.Int("n", 2000, "responses to submit")
	conc := flag.Int("c", 16, "concurrent clients")
	lotGets := flag.Int("lot-gets", 5000, "lot page requests to time")
	lotConc := flag.Int("lot-c", 4, "concurrent lot page requests")
	flag.Parse()
	dir, err := os.MkdirTemp("", "budgetgrid-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	c, err := demo.Fenshire()
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateConsultation(ctx, c); err != nil {
		log.Fatal(err)
	}
	// Every simulated resident comes from one address: lift the start limit.
	srv, err := web.New(ctx, web.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), StartLimit: 1 << 30})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String() + "/c/" + c.Slug
	keys := make([]string, len(c.Grid.Services))
	for i, s := range c.Grid.Services {
		keys[i] = s.Key
	}
	transport := &http.Transport{MaxIdleConnsPerHost: *conc * 2}

	// Walk every client to the check-answers page.
	fmt.Printf("preparing %d responses to the check-answers page with %d clients...\n", *n, *conc)
	clients := make([]*client, *n)
	start := time.Now()
	parallel(*n, *conc, func(i int) {
		clients[i] = newClient(base, transport)
		clients[i].walk(keys)
	})
	fmt.Printf("prepared in %s\n", time.Since(start).Round(time.Millisecond))

	// Submissions: each POST returns only after the durable commit.
	start = time.Now()
	parallel(*n, *conc, func(i int) { clients[i].post("/check-answers", url.Values{}, http.StatusSeeOther) })
	el := time.Since(start)
	fmt.Printf("submissions: %d in %s = %.0f completed responses/s (%d concurrent clients, synchronous=FULL)\n", *n, el.Round(time.Millisecond), float64(*n)/el.Seconds(), *conc)

	// Lot page latency: one resident's lot 3 page, requested by many clients.
	probe := newClient(base, transport)
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
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func newClient(base string, tr http.RoundTripper) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, http: &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(path string) {
	resp, err := c.http.Get(c.base + path)
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
	resp, err := c.http.PostForm(c.base+path, form)
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
	c.get("/about-you") // starting gives a new session, with a new CSRF token
	c.post("/about-you", url.Values{"about.area": {"marshby"}}, http.StatusSeeOther)
	c.post("/current-service", url.Values{}, http.StatusSeeOther)
	c.post("/unacceptable-levels", url.Values{}, http.StatusSeeOther)
	for l := 1; l < lot; l++ {
		// Most of each budget is left unspent: confirm it, as the page asks.
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
