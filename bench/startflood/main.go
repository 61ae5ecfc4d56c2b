// Command startflood floods POST /c/SLUG/start through the real handler on
// loopback with a SQLite file, as one address, each attempt from a new
// browser (it first GETs the start page for a session and its CSRF token,
// as a script must). It prints the starts accepted and refused, the
// responses stored, and the WAL file's size (largest seen and at the end).
//
//	go run ./bench/startflood -d 30s -c 8
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
	"sync"
	"sync/atomic"
	"time"

	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
)

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func main() {
	d := flag.Duration("d", 30*time.Second, "how long to flood")
	conc := flag.Int("c", 8, "concurrent clients")
	flag.Parse()
	dir, err := os.MkdirTemp("", "budgetgrid-flood-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	dbPath := filepath.Join(dir, "flood.db")
	store, err := sqlite.Open(dbPath)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	c, err := demo.Fenshire()
	if err != nil {
		log.Fatal(err)
	}
	c.Status = "open"
	if err := store.CreateConsultation(ctx, c); err != nil {
		log.Fatal(err)
	}
	srv, err := web.New(ctx, web.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, srv)
	base := "http://" + ln.Addr().String() + "/c/" + c.Slug

	var accepted, limited, other atomic.Int64
	var maxWAL atomic.Int64
	stop := time.Now().Add(*d)
	done := make(chan struct{})
	go func() { // watch the WAL
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() > maxWAL.Load() {
				maxWAL.Store(fi.Size())
			}
		}
	}()
	var wg sync.WaitGroup
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				jar, _ := cookiejar.New(nil)
				hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				res, err := hc.Get(base)
				if err != nil {
					other.Add(1)
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				m := csrfInput.FindSubmatch(b)
				if m == nil {
					other.Add(1)
					continue
				}
				res, err = hc.PostForm(base+"/start", url.Values{"_csrf": {string(m[1])}})
				if err != nil {
					other.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				switch res.StatusCode {
				case http.StatusSeeOther:
					accepted.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	stored, _, err := store.CountResponses(ctx, c.ID)
	if err != nil {
		log.Fatal(err)
	}
	end := int64(0)
	if fi, err := os.Stat(dbPath + "-wal"); err == nil {
		end = fi.Size()
	}
	fmt.Printf("flood of %s with %d clients from one address\n", *d, *conc)
	fmt.Printf("starts accepted %d, refused 429 %d, other %d\n", accepted.Load(), limited.Load(), other.Load())
	fmt.Printf("responses stored %d\n", stored)
	fmt.Printf("WAL largest %.1f KB, at the end %.1f KB\n", float64(maxWAL.Load())/1024, float64(end)/1024)
}
