package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAdjustMatchesR(t *testing.T) {
	// R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") and "BH".
	for _, tc := range []struct {
		method string
		want   []float64
	}{{AdjustHolm, []float64{0.03, 0.06, 0.06, 0.02}}, {AdjustBH, []float64{0.02, 0.04, 0.04, 0.02}}, {AdjustNone, []float64{0.01, 0.04, 0.03, 0.005}}} {
		ts := []VariableTest{{P: 0.01}, {P: 0.04}, {P: 0.03}, {P: 0.005}, {P: math.NaN(), PAdjusted: math.NaN()}}
		adjust(ts, tc.method, 0.05)
		for i, w := range tc.want {
			if math.Abs(ts[i].PAdjusted-w) > 1e-12 || ts[i].Significant != (w < 0.05) {
				t.Errorf("%s: test %d adjusted %g significant %v, want %g", tc.method, i, ts[i].PAdjusted, ts[i].Significant, w)
			}
		}
		if !math.IsNaN(ts[4].PAdjusted) || ts[4].Significant {
			t.Errorf("%s: an untested p-value was adjusted to %g", tc.method, ts[4].PAdjusted)
		}
	}
}

// TestVariableTestPlantedAndNoise: a segment that never buys roads before
// lot 4 is detected for roads at lots 1–3; children, reassigned at random,
// is significant in few of its tests (about 5%, the nominal level), and
// fewer after Holm.
func TestVariableTestPlantedAndNoise(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 2000, 17)
	roads := g.ServiceIndex("roads")
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range recs {
		recs[i].About["children"] = []string{"yes", "no"}[rng.IntN(2)] // independent of everything
		if recs[i].About["area"] == "marshby" {
			for k := range 3 {
				recs[i].Lots[k][roads] = 1
			}
		}
	}
	for _, adj := range []string{AdjustNone, AdjustHolm} {
		rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{By: []string{"area", "children"}, Adjust: adj})
		if err != nil {
			t.Fatal(err)
		}
		noise, tests := 0, 0
		for _, x := range rep.Tests {
			if x.SegmentVariable == "area" && x.Service == "roads" && x.Stage != "lot4" && !(x.P < 1e-6 && x.Significant) {
				t.Errorf("%s: planted area difference in roads at %s: p %g", adj, x.Stage, x.P)
			}
			if x.SegmentVariable == "children" {
				tests++
				if x.Significant {
					noise++
				}
				if math.IsNaN(x.F) || x.NDF <= 0 || x.DDF <= 0 {
					t.Errorf("children %s %s: F %g on %g, %g", x.Stage, x.Service, x.F, x.NDF, x.DDF)
				}
			}
		}
		if tests != len(g.Services)*len(plan.Budgets) || noise > tests/6 || (adj == AdjustHolm && noise > 2) {
			t.Errorf("%s: children significant in %d of %d tests", adj, noise, tests)
		}
	}
}
