package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// randomGrid makes a small grid with random cumulative costs and random
// non-increasing support.
func randomGrid(rng *rand.Rand) (*grid.Grid, Support) {
	g := &grid.Grid{}
	ns := 1 + rng.IntN(4)
	v := make(Support, ns)
	for s := range ns {
		nl := 2 + rng.IntN(4)
		sv := grid.Service{Key: string(rune('a' + s))}
		pts := rng.IntN(3)
		v[s] = make([]float64, nl+1)
		v[s][1] = 1
		for l := 1; l <= nl; l++ {
			if l > 1 {
				pts += rng.IntN(6)
				v[s][l] = v[s][l-1] * rng.Float64()
			}
			sv.Levels = append(sv.Levels, grid.Level{Number: l, Points: pts, AsNow: l == 1})
		}
		g.Services = append(g.Services, sv)
	}
	return g, v
}

func supportOf(g *grid.Grid, v Support, p grid.Package) float64 {
	total := 0.0
	for s, l := range p {
		lv := g.Services[s].Levels
		for m := 2; m <= l; m++ {
			total += v[s][m] * float64(lv[m-1].Points-lv[m-2].Points)
		}
	}
	return total
}

// bruteForce returns the best support of any package costing at most b.
func bruteForce(g *grid.Grid, v Support, b int) float64 {
	best := math.Inf(-1)
	p := g.BasePackage()
	var walk func(s int)
	walk = func(s int) {
		if s == len(p) {
			if c, _ := g.Cost(p); c <= b {
				best = math.Max(best, supportOf(g, v, p))
			}
			return
		}
		for l := 1; l <= len(g.Services[s].Levels); l++ {
			p[s] = l
			walk(s + 1)
		}
		p[s] = 1
	}
	walk(0)
	return best
}

func TestOptimumMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		g, v := randomGrid(rng)
		c := OptimumCurve(g, v)
		for b := c.BaseCost(); b <= c.MaxCost(); b++ {
			p, val := c.At(b)
			cost, err := g.Cost(p)
			if err != nil || cost > b {
				t.Fatalf("trial %d budget %d: package %v costs %d (%v)", trial, b, p, cost, err)
			}
			if got := supportOf(g, v, p); math.Abs(got-val) > 1e-9 {
				t.Fatalf("trial %d budget %d: reported support %g, package has %g", trial, b, val, got)
			}
			if want := bruteForce(g, v, b); math.Abs(val-want) > 1e-9 {
				t.Fatalf("trial %d budget %d: DP support %g, brute force %g", trial, b, val, want)
			}
		}
	}
}
