package analysis

import (
	"fmt"
	"math"
)

// Margin is one raking margin over a set of respondents.
type Margin struct {
	// Name names the variable, for errors and reports.
	Name string
	// Categories names the categories, in the order of Shares.
	Categories []string
	// Of holds each respondent's category index into Categories, or -1 for
	// a respondent left out of this margin (variable missing, or a category
	// with no target).
	Of []int
	// Shares are the population shares of the categories, summing to 1.
	Shares []float64
}

// RakeOptions control raking.
type RakeOptions struct {
	// Population is the total weight after raking; 0 means the sum of the
	// base weights. Analyse uses the number of respondents, so weights have
	// mean 1.
	Population float64
	// Tolerance: raking stops when no cell of the cross-classification of
	// all margins changes its weighted total by Tolerance×Population or more
	// in one sweep (survey::rake's epsilon < 1). Default 1e-10.
	Tolerance float64
	// MaxIter caps the number of sweeps over all margins. Default 1000.
	MaxIter int
}

// RakeResult is the outcome of raking.
type RakeResult struct {
	Weights    []float64
	Iterations int  // sweeps over all margins
	Converged  bool // false when MaxIter was reached first
	// LeftOut counts, per margin, the respondents left out of it.
	LeftOut []int
}

// Default raking controls.
const (
	DefaultTolerance = 1e-10
	DefaultMaxIter   = 1000
)

// Rake adjusts base weights by iterative proportional fitting so that the
// weighted shares of every margin's categories match its Shares, with the
// semantics of R's survey::rake (each sweep post-stratifies on every margin
// in turn; convergence is judged on the full cross-table). A respondent with
// category -1 in a margin is left out of that margin's adjustment: the
// respondents in the margin share the Population less the weight of those
// left out. On complete data this is exactly survey::rake with population
// margins Shares×Population. A category with a positive share but no
// respondents is an error naming it.
func Rake(base []float64, margins []Margin, opt RakeOptions) (RakeResult, error) {
	n := len(base)
	res := RakeResult{LeftOut: make([]int, len(margins))}
	for m, mg := range margins {
		if len(mg.Of) != n {
			return res, fmt.Errorf("raking: margin %q has %d respondents, want %d", mg.Name, len(mg.Of), n)
		}
		if len(mg.Shares) != len(mg.Categories) {
			return res, fmt.Errorf("raking: margin %q has %d shares for %d categories", mg.Name, len(mg.Shares), len(mg.Categories))
		}
		for _, c := range mg.Of {
			if c < 0 {
				res.LeftOut[m]++
			} else if c >= len(mg.Categories) {
				return res, fmt.Errorf("raking: margin %q: category index %d out of range", mg.Name, c)
			}
		}
	}
	cells := newCellIndex(n, margins)
	cellBase := make([]float64, cells.count())
	for i, b := range base {
		cellBase[cells.of[i]] += b
	}
	pop := opt.Population
	if pop == 0 {
		for _, b := range base {
			pop += b
		}
	}
	rk := newRaker(margins, cells)
	tot, iter, conv, err := rk.rake(cellBase, pop, opt.Tolerance, opt.MaxIter)
	if err != nil {
		return res, err
	}
	res.Iterations, res.Converged = iter, conv
	res.Weights = make([]float64, n)
	for i, b := range base {
		g := cells.of[i]
		if cellBase[g] != 0 {
			res.Weights[i] = b * tot[g] / cellBase[g]
		}
	}
	return res, nil
}

// cellIndex groups respondents into raking cells: the distinct combinations
// of their categories over all margins (with -1 for left out). Weights after
// raking differ between respondents of a cell only by their base weights.
type cellIndex struct {
	of   []int32   // respondent -> cell
	cats [][]int32 // cell -> category per margin (-1 left out)
}

func newCellIndex(n int, margins []Margin) *cellIndex {
	ci := &cellIndex{of: make([]int32, n)}
	if len(margins) == 0 {
		ci.cats = [][]int32{{}}
		return ci
	}
	lookup := map[string]int32{}
	key := make([]byte, 4*len(margins))
	for i := range n {
		for m, mg := range margins {
			c := uint32(int32(mg.Of[i]))
			key[4*m], key[4*m+1], key[4*m+2], key[4*m+3] = byte(c), byte(c>>8), byte(c>>16), byte(c>>24)
		}
		g, ok := lookup[string(key)]
		if !ok {
			g = int32(len(ci.cats))
			lookup[string(key)] = g
			cats := make([]int32, len(margins))
			for m, mg := range margins {
				cats[m] = int32(mg.Of[i])
			}
			ci.cats = append(ci.cats, cats)
		}
		ci.of[i] = g
	}
	return ci
}

