package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Weighting describes the weights an analysis used.
type Weighting struct {
	// Weights holds one weight per record, in record order, with mean 1.
	Weights []float64
	// Raked is false for an unweighted analysis (no targets).
	Raked bool
	// Variables are the raking variables, in targets order.
	Variables []string
	// Iterations counts raking sweeps over all rakes (the first and every
	// re-rake after trimming); Converged is whether the last rake
	// converged.
	Iterations int
	Converged  bool
	Tolerance  float64
	MaxIter    int
	// TrimLow and TrimHigh are the trimming bounds as multiples of the
	// mean weight (0: no bound); TrimPasses counts trimming passes over
	// all rounds, Rounds the rounds of trimming and re-raking until the
	// weights were within the bounds and the margins on target.
	TrimLow, TrimHigh float64
	TrimPasses        int
	Rounds            int
	// Deff is Kish's design effect due to weighting; NEff = n/Deff.
	Deff, NEff float64
	// LeftOut counts, per raking variable, the respondents left out of that
	// margin.
	LeftOut []LeftOut
	// Margins are the achieved weighted shares against the targets, every
	// category of every raking variable; MarginTolerance is the largest
	// miss accepted.
	Margins         []MarginCheck
	MarginTolerance float64
	// Renormalised says what was done to targets with
	// Options.RenormaliseTargets (empty when nothing was).
	Renormalised []string
}

// MarginCheck is one raking category's achieved weighted share (among the
// respondents in that margin) against its target.
type MarginCheck struct {
	Variable, Category string
	Target, Achieved   float64
}

// LeftOut counts the respondents left out of one raking margin: those who
// did not answer the variable (Missing) and those whose answer has no
// target (NoTarget, only with Options.RenormaliseTargets). Both are
// weighted by the other margins only.
type LeftOut struct {
	Variable       string
	Missing        int
	NoTarget       int
	NoTargetValues []string
}

// Weighting controls.
const (
	// DefaultMarginTolerance is the largest accepted difference between an
	// achieved margin share and its target after weighting.
	DefaultMarginTolerance = 1e-6
	// TargetSumTolerance is how far a variable's target shares may sum
	// from 1 (rounding) before it is an error without RenormaliseTargets.
	TargetSumTolerance = 0.005
	// maxRounds caps the rounds of trimming and re-raking.
	maxRounds = 1000
	// boundSlack is the relative slack on trimming bounds after the last
	// re-rake.
	boundSlack = 1e-9
)

