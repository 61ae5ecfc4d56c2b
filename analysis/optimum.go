package analysis

import (
	"math"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Support holds, for every service (grid order) and level number l, v[s][l]:
// the weighted share of respondents whose level of s at one lot is at least
// l. Index 0 is unused; v[s][1] is 1.
type Support [][]float64

// Curve is the knapsack vote (Goel et al. 2019) of one lot's packages at
// every total budget from the base cost to the maximum cost: the package
// maximising Σ_s Σ_{l ≤ chosen level} v(s,l)·(cost(s,l) − cost(s,l−1)),
// solved exactly by dynamic programming over integer points. That sum is
// in points: the mean, over residents, of the points of the package's
// steps above the base that the resident also bought.
//
// Only steps somebody chose are candidates (a step nobody chose adds no
// support and is never bought), and a step that costs no more than the
// level below is bought whenever somebody chose it. The DP keeps the two
// best distinct packages at every budget, so the runner-up (and whether
// the objective is flat) is known.
type Curve struct {
	g        *grid.Grid
	base     int
	maxCost  int
	choice   [][][2]dpPick // service -> extra budget -> rank -> choice
	value    [][2]float64  // extra budget -> best and runner-up support
	pointsOf [][]int       // service -> level -> points above level 1
}

// dpPick is one DP choice: the level of this service and the rank (0 best,
// 1 runner-up) of the partial package of the services before it.
type dpPick struct{ level, prev uint8 }

// OptimumCurve solves the knapsack vote for every budget.
func OptimumCurve(g *grid.Grid, v Support) *Curve {
	c := &Curve{g: g}
	for s := range g.Services {
		c.base += g.Services[s].Levels[0].Points
	}
	c.maxCost = g.MaxCost()
	e := c.maxCost - c.base
	c.choice = make([][][2]dpPick, len(g.Services))
	c.pointsOf = make([][]int, len(g.Services))
	neg := math.Inf(-1)
	prev := make([][2]float64, e+1) // best two values of services before s, at most b extra points
	cur := make([][2]float64, e+1)
	for b := range prev {
		prev[b] = [2]float64{0, neg}
	}
	gain := make([]float64, 0, 8)
	cand := make([]int, 0, 8)
	for s := range g.Services {
		lv := g.Services[s].Levels
		c.pointsOf[s] = make([]int, len(lv)+1)
		gain = append(gain[:0], 0) // gain[l-1]: support of levels 2..l
		total := 0.0
		for l := 1; l <= len(lv); l++ {
			c.pointsOf[s][l] = lv[l-1].Points - lv[0].Points
			if l > 1 {
				total += v[s][l] * float64(lv[l-1].Points-lv[l-2].Points)
				gain = append(gain, total)
			}
		}
		// Candidate levels: level 1 and every level somebody chose, less
		// those a free step above (chosen by somebody) dominates.
		cand = cand[:0]
		for l := 1; l <= len(lv); l++ {
			if l > 1 && !(v[s][l] > 0) {
				break
			}
			if l < len(lv) && lv[l].Points == lv[l-1].Points && v[s][l+1] > 0 {
				continue
			}
			cand = append(cand, l)
		}
		ch := make([][2]dpPick, e+1)
		for b := 0; b <= e; b++ {
			best := [2]float64{neg, neg}
			var bp [2]dpPick
			for _, l := range cand {
				p := c.pointsOf[s][l]
				if p > b {
					continue
				}
				for r := range 2 {
					x := prev[b-p][r] + gain[l-1]
					if math.IsInf(x, -1) {
						continue
					}
					switch {
					case x > best[0]:
						best[1], bp[1] = best[0], bp[0]
						best[0], bp[0] = x, dpPick{uint8(l), uint8(r)}
					case x > best[1]:
						best[1], bp[1] = x, dpPick{uint8(l), uint8(r)}
					}
				}
			}
			cur[b], ch[b] = best, bp
		}
		c.choice[s] = ch
		prev, cur = cur, prev
	}
	c.value = prev
	return c
}

// BaseCost is the cost of the base package (level 1 everywhere).
func (c *Curve) BaseCost() int { return c.base }

// MaxCost is the cost of the most expensive package.
func (c *Curve) MaxCost() int { return c.maxCost }

func (c *Curve) extra(b int) int { return min(max(b-c.base, 0), c.maxCost-c.base) }

// At returns the resident-preferred package at total budget b points and its
// total support. A budget below the base cost gets the base package; above
// the maximum, the maximum's optimum.
func (c *Curve) At(b int) (grid.Package, float64) {
	e := c.extra(b)
	return c.trace(e, 0), c.value[e][0]
}

// RunnerUp returns the best package at budget b other than At's, and its
// support; nil and -Inf when there is no other package.
func (c *Curve) RunnerUp(b int) (grid.Package, float64) {
	e := c.extra(b)
	if math.IsInf(c.value[e][1], -1) {
		return nil, math.Inf(-1)
	}
	return c.trace(e, 1), c.value[e][1]
}

func (c *Curve) trace(e, rank int) grid.Package {
	p := make(grid.Package, len(c.choice))
	for s := len(c.choice) - 1; s >= 0; s-- {
		pk := c.choice[s][e][rank]
		l := int(pk.level)
		p[s] = l
		e -= c.pointsOf[s][l]
		rank = int(pk.prev)
	}
	return p
}

// supportFromShares turns level shares (service -> level -> share) into
// cumulative support v(s,l) = share at level ≥ l.
func supportFromShares(shares [][]float64) Support {
	v := make(Support, len(shares))
	for s, sh := range shares {
		v[s] = make([]float64, len(sh))
		acc := 0.0
		for l := len(sh) - 1; l >= 1; l-- {
			acc += sh[l]
			v[s][l] = acc
		}
	}
	return v
}

// majorityPackage buys a step only when more than half (weighted) bought
// it: the highest level l with v(s,l) > 1/2.
func majorityPackage(v Support) grid.Package {
	p := make(grid.Package, len(v))
	for s := range v {
		p[s] = 1
		for l := 2; l < len(v[s]); l++ {
			if v[s][l] > 0.5 {
				p[s] = l
			}
		}
	}
	return p
}

// supportOfPackage is Σ_s Σ_{2 ≤ l ≤ p_s} v(s,l)·Δcost(s,l), in points.
func supportOfPackage(g *grid.Grid, v Support, p grid.Package) float64 {
	total := 0.0
	for s, l := range p {
		lv := g.Services[s].Levels
		for m := 2; m <= l; m++ {
			total += v[s][m] * float64(lv[m-1].Points-lv[m-2].Points)
		}
	}
	return total
}

// Package kinds in the packages and optimum tables.
const (
	// PackageVote is the knapsack vote of one lot's packages at its budget.
	PackageVote = "vote"
	// PackageMajority buys each step a weighted majority bought at the lot.
	PackageMajority = "majority"
)

// FlatWithin is the support gap (in points) under which the knapsack
// vote's objective is called flat: the runner-up package is within one
// point of unanimous support of the chosen one.
const FlatWithin = 1.0

// LotPackage is a package for one lot (the vote or the majority package)
// with how well it describes the residents' own packages at that lot.
type LotPackage struct {
	SegmentVariable, Segment string // empty for the whole sample
	Lot                      int    // 1-based
	Budget                   int    // the lot's budget in points
	Kind                     string // PackageVote or PackageMajority
	Package                  grid.Package
	Cost                     int
	// Unspent is Budget − Cost (negative when the package overspends, as a
	// majority package can).
	Unspent int
	// Support is the knapsack-vote objective in points: the weighted mean,
	// over the lot's residents, of the points of the package's steps above
	// the base that the resident also bought.
	Support float64
	// RunnerUp and RunnerUpSupport are the best other package (vote only;
	// nil and NaN otherwise or when there is none); Flat is true when the
	// gap is below FlatWithin points.
	RunnerUp        grid.Package
	RunnerUpSupport float64
	Flat            bool
	// Coverage: the weighted share of residents whose package at the lot
	// is exactly this one, the share within one level of it on every
	// service, and the weighted mean over residents of Σ_s |points of the
	// resident's level − points of the package's level|.
	ExactShare, WithinOneShare, MeanDistance float64
	N                                        int
}

// OptimumLevel is one service's level in a lot's package (vote or
// majority), with the residents' agreement: the weighted share at that lot
// who chose exactly this level (ChoseShare) and at least it (AtLeastShare,
// v(s,l)); and, for the vote, the share of bootstrap replicates whose vote
// chose the same level (SelectedShare, NaN without bootstrap) — the
// stability of the estimate, not residents' agreement.
type OptimumLevel struct {
	SegmentVariable, Segment string // empty for the whole sample
	Lot                      int    // 1-based
	Budget                   int    // the lot's budget, in points
	Kind                     string
	Service                  string
	Level                    int
	ChoseShare, AtLeastShare float64
	SelectedShare            float64
	at                       bootIndex
}

// bootIndex locates a row in the bootstrap arrays: view, segment value,
// budget index and service.
type bootIndex struct{ view, value, budget, service int }

// Curve bases: how a curve row's package was found.
const (
	// BasisLot: the budget is a lot's budget and the package is that lot's
	// knapsack vote.
	BasisLot = "lot"
	// BasisInterpolation: between the base cost and the highest lot
	// budget, from the nested ladder between the lots' packages.
	BasisInterpolation = "interpolation"
	// BasisExtrapolation: above the highest lot budget, no resident chose
	// at that budget; the ladder continues with the highest lot's support.
	BasisExtrapolation = "extrapolation"
)

// CurvePoint is the package at one total budget: a lot's vote at a lot's
// budget, otherwise a step of the nested ladder (see Basis).
type CurvePoint struct {
	SegmentVariable, Segment string       // empty for the whole sample
	Budget                   int          // total budget in points
	Cost                     int          // cost of the package, at most Budget
	Support                  float64      // in points, against the Lot's support
	Package                  grid.Package // level per service, grid order
	Basis                    string       // BasisLot, BasisInterpolation or BasisExtrapolation
	Lot                      int          // the lot whose support scores the package (1-based)
}
