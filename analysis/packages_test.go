package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// smallGrid has three services; "parks" has a free step (levels 2 and 3
// cost the same).
func smallGrid() *grid.Grid {
	mk := func(key string, pts ...int) grid.Service {
		sv := grid.Service{Key: key, Name: key}
		for i, p := range pts {
			sv.Levels = append(sv.Levels, grid.Level{Number: i + 1, Points: p, AsNow: i == 1})
		}
		return sv
	}
	return &grid.Grid{Services: []grid.Service{mk("roads", 0, 4, 8), mk("parks", 0, 3, 3, 6), mk("bins", 0, 2, 5)}}
}

// randomRecords draws packages within each lot's budget (not additive).
func randomRecords(g *grid.Grid, plan grid.LotPlan, n int, seed uint64) []grid.Record {
	rng := rand.New(rand.NewPCG(seed, 9))
	var recs []grid.Record
	for i := range n {
		r := grid.Record{ResponseID: fmt.Sprintf("r%d", i), Channel: "online", About: map[string]string{"sex": []string{"female", "male"}[rng.IntN(2)]}}
		for _, b := range plan.Budgets {
			for {
				p := make(grid.Package, len(g.Services))
				for s := range p {
					p[s] = 1 + rng.IntN(len(g.Services[s].Levels))
				}
				if c, _ := g.Cost(p); c <= b {
					r.Lots = append(r.Lots, p)
					break
				}
			}
		}
		recs = append(recs, r)
	}
	return recs
}

// overlap is the points of package p's steps above the base that a
// resident with package own also bought.
func overlap(g *grid.Grid, own, p grid.Package) int {
	t := 0
	for s := range p {
		lv := g.Services[s].Levels
		t += lv[min(own[s], p[s])-1].Points - lv[0].Points
	}
	return t
}

// everyPackage calls f on every package of g.
func everyPackage(g *grid.Grid, f func(grid.Package)) {
	p := g.BasePackage()
	var walk func(s int)
	walk = func(s int) {
		if s == len(p) {
			f(slices.Clone(p))
			return
		}
		for l := 1; l <= len(g.Services[s].Levels); l++ {
			p[s] = l
			walk(s + 1)
		}
	}
	walk(0)
}

