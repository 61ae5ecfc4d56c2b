package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/budgetgrid/budgetgrid/grid"
)

// lotShares returns, for segment v of t, the weighted share of each level
// of each service at stage st (service -> level -> share).
func lotShares(t *tally, cellW []float64, v, st int) [][]float64 {
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

// lotSupports returns each lot's support for segment v of t.
func lotSupports(t *tally, cellW []float64, v int) []Support {
	first := len(t.stages) - t.k
	out := make([]Support, t.k)
	for k := range t.k {
		out[k] = supportFromShares(lotShares(t, cellW, v, first+k))
	}
	return out
}

// packagesOf adds, for every segment of a view with respondents, the vote
// and majority packages at every lot budget, their coverage, and the
// curve: the lots' votes at their budgets and the nested ladder between
// and beyond them.
func (rep *Report) packagesOf(d *data, t *tally, cellOf []int32, cellW []float64, vw view, vi int, budgets []int) {
	g := d.g
	if budgets == nil {
		return
	}
	type segPk struct {
		sup     []Support
		pk      [][2]grid.Package // lot -> vote, majority
		present bool
	}
	segs := make([]segPk, len(vw.values))
	for v := range vw.values {
		n := 0.0
		for c := range t.gc {
			n += t.segN[v*t.gc+c]
		}
		if n == 0 {
			continue
		}
		sp := segPk{sup: lotSupports(t, cellW, v), present: true, pk: make([][2]grid.Package, d.k)}
		segs[v] = sp
	}
	// Coverage of every segment's packages in one pass per lot.
	type cov struct{ w, exact, within, dist [2]float64 }
	covs := make([][]cov, len(vw.values)) // value -> lot
	curves := make([][]*Curve, len(vw.values))
	for v := range segs {
		if !segs[v].present {
			continue
		}
		covs[v] = make([]cov, d.k)
		curves[v] = make([]*Curve, d.k)
		for k := range d.k {
			curves[v][k] = OptimumCurve(g, segs[v].sup[k])
			p, _ := curves[v][k].At(budgets[k])
			segs[v].pk[k] = [2]grid.Package{p, majorityPackage(segs[v].sup[k])}
		}
	}
	pts := make([][]int, d.s)
	for s := range d.s {
		for _, lv := range g.Services[s].Levels {
			pts[s] = append(pts[s], lv.Points)
		}
	}
	// For each segment, lot and package, a table per service and level of
	// the packed sum dist<<16 | notWithin<<8 | notExact, so a respondent's
	// coverage is one addition per service.
	L := d.maxLevel + 1
	tabs := make([][][2][]uint64, len(vw.values))
	for v := range segs {
		if !segs[v].present {
			continue
		}
		tabs[v] = make([][2][]uint64, d.k)
		for k := range d.k {
			for j := range 2 {
				p := segs[v].pk[k][j]
				tab := make([]uint64, d.s*L)
				for s := range d.s {
					for l := 1; l <= len(pts[s]); l++ {
						diff := l - p[s]
						if diff == 0 {
							continue
						}
						x := pts[s][l-1] - pts[s][p[s]-1]
						if x < 0 {
							x = -x
						}
						c := uint64(x)<<16 | 1
						if diff > 1 || diff < -1 {
							c |= 1 << 8
						}
						tab[s*L+l] = c
					}
				}
				tabs[v][k][j] = tab
			}
		}
	}
	for i := range d.n {
		v := 0
		if vw.of != nil {
			v = int(vw.of[i])
			if v < 0 {
				continue
			}
		}
		if !segs[v].present {
			continue
		}
		w := cellW[cellOf[i]]
		for k := range d.k {
			own := d.lots[(i*d.k+k)*d.s : (i*d.k+k+1)*d.s]
			cv := &covs[v][k]
			for j := range 2 {
				tab := tabs[v][k][j]
				var sum uint64
				for s, l := range own {
					sum += tab[s*L+int(l)]
				}
				cv.w[j] += w
				if sum&0xff == 0 {
					cv.exact[j] += w
				}
				if (sum>>8)&0xff == 0 {
					cv.within[j] += w
				}
				cv.dist[j] += w * float64(sum>>16)
			}
		}
	}
	first := len(t.stages) - t.k
	for v, value := range vw.values {
		if !segs[v].present {
			continue
		}
		var segN float64
		for c := range t.gc {
			segN += t.segN[v*t.gc+c]
		}
		for k := range d.k {
			sh := lotShares(t, cellW, v, first+k)
			sup := segs[v].sup[k]
			for j, kind := range []string{PackageVote, PackageMajority} {
				p := segs[v].pk[k][j]
				cost, _ := g.Cost(p)
				cv := covs[v][k]
				lp := LotPackage{SegmentVariable: vw.variable, Segment: value, Lot: k + 1, Budget: budgets[k], Kind: kind,
					Package: p, Cost: cost, Unspent: budgets[k] - cost, Support: supportOfPackage(g, sup, p),
					RunnerUpSupport: math.NaN(), N: int(segN)}
				if cv.w[j] > 0 {
					lp.ExactShare, lp.WithinOneShare, lp.MeanDistance = cv.exact[j]/cv.w[j], cv.within[j]/cv.w[j], cv.dist[j]/cv.w[j]
				}
				if kind == PackageVote {
					ru, rs := curves[v][k].RunnerUp(budgets[k])
					if ru != nil {
						lp.RunnerUp, lp.RunnerUpSupport = ru, rs
						lp.Flat = lp.Support-rs < FlatWithin
					}
				}
				rep.Packages = append(rep.Packages, lp)
				for s, l := range p {
					rep.Optimum = append(rep.Optimum, OptimumLevel{SegmentVariable: vw.variable, Segment: value, Lot: k + 1, Budget: budgets[k],
						Kind: kind, Service: g.Services[s].Key, Level: l, ChoseShare: sh[s][l], AtLeastShare: sup[s][l],
						SelectedShare: math.NaN(), at: bootIndex{vi, v, k, s}})
				}
			}
		}
		rep.Curve = append(rep.Curve, ladder(g, vw.variable, value, budgets, segs[v].sup, segs[v].pk)...)
	}
}

// ladder builds the curve of one segment: at every budget from the base
// cost to the maximum cost, the lot's vote where the budget is a lot's
// budget, otherwise a nested ladder. Between two consecutive lot budgets
// (the base package at the base cost counting as the first rung) the
// ladder starts from the lower package and buys, one step at a time, the
// steps that lead to the higher lot's vote, the step with the most support
// per point (at the higher lot) first, free steps first; a budget gets the
// longest run of steps that it affords. Above the highest lot budget it
// keeps buying, from the highest lot's support, every step somebody chose
// at that lot. So a service's level never falls as the budget rises, except
// where two lots' votes are themselves not nested, which the packages
// table shows.
func ladder(g *grid.Grid, variable, value string, budgets []int, sup []Support, pk [][2]grid.Package) []CurvePoint {
	order := make([]int, len(budgets))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return budgets[a] - budgets[b] })
	base := g.BasePackage()
	baseCost, _ := g.Cost(base)
	maxCost := g.MaxCost()
	byBudget := map[int]int{} // budget -> lot (the first lot with it)
	for _, k := range order {
		if _, ok := byBudget[budgets[k]]; !ok {
			byBudget[budgets[k]] = k
		}
	}
	var out []CurvePoint
	add := func(b int, p grid.Package, basis string, lot int) {
		cost, _ := g.Cost(p)
		out = append(out, CurvePoint{SegmentVariable: variable, Segment: value, Budget: b, Cost: cost,
			Support: supportOfPackage(g, sup[lot], p), Package: slices.Clone(p), Basis: basis, Lot: lot + 1})
	}
	if len(order) == 0 {
		return nil
	}
	if _, ok := byBudget[baseCost]; !ok {
		add(baseCost, base, BasisInterpolation, order[0])
	}
	lower, lowerBudget := base, baseCost
	for _, k := range order {
		if byBudget[budgets[k]] != k || budgets[k] < baseCost {
			continue
		}
		target := pk[k][0]
		from := make(grid.Package, len(target))
		for s := range from {
			from[s] = min(lower[s], target[s])
		}
		steps := climb(g, sup[k], from, target)
		for b := lowerBudget + 1; b < budgets[k] && b <= maxCost; b++ {
			add(b, affordable(g, from, steps, b), BasisInterpolation, k)
		}
		if budgets[k] <= maxCost {
			add(budgets[k], target, BasisLot, k)
		}
		lower, lowerBudget = target, budgets[k]
	}
	{
		k := order[len(order)-1]
		top := make(grid.Package, len(lower))
		for s := range top {
			top[s] = lower[s]
			for l := lower[s] + 1; l <= len(g.Services[s].Levels); l++ {
				if sup[k][s][l] > 0 {
					top[s] = l
				}
			}
		}
		steps := climb(g, sup[k], lower, top)
		for b := max(lowerBudget+1, baseCost); b <= maxCost; b++ {
			add(b, affordable(g, lower, steps, b), BasisExtrapolation, k)
		}
	}
	return out
}

