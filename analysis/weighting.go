package analysis

import (
	"fmt"
	"math"
	"slices"
)

// Weighting describes the weights an analysis used.
type Weighting struct {
	// Weights holds one weight per record, in record order, with mean 1.
	Weights []float64
	// Raked is false for an unweighted analysis (no targets).
	Raked bool
	// Variables are the raking variables, in targets order.
	Variables  []string
	Iterations int
	Converged  bool
	Tolerance  float64
	MaxIter    int
	// TrimLow and TrimHigh are the trimming bounds as multiples of the
	// mean weight (0: no bound); TrimPasses counts trimming passes.
	TrimLow, TrimHigh float64
	TrimPasses        int
	// Deff is Kish's design effect due to weighting; NEff = n/Deff.
	Deff, NEff float64
	// LeftOut counts, per raking variable, the respondents left out of that
	// margin.
	LeftOut []LeftOut
}

// LeftOut counts the respondents left out of one raking margin: those who
// did not answer the variable (Missing) and those whose answer has no
// target (NoTarget, e.g. Fenshire's area "outside"). Both are weighted by
// the other margins only.
type LeftOut struct {
	Variable       string
	Missing        int
	NoTarget       int
	NoTargetValues []string
}

// margins builds raking margins from targets over the coded variables.
func (d *data) margins(t *Targets) ([]Margin, []LeftOut, error) {
	var ms []Margin
	var lo []LeftOut
	for _, tv := range t.Variables {
		v := d.variable(tv.Name)
		if v == nil {
			return nil, nil, fmt.Errorf("targets: variable %q is neither an about-you question nor %q", tv.Name, ChannelVariable)
		}
		toTarget := make([]int, len(v.values))
		for j, val := range v.values {
			toTarget[j] = slices.Index(tv.Categories, val)
		}
		m := Margin{Name: tv.Name, Categories: tv.Categories, Shares: tv.Shares, Of: make([]int, d.n)}
		l := LeftOut{Variable: tv.Name}
		noTarget := make([]bool, len(v.values))
		for i, j := range v.of {
			switch {
			case j < 0:
				m.Of[i] = -1
				l.Missing++
			case toTarget[j] < 0:
				m.Of[i] = -1
				l.NoTarget++
				noTarget[j] = true
			default:
				m.Of[i] = toTarget[j]
			}
		}
		for j, b := range noTarget {
			if b {
				l.NoTargetValues = append(l.NoTargetValues, v.values[j])
			}
		}
		ms = append(ms, m)
		lo = append(lo, l)
	}
	return ms, lo, nil
}

// weigh rakes (when targets are given), trims and scales the weights, and
// returns the weighting with the design used for standard errors.
func (d *data) weigh(t *Targets, trimLow, trimHigh float64) (Weighting, *design, error) {
	wt := Weighting{Tolerance: DefaultTolerance, MaxIter: DefaultMaxIter, TrimLow: trimLow, TrimHigh: trimHigh, Converged: true}
	var margins []Margin
	if t != nil && len(t.Variables) > 0 {
		ms, lo, err := d.margins(t)
		if err != nil {
			return wt, nil, err
		}
		margins, wt.LeftOut, wt.Raked = ms, lo, true
		for _, m := range ms {
			wt.Variables = append(wt.Variables, m.Name)
		}
	}
	cells := newCellIndex(d.n, margins)
	cellN := make([]float64, cells.count())
	for _, g := range cells.of {
		cellN[g]++
	}
	tot, iter, conv, err := newRaker(margins, cells).rake(cellN, float64(d.n), wt.Tolerance, wt.MaxIter)
	if err != nil {
		return wt, nil, err
	}
	wt.Iterations, wt.Converged = iter, conv
	cellW := make([]float64, len(tot))
	for g := range tot {
		cellW[g] = tot[g] / cellN[g]
	}
	if trimLow < 0 || trimHigh < 0 {
		return wt, nil, fmt.Errorf("trimming: bounds %g and %g must not be negative", trimLow, trimHigh)
	}
	if trimLow > 0 || trimHigh > 0 {
		lower, upper := math.Inf(-1), math.Inf(1)
		if trimLow > 0 {
			lower = trimLow
		}
		if trimHigh > 0 {
			upper = trimHigh
		}
		if lower >= upper {
			return wt, nil, fmt.Errorf("trimming: lower bound %g is not below upper bound %g", trimLow, trimHigh)
		}
		// Weights are equal within a cell and trimming keeps them so: trim
		// the cell weights, each counted once per respondent.
		w := make([]float64, d.n)
		for i, g := range cells.of {
			w[i] = cellW[g]
		}
		w, wt.TrimPasses = TrimWeights(w, lower, upper, true)
		for i, g := range cells.of {
			cellW[g] = w[i]
		}
	}
	// Scale to mean 1.
	sum := 0.0
	for g := range cellW {
		sum += cellW[g] * cellN[g]
	}
	for g := range cellW {
		cellW[g] *= float64(d.n) / sum
	}
	wt.Weights = make([]float64, d.n)
	for i, g := range cells.of {
		wt.Weights[i] = cellW[g]
	}
	wt.Deff, wt.NEff = Kish(wt.Weights)
	des, err := newDesign(cells, cellN, cellW, margins, wt.Raked)
	return wt, des, err
}
