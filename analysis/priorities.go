package analysis

import (
	"math"
	"slices"
)

// Priority is one service's place in the residents' priorities, for the
// whole sample or a segment.
type Priority struct {
	SegmentVariable, Segment string
	Service                  string
	// Rank orders services by Score, 1 first; services with equal scores
	// share the range Rank..RankTo (Rank = RankTo without a tie). Both 0
	// for a segment with no respondents.
	Rank, RankTo int
	// RankLow and RankHigh are the 2.5% and 97.5% percentiles of the rank
	// over bootstrap replicates (a tie counting as its whole range, a
	// failed replicate as rank 1 for RankLow and the last rank for
	// RankHigh); 0 without bootstrap or below the minimum base.
	RankLow, RankHigh int
	// Score is the weighted mean lot at which respondents first moved the
	// service above level 1, counting never as lots+1: lower is protected
	// first.
	Score float64
	// PurchaseLot is the weighted mean first lot among those who ever moved
	// the service above level 1; NeverBought is the share who never did.
	PurchaseLot, NeverBought float64
	// Pain is the share choosing below as-now at the lot whose budget is
	// today's spending (or the nearest below); NaN when budgets are unknown
	// or no lot qualifies.
	Pain float64
	// Unacceptable is the share marking a level below as-now unacceptable;
	// NaN when the stage was not asked.
	Unacceptable float64
	// Standard errors (linearization accounting for raking, as for shares;
	// PurchaseLot's is that of a domain mean among those who ever bought)
	// and, for a segment, whether the estimate differs from the rest's at
	// the confidence level. NaN and false when the estimate is NaN.
	PurchaseLotSE, NeverBoughtSE, PainSE, UnacceptableSE                     float64
	PurchaseLotDiffers, NeverBoughtDiffers, PainDiffers, UnacceptableDiffers bool
	// *Tested is false where the difference could not be tested (see
	// Share.Tested).
	PurchaseLotTested, NeverBoughtTested, PainTested, UnacceptableTested bool
	// Plackett–Luce consensus of purchase orders (see plackett.go): the
	// worth (summing to 1 over services), the rank by worth (ties share
	// PLRank..PLRankTo), the SE of the centred log-worth and the 95% rank
	// interval from the normal approximation (0 and NaN below the minimum
	// base or when the fit is not identified).
	PLWorth, PLLogWorthSE float64
	PLRank, PLRankTo      int
	PLRankLow, PLRankHigh int
	N                     int
	LowBase               bool
	at                    bootIndex
}

// painLot returns the 0-based lot whose budget equals today's spending, or
// the nearest below it, or -1.
func painLot(budgets []int, asNowCost int) int {
	best := -1
	for k, b := range budgets {
		if b <= asNowCost && (best < 0 || b > budgets[best]) {
			best = k
		}
	}
	return best
}

// scores returns, for segment v of tally t, the weighted share buying each
// service first at each lot (service -> lot index, k = never) and the
// segment's weighted total.
func scores(t *tally, cellW []float64, v int, out []float64) []float64 {
	out = out[:0]
	for s := range t.s {
		var num, den float64
		for c := range t.gc {
			w := cellW[c]
			row := t.first[((s*t.v+v)*t.gc+c)*(t.k+1):]
			for j := 0; j <= t.k; j++ {
				num += w * row[j] * float64(j+1)
				den += w * row[j]
			}
		}
		out = append(out, num/den)
	}
	return out
}

// rankRanges returns the rank range of every score, 1 for the lowest:
// equal scores share lo..hi. A NaN score (no respondents) gets 0, 0.
func rankRanges(score []float64, lo, hi []int) ([]int, []int) {
	idx := make([]int, 0, len(score))
	for i, x := range score {
		if !math.IsNaN(x) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case score[a] < score[b]:
			return -1
		case score[a] > score[b]:
			return 1
		}
		return 0
	})
	lo = slices.Grow(lo[:0], len(score))[:len(score)]
	hi = slices.Grow(hi[:0], len(score))[:len(score)]
	clear(lo)
	clear(hi)
	for r := 0; r < len(idx); {
		e := r + 1
		for e < len(idx) && tied(score[idx[e]], score[idx[r]]) {
			e++
		}
		for _, i := range idx[r:e] {
			lo[i], hi[i] = r+1, e
		}
		r = e
	}
	return lo, hi
}

// tied reports whether two scores are equal up to rounding.
func tied(a, b float64) bool { return a == b || math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(a)) }