func (ci *cellIndex) count() int { return len(ci.cats) }

// raker rakes cell totals; it is reused by bootstrap replicates.
type raker struct {
	margins []Margin
	cells   *cellIndex
}

func newRaker(margins []Margin, cells *cellIndex) *raker {
	return &raker{margins: margins, cells: cells}
}

// rake returns the raked weighted total of every cell given the cells' base
// totals, the number of sweeps and whether it converged.
func (rk *raker) rake(cellBase []float64, pop, tol float64, maxit int) ([]float64, int, bool, error) {
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if maxit <= 0 {
		maxit = DefaultMaxIter
	}
	tot := append([]float64(nil), cellBase...)
	if len(rk.margins) == 0 {
		return tot, 0, true, nil
	}
	old := append([]float64(nil), cellBase...)
	catTot := make([][]float64, len(rk.margins))
	for m, mg := range rk.margins {
		catTot[m] = make([]float64, len(mg.Categories))
	}
	// A category with a target but no respondents cannot be matched.
	for m, mg := range rk.margins {
		ct := catTot[m]
		clear(ct)
		for g, cats := range rk.cells.cats {
			if c := cats[m]; c >= 0 {
				ct[c] += tot[g]
			}
		}
		for c, x := range ct {
			if x <= 0 && mg.Shares[c] > 0 {
				return nil, 0, false, fmt.Errorf("raking: %s %q has a target of %.4g but no respondents", mg.Name, mg.Categories[c], mg.Shares[c])
			}
		}
	}
	for iter := 1; iter <= maxit; iter++ {
		for m, mg := range rk.margins {
			ct := catTot[m]
			clear(ct)
			left := 0.0
			for g, cats := range rk.cells.cats {
				if c := cats[m]; c >= 0 {
					ct[c] += tot[g]
				} else {
					left += tot[g]
				}
			}
			avail := pop - left
			if avail <= 0 {
				return nil, iter, false, fmt.Errorf("raking: respondents left out of %s carry all the weight", mg.Name)
			}
			for c := range ct {
				if ct[c] > 0 {
					ct[c] = mg.Shares[c] * avail / ct[c]
				}
			}
			for g, cats := range rk.cells.cats {
				if c := cats[m]; c >= 0 {
					tot[g] *= ct[c]
				}
			}
		}
		delta := 0.0
		for g := range tot {
			delta = math.Max(delta, math.Abs(tot[g]-old[g]))
		}
		if delta < tol*pop {
			return tot, iter, true, nil
		}
		copy(old, tot)
	}
	return tot, maxit, false, nil
}

// TrimWeights trims weights to [lower, upper] with the semantics of R's
// survey::trimWeights: weights outside the bounds are set to the bound and
// the total trimmed off (or added) is shared equally among the weights that
// were inside the bounds, so the total is kept. With strict, this repeats
// until every weight is within bounds (at most 1000 passes). It returns the
// new weights and the number of passes that changed something.
func TrimWeights(w []float64, lower, upper float64, strict bool) ([]float64, int) {
	out := append([]float64(nil), w...)
	outside := make([]bool, len(w))
	passes := 0
	for passes < 1000 {
		excess := 0.0
		inside := 0
		for i, x := range out {
			outside[i] = x < lower || x > upper
			if outside[i] {
				c := math.Max(lower, math.Min(x, upper))
				excess += x - c
				out[i] = c
			} else {
				inside++
			}
		}
		if inside == len(out) {
			break
		}
		passes++
		if inside > 0 {
			share := excess / float64(inside)
			for i := range out {
				if !outside[i] {
					out[i] += share
				}
			}
		}
		if !strict {
			break
		}
	}
	return out, passes
}

// Kish returns Kish's design effect due to unequal weights,
// n·Σw²/(Σw)², and the effective sample size n/deff = (Σw)²/Σw².
func Kish(w []float64) (deff, neff float64) {
	var s, s2 float64
	for _, x := range w {
		s += x
		s2 += x * x
	}
	if s2 == 0 {
		return math.NaN(), 0
	}
	neff = s * s / s2
	return float64(len(w)) / neff, neff
}
