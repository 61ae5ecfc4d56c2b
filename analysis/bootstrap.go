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
	ranks  [][][]int   // view -> replicate -> 2*(v*S+s) + 0 (lowest rank of its tie) or 1 (highest)
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
		rk := make([]int, 0, 2*len(vw.values)*S)
		lv := make([]uint8, 0, len(vw.values)*len(bs.budgets)*S)
		var sc []float64
		var lo, hi []int
		for v := range vw.values {
			sc = scores(t, cellW, v, sc)
			lo, hi = rankRanges(sc, lo, hi)
			for s := range lo {
				rk = append(rk, lo[s], hi[s])
			}
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

// rankInterval returns the 2.5% and 97.5% percentiles (nearest rank,
// outward) of the rank of element j (v*S+s) of S services: the lower over
// the lowest rank of its tie in each replicate, the upper over the highest.
// A failed replicate counts as rank 1 for the lower and S for the upper, so
// failures widen the interval and never narrow it. A replicate in which the
// segment has no respondent (rank 0) counts as failed.
func (b *bootstrap) rankInterval(view, j, S int) (lo, hi int) {
	var los, his []int
	for r := range b.reps {
		if b.ok[r] && b.ranks[view][r][2*j] > 0 {
			los = append(los, b.ranks[view][r][2*j])
			his = append(his, b.ranks[view][r][2*j+1])
		} else {
			los = append(los, 1)
			his = append(his, S)
		}
	}
	if len(los) == 0 {
		return 0, 0
	}
	slices.Sort(los)
	slices.Sort(his)
	m := float64(len(los) - 1)
	return los[int(math.Floor(0.025*m))], his[int(math.Ceil(0.975*m))]
}

// selected returns the share of all replicates whose vote chose level at
// element j ((v*B+b)*S+s) of view; a failed replicate counts as not
// choosing it.
func (b *bootstrap) selected(view, j, level int) float64 {
	var hit float64
	for r := range b.reps {
		if b.ok[r] && int(b.levels[view][r][j]) == level {
			hit++
		}
	}
	if b.reps == 0 {
		return math.NaN()
	}
	return hit / float64(b.reps)
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