// priorities computes the priority table of every segment of a view.
func (e *estimator) priorities(t *tally, vw view, vi int, budgets []int) []Priority {
	g := e.d.g
	pl := -1
	if budgets != nil {
		pl = painLot(budgets, g.AsNowCost())
	}
	stLot := len(t.stages) - t.k
	seg, all, rest := newCellSums(t.gc), newCellSums(t.gc), newCellSums(t.gc)
	// stat estimates the domain mean that fill describes, cell by cell, for
	// segment v of t and, for a segment, tests it against the rest of the
	// whole sample (the same fill on the whole tally, less the segment).
	stat := func(v int, fill func(t *tally, v, c int, cs *cellSums)) (m, se float64, differs, tested bool) {
		seg.reset()
		for c := range t.gc {
			fill(t, v, c, seg)
		}
		if vw.of == nil {
			return e.meanStat(seg, nil)
		}
		all.reset()
		for c := range t.gc {
			fill(e.whole, 0, c, all)
		}
		rest.minus(all, seg)
		return e.meanStat(seg, rest)
	}
	// indicator adds the cell's respondents of segment v, yes of them with
	// the attribute.
	indicator := func(t *tally, v, c int, yes float64, cs *cellSums) {
		n := t.segN[v*t.gc+c]
		cs.add(c, 1, yes)
		cs.add(c, 0, n-yes)
	}
	var out []Priority
	var sc []float64
	var rk, rkTo []int
	plfs := e.plackettLuceView(vw, uint64(vi)*1000)
	for v, value := range vw.values {
		sc = scores(t, e.des.cellW, v, sc)
		rk, rkTo = rankRanges(sc, rk, rkTo)
		var segN float64
		for c := range t.gc {
			segN += t.segN[v*t.gc+c]
		}
		plf := plfs[v]
		for s := range g.Services {
			sv := &g.Services[s]
			p := Priority{SegmentVariable: vw.variable, Segment: value, Service: sv.Key, Rank: rk[s], RankTo: rkTo[s], Score: sc[s],
				Pain: math.NaN(), PainSE: math.NaN(), Unacceptable: math.NaN(), UnacceptableSE: math.NaN(),
				N: int(segN), LowBase: segN < float64(e.minBase), at: bootIndex{view: vi, value: v, service: s}}
			p.PLWorth, p.PLLogWorthSE = math.NaN(), math.NaN()
			if plf.ok {
				p.PLWorth, p.PLRank, p.PLRankTo = plf.worth[s], plf.rank[s], plf.rankTo[s]
				if segN >= float64(e.minBase) && plf.rankLo != nil {
					p.PLLogWorthSE, p.PLRankLow, p.PLRankHigh = plf.se[s], plf.rankLo[s], plf.rankHi[s]
				}
			}
			// Among those who ever bought: the first lot (1-based).
			p.PurchaseLot, p.PurchaseLotSE, p.PurchaseLotDiffers, p.PurchaseLotTested = stat(v, func(t *tally, v, c int, cs *cellSums) {
				row := t.first[((s*t.v+v)*t.gc+c)*(t.k+1):]
				for j := 0; j < t.k; j++ {
					cs.add(c, float64(j+1), row[j])
				}
			})
			p.NeverBought, p.NeverBoughtSE, p.NeverBoughtDiffers, p.NeverBoughtTested = stat(v, func(t *tally, v, c int, cs *cellSums) {
				indicator(t, v, c, t.first[((s*t.v+v)*t.gc+c)*(t.k+1)+t.k], cs)
			})
			if pl >= 0 {
				asNow := sv.AsNowLevel()
				p.Pain, p.PainSE, p.PainDiffers, p.PainTested = stat(v, func(t *tally, v, c int, cs *cellSums) {
					row := t.at(stLot+pl, s, v, c)
					below := 0.0
					for l := 1; l < asNow; l++ {
						below += row[l]
					}
					indicator(t, v, c, below, cs)
				})
			}
			if e.d.unacc != nil {
				p.Unacceptable, p.UnacceptableSE, p.UnacceptableDiffers, p.UnacceptableTested = stat(v, func(t *tally, v, c int, cs *cellSums) {
					indicator(t, v, c, t.below[(s*t.v+v)*t.gc+c], cs)
				})
			}
			out = append(out, p)
		}
	}
	return out
}

// finalShares returns, for segment v of t, the weighted share of each level
// of each service at the final lot (service -> level -> share).
func finalShares(t *tally, cellW []float64, v int) [][]float64 {
	st := len(t.stages) - 1
	out := make([][]float64, t.s)
	for s := range t.s {
		out[s] = make([]float64, t.l)
		den := 0.0
		for c := range t.gc {
			w := cellW[c]
			row := t.at(st, s, v, c)
			for l := 1; l < t.l; l++ {
				out[s][l] += w * row[l]
				den += w * row[l]
			}
		}
		if den > 0 {
			for l := range out[s] {
				out[s][l] /= den
			}
		}
	}
	return out
}