// TestVotePerLotFromItsOwnChoices: at every lot's budget the package is the
// knapsack vote of that lot's own packages (brute force over every package
// of the mean overlap with residents' packages at that lot), with budgets
// in descending order and lots not additive; its coverage is what counting
// residents' packages at that lot gives.
func TestVotePerLotFromItsOwnChoices(t *testing.T) {
	g := smallGrid()
	plan := grid.LotPlan{Budgets: []int{16, 11, 7}}
	recs := randomRecords(g, plan, 90, 3)
	rep, err := Analyse(Input{Grid: g, Plan: plan, Records: recs}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, pk := range rep.Packages {
		if pk.Kind != PackageVote || pk.SegmentVariable != "" {
			continue
		}
		k := pk.Lot - 1
		best, bestVal := grid.Package(nil), math.Inf(-1)
		everyPackage(g, func(p grid.Package) {
			if c, _ := g.Cost(p); c > plan.Budgets[k] {
				return
			}
			sum := 0
			for _, r := range recs {
				sum += overlap(g, r.Lots[k], p)
			}
			if v := float64(sum) / float64(len(recs)); v > bestVal+1e-12 {
				best, bestVal = p, v
			}
		})
		if math.Abs(pk.Support-bestVal) > 1e-9 {
			t.Errorf("lot %d: vote support %g, brute force best %g (%v)", pk.Lot, pk.Support, bestVal, best)
		}
		exact, within, dist := 0, 0, 0
		for _, r := range recs {
			own := r.Lots[k]
			if slices.Equal(own, pk.Package) {
				exact++
			}
			ok := true
			for s := range own {
				d := own[s] - pk.Package[s]
				ok = ok && d >= -1 && d <= 1
				dist += int(math.Abs(float64(g.Services[s].Levels[own[s]-1].Points - g.Services[s].Levels[pk.Package[s]-1].Points)))
			}
			if ok {
				within++
			}
		}
		n := float64(len(recs))
		if math.Abs(pk.ExactShare-float64(exact)/n) > 1e-12 || math.Abs(pk.WithinOneShare-float64(within)/n) > 1e-12 || math.Abs(pk.MeanDistance-float64(dist)/n) > 1e-9 {
			t.Errorf("lot %d coverage %g %g %g, counting gives %g %g %g", pk.Lot, pk.ExactShare, pk.WithinOneShare, pk.MeanDistance,
				float64(exact)/n, float64(within)/n, float64(dist)/n)
		}
		if cost, _ := g.Cost(pk.Package); cost > pk.Budget || pk.Unspent != pk.Budget-cost {
			t.Errorf("lot %d: cost %d unspent %d budget %d", pk.Lot, cost, pk.Unspent, pk.Budget)
		}
		checked++
	}
	if checked != 3 {
		t.Fatalf("%d vote packages checked, want 3", checked)
	}
}

// TestMajorityPackage: a step is in the majority package exactly when more
// than half of the lot's residents bought it; unspent can be negative.
func TestMajorityPackage(t *testing.T) {
	g := smallGrid()
	plan := grid.LotPlan{Budgets: []int{9, 14}}
	recs := randomRecords(g, plan, 75, 5)
	qs := []Question{{Key: "sex", Options: []string{"female", "male"}}}
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{By: []string{"sex"}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pk := range rep.Packages {
		if pk.Kind != PackageMajority {
			continue
		}
		n++
		for s := range g.Services {
			want := 1
			for l := 2; l <= len(g.Services[s].Levels); l++ {
				c, m := 0, 0
				for _, r := range recs {
					if pk.Segment != "" && r.About["sex"] != pk.Segment {
						continue
					}
					m++
					if r.Lots[pk.Lot-1][s] >= l {
						c++
					}
				}
				if 2*c > m {
					want = l
				}
			}
			if pk.Package[s] != want {
				t.Errorf("%s lot %d %s: majority level %d, want %d", pk.Segment, pk.Lot, g.Services[s].Key, pk.Package[s], want)
			}
		}
		if cost, _ := g.Cost(pk.Package); pk.Unspent != pk.Budget-cost {
			t.Errorf("unspent %d, budget %d cost %d", pk.Unspent, pk.Budget, cost)
		}
	}
	if n != 2*3 {
		t.Fatalf("%d majority packages, want 6", n)
	}
}

// TestFreeStepBought: parks level 3 costs what level 2 does; when
// residents chose it, the package has it (ties go up).
func TestFreeStepBought(t *testing.T) {
	g := smallGrid()
	plan := grid.LotPlan{Budgets: []int{3}}
	var recs []grid.Record
	for i := range 10 {
		recs = append(recs, grid.Record{ResponseID: fmt.Sprint(i), Lots: []grid.Package{{1, 3, 1}}})
	}
	rep, err := Analyse(Input{Grid: g, Plan: plan, Records: recs}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pk := range rep.Packages {
		if !slices.Equal(pk.Package, grid.Package{1, 3, 1}) || pk.ExactShare != 1 || pk.Support != 3 {
			t.Errorf("%s: package %v exact %g support %g, want 1;3;1, 1 and 3 points", pk.Kind, pk.Package, pk.ExactShare, pk.Support)
		}
	}
	// Nobody chose parks 3: the step is not bought.
	for i := range recs {
		recs[i].Lots[0] = grid.Package{1, 2, 1}
	}
	rep, err = Analyse(Input{Grid: g, Plan: plan, Records: recs}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Packages[0].Package; !slices.Equal(p, grid.Package{1, 2, 1}) {
		t.Errorf("package %v, want 1;2;1", p)
	}
}

// TestFlatObjective: half want roads 2 (4 points), half parks 2 (3
// points): supports 2 and 1.5 points, within one point: flat.
func TestFlatObjective(t *testing.T) {
	g := smallGrid()
	plan := grid.LotPlan{Budgets: []int{4}}
	var recs []grid.Record
	for i := range 20 {
		p := grid.Package{2, 1, 1}
		if i%2 == 1 {
			p = grid.Package{1, 2, 1}
		}
		recs = append(recs, grid.Record{ResponseID: fmt.Sprint(i), Lots: []grid.Package{p}})
	}
	rep, err := Analyse(Input{Grid: g, Plan: plan, Records: recs}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Packages[0]
	if v.Kind != PackageVote || !v.Flat || v.RunnerUp == nil || math.Abs(v.Support-2) > 1e-12 {
		t.Fatalf("vote %+v: want flat with support 2", v)
	}
	if !slices.Equal(v.RunnerUp, grid.Package{1, 2, 1}) || math.Abs(v.RunnerUpSupport-1.5) > 1e-12 {
		t.Fatalf("runner-up %v %g, want parks 2 with 1.5", v.RunnerUp, v.RunnerUpSupport)
	}
	// Unanimous roads 2: not flat (the runner-up is the base package).
	for i := range recs {
		recs[i].Lots[0] = grid.Package{2, 1, 1}
	}
	rep, _ = Analyse(Input{Grid: g, Plan: plan, Records: recs}, Options{})
	if v := rep.Packages[0]; v.Flat || !slices.Equal(v.Package, grid.Package{2, 1, 1}) {
		t.Fatalf("vote %+v: want roads 2, not flat", v)
	}
}

// TestRunnerUpMatchesBruteForce: the DP's second-best package is the best
// package other than the first among the candidates (supported steps, free
// steps chosen by somebody taken).
func TestRunnerUpMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	for trial := range 200 {
		g, v := randomGrid(rng)
		for s := range v {
			for l := 2; l < len(v[s]); l++ {
				if rng.IntN(4) == 0 {
					v[s][l] = 0 // nobody chose it, nor anything above
					for m := l + 1; m < len(v[s]); m++ {
						v[s][m] = 0
					}
				}
			}
		}
		c := OptimumCurve(g, v)
		for b := c.BaseCost(); b <= c.MaxCost(); b++ {
			var vals []float64
			everyPackage(g, func(p grid.Package) {
				if cost, _ := g.Cost(p); cost > b {
					return
				}
				for s, l := range p {
					lv := g.Services[s].Levels
					if l > 1 && v[s][l] == 0 {
						return
					}
					if l < len(lv) && lv[l].Points == lv[l-1].Points && v[s][l+1] > 0 {
						return
					}
				}
				vals = append(vals, supportOf(g, v, p))
			})
			slices.Sort(vals)
			slices.Reverse(vals)
			p, best := c.At(b)
			if math.Abs(best-vals[0]) > 1e-9 || math.Abs(supportOf(g, v, p)-best) > 1e-9 {
				t.Fatalf("trial %d budget %d: best %g, brute force %g", trial, b, best, vals[0])
			}
			q, second := c.RunnerUp(b)
			if len(vals) < 2 {
				if q != nil {
					t.Fatalf("trial %d budget %d: runner-up %v where there is one package", trial, b, q)
				}
				continue
			}
			if math.Abs(second-vals[1]) > 1e-9 || slices.Equal(p, q) || math.Abs(supportOf(g, v, q)-second) > 1e-9 {
				t.Fatalf("trial %d budget %d: runner-up %v %g, brute force %g", trial, b, q, second, vals[1])
			}
		}
	}
}

// TestCurveLadder: the curve has every budget from base to maximum cost; a
// lot's budget carries that lot's vote; between lots the ladder is nested
// when the lots' votes are; above the highest lot it says extrapolation.
func TestCurveLadder(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 800, 11)
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: fenshireTargets(t), RenormaliseTargets: true})
	if err != nil {
		t.Fatal(err)
	}
	votes := map[int]grid.Package{}
	for _, p := range rep.Packages {
		if p.SegmentVariable == "" && p.Kind == PackageVote {
			votes[p.Budget] = p.Package
		}
	}
	nested := len(rep.Notes) == 0 || !slices.ContainsFunc(rep.Notes, func(n string) bool { return containsAll(n, "not nested") })
	base, _ := g.Cost(g.BasePackage())
	if len(rep.Curve) != g.MaxCost()-base+1 {
		t.Fatalf("%d curve rows, want %d", len(rep.Curve), g.MaxCost()-base+1)
	}
	top := slices.Max(plan.Budgets)
	for i, c := range rep.Curve {
		if c.Budget != base+i || c.Cost > c.Budget {
			t.Fatalf("row %d: budget %d cost %d", i, c.Budget, c.Cost)
		}
		want := BasisInterpolation
		if _, ok := votes[c.Budget]; ok {
			want = BasisLot
			if !slices.Equal(c.Package, votes[c.Budget]) {
				t.Errorf("budget %d: curve %v, lot's vote %v", c.Budget, c.Package, votes[c.Budget])
			}
		} else if c.Budget > top {
			want = BasisExtrapolation
		}
		if c.Basis != want {
			t.Errorf("budget %d: basis %q, want %q", c.Budget, c.Basis, want)
		}
		if i > 0 && nested {
			for s := range c.Package {
				if c.Package[s] < rep.Curve[i-1].Package[s] {
					t.Fatalf("budget %d: %s falls from %d to %d", c.Budget, g.Services[s].Key, rep.Curve[i-1].Package[s], c.Package[s])
				}
			}
		}
	}
	if !nested {
		t.Log("the lots' votes are not nested on this sample; nesting between them is not checked")
	}
}