// step is one level bought on a service.
type step struct{ service, level int }

// climb orders the steps from package from up to package to (from ≤ to on
// every service): repeatedly the next step of some service with the most
// support per point, a free step first; ties in grid order.
func climb(g *grid.Grid, v Support, from, to grid.Package) []step {
	at := slices.Clone(from)
	var out []step
	for {
		best, bestRatio := -1, math.Inf(-1)
		for s := range at {
			if at[s] >= to[s] {
				continue
			}
			l := at[s] + 1
			lv := g.Services[s].Levels
			dc := float64(lv[l-1].Points - lv[l-2].Points)
			r := math.Inf(1)
			if dc > 0 {
				r = v[s][l] / dc
			}
			if r > bestRatio {
				best, bestRatio = s, r
			}
		}
		if best < 0 {
			return out
		}
		at[best]++
		out = append(out, step{best, at[best]})
	}
}

// affordable applies the longest run of steps whose package costs at most b.
func affordable(g *grid.Grid, from grid.Package, steps []step, b int) grid.Package {
	p := slices.Clone(from)
	cost, _ := g.Cost(p)
	for _, st := range steps {
		lv := g.Services[st.service].Levels
		c := cost + lv[st.level-1].Points - lv[st.level-2].Points
		if c > b {
			break
		}
		p[st.service], cost = st.level, c
	}
	return p
}

