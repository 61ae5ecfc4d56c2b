package analysis

import (
	"github.com/budgetgrid/budgetgrid/grid"
)

// Support holds, for every service (grid order) and level number l, v[s][l]:
// the weighted share of respondents whose final-lot level of s is at least
// l. Index 0 is unused; v[s][1] is 1.
type Support [][]float64

// Curve is the resident-preferred package at every total budget from the
// base cost to the maximum cost: the multiple-choice knapsack maximising
// Σ_s Σ_{l ≤ chosen level} v(s,l)·(cost(s,l) − cost(s,l−1)), solved exactly
// by dynamic programming over integer points.
type Curve struct {
	g        *grid.Grid
	base     int
	maxCost  int
	choice   [][]uint8 // service -> extra budget -> level chosen for services 0..s
	value    []float64 // extra budget -> best total support
	pointsOf [][]int   // service -> level -> points above level 1
}

// OptimumCurve solves the resident-preferred package for every budget.
// Ties go to the lower level, so a package never buys support of zero.
func OptimumCurve(g *grid.Grid, v Support) *Curve {
	c := &Curve{g: g}
	for s := range g.Services {
		c.base += g.Services[s].Levels[0].Points
	}
	c.maxCost = g.MaxCost()
	e := c.maxCost - c.base
	c.choice = make([][]uint8, len(g.Services))
	c.pointsOf = make([][]int, len(g.Services))
	prev := make([]float64, e+1) // best value of services before s, at most b extra points
	cur := make([]float64, e+1)
	gain := make([]float64, 0, 8)
	for s := range g.Services {
		lv := g.Services[s].Levels
		c.pointsOf[s] = make([]int, len(lv)+1)
		gain = gain[:0]
		total := 0.0
		for l := 1; l <= len(lv); l++ {
			c.pointsOf[s][l] = lv[l-1].Points - lv[0].Points
			if l > 1 {
				total += v[s][l] * float64(lv[l-1].Points-lv[l-2].Points)
			}
			gain = append(gain, total)
		}
		ch := make([]uint8, e+1)
		for b := 0; b <= e; b++ {
			best, bestL := prev[b], 1
			for l := 2; l <= len(lv); l++ {
				p := c.pointsOf[s][l]
				if p > b {
					continue
				}
				if x := prev[b-p] + gain[l-1]; x > best {
					best, bestL = x, l
				}
			}
			cur[b], ch[b] = best, uint8(bestL)
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

// At returns the resident-preferred package at total budget b points and its
// total support. A budget below the base cost gets the base package; above
// the maximum, the maximum's optimum.
func (c *Curve) At(b int) (grid.Package, float64) {
	e := min(max(b-c.base, 0), c.maxCost-c.base)
	p := make(grid.Package, len(c.choice))
	val := c.value[e]
	for s := len(c.choice) - 1; s >= 0; s-- {
		l := int(c.choice[s][e])
		p[s] = l
		e -= c.pointsOf[s][l]
	}
	return p, val
}

// supportFromShares turns final-lot level shares (service -> level -> share)
// into cumulative support v(s,l) = share at level ≥ l.
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

// OptimumLevel is one service's level in the resident-preferred package at
// a budget, with the share of bootstrap replicates whose package at that
// budget chose the same level (NaN without bootstrap).
type OptimumLevel struct {
	SegmentVariable, Segment string // empty for the whole sample
	Budget                   int    // a lot budget, in points
	Service                  string
	Level                    int
	SelectedShare            float64
	at                       bootIndex
}

// bootIndex locates a row in the bootstrap arrays: view, segment value,
// budget index and service.
type bootIndex struct{ view, value, budget, service int }

// CurvePoint is the resident-preferred package at one total budget.
type CurvePoint struct {
	SegmentVariable, Segment string       // empty for the whole sample
	Budget                   int          // total budget in points
	Cost                     int          // cost of the package, at most Budget
	Support                  float64      // Σ v(s,l)·Δcost(s,l) of the package
	Package                  grid.Package // level per service, grid order
}
