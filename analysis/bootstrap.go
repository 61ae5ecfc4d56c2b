package analysis

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// bootstrap holds the replicate results for every view: ranks of services
// per segment and the resident-preferred package at every lot budget.
type bootstrap struct {
	reps   int
	ok     []bool      // replicate -> raked successfully
	ranks  [][][]int   // view -> replicate -> v*S+s
	levels [][][]uint8 // view -> replicate -> (v*B+b)*S+s
}

// bootstrapSetup is what every replicate needs.
type bootstrapSetup struct {
	d        *data
	cells    *cellIndex
	rk       *raker
	views    []view
	budgets  []int
	trimLow  float64
	trimHigh float64
}

// run draws reps simple bootstrap resamples of the respondents, re-rakes
// each with the same targets and trimming, and records ranks and optimum
// packages. Replicate r draws from a PCG seeded with (seed, r), so results
// do not depend on how replicates are scheduled over the goroutines.
func (bs *bootstrapSetup) run(reps int, seed int64, progress func(done, total int)) *bootstrap {
	b := &bootstrap{reps: reps, ok: make([]bool, reps), ranks: make([][][]int, len(bs.views)), levels: make([][][]uint8, len(bs.views))}
	for i := range bs.views {
		b.ranks[i] = make([][]int, reps)
		b.levels[i] = make([][]uint8, reps)
	}
	jobs := make(chan int)
	done := make(chan struct{})
	var wg sync.WaitGroup
	workers := max(1, min(runtime.NumCPU(), reps))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mult := make([]int32, bs.d.n)
			for r := range jobs {
				bs.replicate(b, r, seed, mult)
				done <- struct{}{}
			}
		}()
	}
	go func() {
		for r := range reps {
			jobs <- r
		}
		close(jobs)
		wg.Wait()
		close(done)
	}()
	n := 0
	for range done {
		n++
		if progress != nil {
			progress(n, reps)
		}
	}
	return b
}

func (bs *bootstrapSetup) replicate(b *bootstrap, r int, seed int64, mult []int32) {
	d := bs.d
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(r)+1))
	clear(mult)
	for range d.n {
		mult[rng.IntN(d.n)]++
	}
	cellBase := make([]float64, bs.cells.count())
	for i, g := range bs.cells.of {
		cellBase[g] += float64(mult[i])
	}
	wt := Weighting{Tolerance: DefaultTolerance, MaxIter: DefaultMaxIter}
	cellW, err := rakeTrim(bs.rk, cellBase, float64(d.n), bs.trimLow, bs.trimHigh, &wt)
	if err != nil {
		return // a category lost in the resample, or bounds not met: the replicate fails and is counted
	}
	if len(bs.rk.margins) > 0 {
		if _, err := checkMargins(bs.rk.margins, bs.cells, cellBase, cellW, DefaultMarginTolerance); err != nil {
			return
		}
	}
	S := d.s
	for vi, vw := range bs.views {
		t := d.newTally(bs.cells.of, bs.cells.count(), vw, mult, false)
		rk := make([]int, 0, len(vw.values)*S)
		lv := make([]uint8, 0, len(vw.values)*len(bs.budgets)*S)
		var sc []float64
		var one []int
		for v := range vw.values {
			sc = scores(t, cellW, v, sc)
			one = ranks(sc, one)
			rk = append(rk, one...)
			if len(bs.budgets) > 0 {
				for k, sup := range lotSupports(t, cellW, v) {
					p, _ := OptimumCurve(d.g, sup).At(bs.budgets[k])
					for _, l := range p {
						lv = append(lv, uint8(l))
					}
				}
			}
		}
		b.ranks[vi][r] = rk
		b.levels[vi][r] = lv
	}
	b.ok[r] = true
}

// rankInterval returns the 2.5% and 97.5% percentiles of the ranks of
// element j over successful replicates (nearest rank, outward).
func (b *bootstrap) rankInterval(view, j int) (lo, hi int) {
	var rs []int
	for r := range b.reps {
		if b.ok[r] {
			rs = append(rs, b.ranks[view][r][j])
		}
	}
	if len(rs) == 0 {
		return 0, 0
	}
	slices.Sort(rs)
	m := float64(len(rs) - 1)
	return rs[int(math.Floor(0.025*m))], rs[int(math.Ceil(0.975*m))]
}

// selected returns the share of successful replicates choosing level at
// element j ((v*B+b)*S+s) of view.
func (b *bootstrap) selected(view, j, level int) float64 {
	var hit, n float64
	for r := range b.reps {
		if b.ok[r] {
			n++
			if int(b.levels[view][r][j]) == level {
				hit++
			}
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return hit / n
}

// failed counts replicates that could not be raked.
func (b *bootstrap) failed() int {
	n := 0
	for _, ok := range b.ok {
		if !ok {
			n++
		}
	}
	return n
}
