// Command store measures completions per second at the store, on each
// store, against that store's single-commit limit measured in the same
// run: the same completions made one at a time, each waiting for its own
// durable commit (one fsync on SQLite, one commit on PostgreSQL). It
// prints its figures and stops.
//
//	go run ./bench/store -n 2000 -c 64 [-postgres postgres://…]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/postgres"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
	"github.com/budgetgrid/budgetgrid/demo"
	"github.com/google/uuid"
)

func main() {
	n := flag.Int("n", 2000, "concurrent completions to time")
	single := flag.Int("single", 300, "completions to time one at a time")
	conc := flag.Int("c", 64, "concurrent callers")
	pg := flag.String("postgres", "", "PostgreSQL URL of an empty database or schema to measure too")
	flag.Parse()
	ctx := context.Background()

	dir, err := os.MkdirTemp("", "budgetgrid-bench-store-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	stores := []struct {
		name string
		open func() (consult.Store, error)
	}{
		{"SQLite (WAL, synchronous=FULL)", func() (consult.Store, error) { return sqlite.Open(filepath.Join(dir, "bench.db")) }},
	}
	if *pg != "" {
		stores = append(stores, struct {
			name string
			open func() (consult.Store, error)
		}{"PostgreSQL (synchronous_commit=on)", func() (consult.Store, error) { return postgres.Open(ctx, *pg) }})
	}
	fmt.Printf("%-36s %14s %18s %7s\n", "store", "one at a time", fmt.Sprintf("%d concurrent", *conc), "ratio")
	for _, st := range stores {
		s, err := st.open()
		if err != nil {
			log.Fatalf("%s: %v", st.name, err)
		}
		one, many := measure(ctx, s, *single, *n, *conc)
		fmt.Printf("%-36s %12.0f/s %16.0f/s %6.1f×\n", st.name, one, many, many/one)
		s.Close()
	}
}

// measure completes single responses one at a time, then n with conc
// callers at once, and returns both rates.
func measure(ctx context.Context, s consult.Store, single, n, conc int) (oneAtATime, concurrent float64) {
	c, err := demo.Fenshire()
	if err != nil {
		log.Fatal(err)
	}
	c.Slug = "bench-" + uuid.NewString()[:8]
	if err := s.CreateConsultation(ctx, c); err != nil {
		log.Fatal(err)
	}
	rs := make([]*consult.Response, single+n)
	parallel(len(rs), conc, func(i int) {
		rs[i] = &consult.Response{ID: uuid.NewString(), ConsultationID: c.ID, Channel: consult.ChannelOnline}
		if err := s.CreateResponse(ctx, rs[i]); err != nil {
			log.Fatal(err)
		}
		rs[i].Reached = 8
		rs[i].Answers = consult.Answers{About: map[string]string{"area": "marshby"}, Lots: nil, Comments: "Benchmark response."}
	})
	start := time.Now()
	for _, r := range rs[:single] {
		if err := s.CompleteResponse(ctx, r); err != nil {
			log.Fatal(err)
		}
	}
	oneAtATime = float64(single) / time.Since(start).Seconds()
	start = time.Now()
	parallel(n, conc, func(i int) {
		if err := s.CompleteResponse(ctx, rs[single+i]); err != nil {
			log.Fatal(err)
		}
	})
	concurrent = float64(n) / time.Since(start).Seconds()
	if _, completed, err := s.CountResponses(ctx, c.ID); err != nil || completed != single+n {
		log.Fatalf("%d completed (%v), want %d", completed, err, single+n)
	}
	return oneAtATime, concurrent
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