// margins builds raking margins from targets over the coded variables.
// Without renormalise, a category respondents chose that has no target, or
// target shares not summing to 1, is an error; with it, such respondents
// are left out of that margin and the shares scaled, and renorm says what
// was done.
func (d *data) margins(t *Targets, renormalise bool) (ms []Margin, lo []LeftOut, renorm []string, err error) {
	var errs []string
	for _, tv := range t.Variables {
		v := d.variable(tv.Name)
		if v == nil {
			return nil, nil, nil, fmt.Errorf("targets: variable %q is neither an about-you question nor %q", tv.Name, ChannelVariable)
		}
		shares := slices.Clone(tv.Shares)
		sum := 0.0
		for _, x := range shares {
			sum += x
		}
		given := tv.Sum
		if given == 0 {
			given = sum
		}
		if !tv.Counts && math.Abs(given-1) > TargetSumTolerance {
			if !renormalise {
				errs = append(errs, fmt.Sprintf("the target shares of %q sum to %.4g, not 1", tv.Name, given))
			} else {
				renorm = append(renorm, fmt.Sprintf("%s: shares summing to %.4g scaled to 1", tv.Name, given))
			}
		}
		if sum > 0 {
			for i := range shares {
				shares[i] /= sum
			}
		}
		toTarget := make([]int, len(v.values))
		for j, val := range v.values {
			toTarget[j] = slices.Index(tv.Categories, val)
		}
		m := Margin{Name: tv.Name, Categories: tv.Categories, Shares: shares, Of: make([]int, d.n)}
		l := LeftOut{Variable: tv.Name}
		noTarget := make([]int, len(v.values))
		for i, j := range v.of {
			switch {
			case j < 0:
				m.Of[i] = -1
				l.Missing++
			case toTarget[j] < 0:
				m.Of[i] = -1
				l.NoTarget++
				noTarget[j]++
			default:
				m.Of[i] = toTarget[j]
			}
		}
		if l.Missing == d.n {
			return nil, nil, nil, fmt.Errorf("targets: nobody answered %q, so it cannot be a raking variable", tv.Name)
		}
		var named []string
		for j, c := range noTarget {
			if c > 0 {
				l.NoTargetValues = append(l.NoTargetValues, v.values[j])
				named = append(named, fmt.Sprintf("%q (%d %s)", v.values[j], c, plural(c, "respondent", "respondents")))
			}
		}
		if len(named) > 0 {
			if !renormalise {
				errs = append(errs, fmt.Sprintf("%q has no target for %s", tv.Name, strings.Join(named, ", ")))
			} else {
				renorm = append(renorm, fmt.Sprintf("%s: no target for %s, left out of this margin", tv.Name, strings.Join(named, ", ")))
			}
		}
		if l.Missing+l.NoTarget == d.n {
			return nil, nil, nil, fmt.Errorf("targets: no respondent's answer to %q has a target", tv.Name)
		}
		ms = append(ms, m)
		lo = append(lo, l)
	}
	if len(errs) > 0 {
		return nil, nil, nil, fmt.Errorf("targets: %s (correct the targets, or renormalise: leave respondents whose answer has no target out of that margin and scale shares to sum to 1, e.g. --renormalise-targets)", strings.Join(errs, "; "))
	}
	return ms, lo, renorm, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkTrim refuses bounds that no weights with mean 1 can meet.
func checkTrim(low, high float64) error {
	switch {
	case low < 0 || high < 0 || math.IsNaN(low) || math.IsNaN(high):
		return fmt.Errorf("trimming: bounds %g and %g must not be negative", low, high)
	case low >= 1:
		return fmt.Errorf("trimming: the lower bound %g × mean is not below the mean weight; no weights can all be at or above it except equal ones", low)
	case high > 0 && high <= 1:
		return fmt.Errorf("trimming: the upper bound %g × mean is not above the mean weight; no weights can all be at or below it except equal ones", high)
	}
	return nil
}

// rakeTrim rakes the cells (count respondents each, as base totals), and
// with bounds trims and re-rakes until the weights are within the bounds
// and the margins on target. It returns each cell's weight per respondent.
func rakeTrim(rk *raker, count []float64, pop, low, high float64, wt *Weighting) ([]float64, error) {
	tot, iter, conv, err := rk.rake(count, pop, wt.Tolerance, wt.MaxIter)
	if err != nil {
		return nil, err
	}
	wt.Iterations, wt.Converged = iter, conv
	w := perRespondent(tot, count)
	if low <= 0 && high <= 0 {
		return w, nil
	}
	base := make([]float64, len(count))
	for round := 1; round <= maxRounds; round++ {
		passes, ok := trimCells(w, count, low, high)
		wt.TrimPasses += passes
		if !ok {
			return nil, fmt.Errorf("trimming: weights not within [%g, %g] × mean after %d passes", low, high, passes)
		}
		if len(rk.margins) == 0 {
			wt.Rounds = round
			return w, nil
		}
		for g := range base {
			base[g] = w[g] * count[g]
		}
		tot, iter, conv, err = rk.rake(base, pop, wt.Tolerance, wt.MaxIter)
		if err != nil {
			return nil, err
		}
		wt.Iterations += iter
		wt.Converged = conv
		w = perRespondent(tot, count)
		lo, hi := weightRange(w, count)
		if lo >= low*(1-boundSlack) && (high <= 0 || hi <= high*(1+boundSlack)) {
			wt.Rounds = round
			return w, nil
		}
	}
	lo, hi := weightRange(w, count)
	return nil, fmt.Errorf("trimming: weights within [%g, %g] × mean and margins on the targets cannot both be reached: after %d rounds of trimming and re-raking the re-raked weights still range from %.4g to %.4g × mean (widen the bounds)",
		low, high, maxRounds, lo, hi)
}

func perRespondent(tot, count []float64) []float64 {
	w := make([]float64, len(tot))
	for g := range tot {
		if count[g] > 0 {
			w[g] = tot[g] / count[g]
		}
	}
	return w
}

// weightRange returns the smallest and largest weight of occupied cells,
// as multiples of the mean.
func weightRange(w, count []float64) (lo, hi float64) {
	var tot, n float64
	lo, hi = math.Inf(1), math.Inf(-1)
	for g, x := range w {
		if count[g] > 0 {
			tot += x * count[g]
			n += count[g]
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	mean := tot / n
	return lo / mean, hi / mean
}

// trimCells trims cell weights like TrimWeights (strict), each cell
// counting for count respondents, with bounds as multiples of the mean. It
// returns the passes made and whether every weight ended within bounds.
func trimCells(w, count []float64, lowMult, highMult float64) (int, bool) {
	var tot, n float64
	for g := range w {
		tot += w[g] * count[g]
		n += count[g]
	}
	mean := tot / n
	lower, upper := math.Inf(-1), math.Inf(1)
	if lowMult > 0 {
		lower = lowMult * mean
	}
	if highMult > 0 {
		upper = highMult * mean
	}
	outside := make([]bool, len(w))
	for pass := range 1000 {
		var excess, inside float64
		any := false
		for g, x := range w {
			outside[g] = count[g] > 0 && (x < lower || x > upper)
			if outside[g] {
				c := math.Max(lower, math.Min(x, upper))
				excess += (x - c) * count[g]
				w[g] = c
				any = true
			} else {
				inside += count[g]
			}
		}
		if !any {
			return pass, true
		}
		if inside == 0 {
			// Every weight is at a bound: done only if nothing is left
			// to share out.
			return pass + 1, math.Abs(excess) <= 1e-12*tot
		}
		for g := range w {
			if !outside[g] && count[g] > 0 {
				w[g] += excess / inside
			}
		}
	}
	return 1000, false
}

// checkMargins computes every margin's achieved shares and returns an
// error naming the categories that miss their targets by more than tol,
// and the empty cells of the cross-classification that explain it.
func checkMargins(margins []Margin, cells *cellIndex, cellN, cellW []float64, tol float64) ([]MarginCheck, error) {
	var out []MarginCheck
	var misses []string
	missed := make([][]bool, len(margins))
	for m, mg := range margins {
		ct := make([]float64, len(mg.Categories))
		in := 0.0
		for g, cats := range cells.cats {
			if c := cats[m]; c >= 0 {
				x := cellW[g] * cellN[g]
				ct[c] += x
				in += x
			}
		}
		missed[m] = make([]bool, len(mg.Categories))
		for c, cat := range mg.Categories {
			a := ct[c] / in
			out = append(out, MarginCheck{Variable: mg.Name, Category: cat, Target: mg.Shares[c], Achieved: a})
			if math.Abs(a-mg.Shares[c]) > tol || math.IsNaN(a) {
				missed[m][c] = true
				misses = append(misses, fmt.Sprintf("%s=%s achieved %.4g, target %.4g", mg.Name, cat, a, mg.Shares[c]))
			}
		}
	}
	if len(misses) == 0 {
		return out, nil
	}
	// Empty cells between the categories that missed.
	var empty []string
	for a := range margins {
		for b := a + 1; b < len(margins); b++ {
			n := make([][]float64, len(margins[a].Categories))
			for i := range n {
				n[i] = make([]float64, len(margins[b].Categories))
			}
			for g, cats := range cells.cats {
				if ca, cb := cats[a], cats[b]; ca >= 0 && cb >= 0 {
					n[ca][cb] += cellN[g]
				}
			}
			for ca := range n {
				for cb := range n[ca] {
					if n[ca][cb] == 0 && (missed[a][ca] || missed[b][cb]) {
						empty = append(empty, margins[a].Name+"="+margins[a].Categories[ca]+" × "+margins[b].Name+"="+margins[b].Categories[cb])
					}
				}
			}
		}
	}
	msg := "raking: the weights do not reach the targets: " + strings.Join(misses, "; ")
	if len(empty) > 0 {
		msg += "; no respondent is in " + strings.Join(empty, ", ") + " (a structural zero: the targets cannot all be met)"
	}
	return out, fmt.Errorf("%s", msg)
}

// weigh rakes (when targets are given), trims and re-rakes, checks the
// margins, scales the weights, and returns the weighting with the design
// used for standard errors.
func (d *data) weigh(t *Targets, opt Options) (Weighting, *design, error) {
	wt := Weighting{Tolerance: DefaultTolerance, MaxIter: DefaultMaxIter, TrimLow: opt.TrimLow, TrimHigh: opt.TrimHigh, Converged: true,
		MarginTolerance: DefaultMarginTolerance}
	if err := checkTrim(opt.TrimLow, opt.TrimHigh); err != nil {
		return wt, nil, err
	}
	var margins []Margin
	if t != nil && len(t.Variables) > 0 {
		ms, lo, renorm, err := d.margins(t, opt.RenormaliseTargets)
		if err != nil {
			return wt, nil, err
		}
		margins, wt.LeftOut, wt.Raked, wt.Renormalised = ms, lo, true, renorm
		for _, m := range ms {
			wt.Variables = append(wt.Variables, m.Name)
		}
	}
	cells := newCellIndex(d.n, margins)
	cellN := make([]float64, cells.count())
	for _, g := range cells.of {
		cellN[g]++
	}
	cellW, err := rakeTrim(newRaker(margins, cells), cellN, float64(d.n), opt.TrimLow, opt.TrimHigh, &wt)
	if err != nil {
		return wt, nil, err
	}
	// Scale to mean 1.
	sum := 0.0
	for g := range cellW {
		sum += cellW[g] * cellN[g]
	}
	for g := range cellW {
		cellW[g] *= float64(d.n) / sum
	}
	if wt.Raked {
		if wt.Margins, err = checkMargins(margins, cells, cellN, cellW, wt.MarginTolerance); err != nil {
			return wt, nil, err
		}
	}
	wt.Weights = make([]float64, d.n)
	for i, g := range cells.of {
		wt.Weights[i] = cellW[g]
	}
	wt.Deff, wt.NEff = Kish(wt.Weights)
	des, err := newDesign(cells, cellN, cellW, margins, wt.Raked)
	return wt, des, err
}