// nestingNotes says where two lots' votes are not nested: a service whose
// level falls from a lower budget's vote to a higher budget's.
func nestingNotes(g *grid.Grid, pk []LotPackage) []string {
	var notes []string
	type key struct{ v, s string }
	votes := map[key][]LotPackage{}
	var keys []key
	for _, p := range pk {
		if p.Kind != PackageVote {
			continue
		}
		k := key{p.SegmentVariable, p.Segment}
		if _, ok := votes[k]; !ok {
			keys = append(keys, k)
		}
		votes[k] = append(votes[k], p)
	}
	for _, k := range keys {
		ps := votes[k]
		slices.SortStableFunc(ps, func(a, b LotPackage) int { return a.Budget - b.Budget })
		for i := 1; i < len(ps); i++ {
			var falls []string
			for s := range ps[i].Package {
				if ps[i].Package[s] < ps[i-1].Package[s] {
					falls = append(falls, fmt.Sprintf("%s %d (was %d)", g.Services[s].Key, ps[i].Package[s], ps[i-1].Package[s]))
				}
			}
			if len(falls) == 0 {
				continue
			}
			who := "whole sample"
			if k.v != "" {
				who = k.v + "=" + k.s
			}
			notes = append(notes, fmt.Sprintf("%s: the lots' votes are not nested: at lot %d (%d points) %s, below the vote at lot %d (%d points)",
				who, ps[i].Lot, ps[i].Budget, strings.Join(falls, ", "), ps[i-1].Lot, ps[i-1].Budget))
		}
	}
	return notes
}
