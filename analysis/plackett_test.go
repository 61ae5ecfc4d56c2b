package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// plGrid has four services of two levels, each step costing 1 point.
func plGrid() *grid.Grid {
	g := &grid.Grid{}
	for _, k := range []string{"a", "b", "c", "d"} {
		g.Services = append(g.Services, grid.Service{Key: k, Name: k, Levels: []grid.Level{{Number: 1, Points: 0, AsNow: true}, {Number: 2, Points: 1}}})
	}
	return g
}

// TestPlackettLuceRecoversWorths: respondents buy one service per lot,
// chosen by Plackett–Luce with known worths; the fit recovers them within
// three SEs, its rank intervals hold the true order, and the SEs are close
// to the spread of the estimates over repeated samples.
func TestPlackettLuceRecoversWorths(t *testing.T) {
	g := plGrid()
	plan := grid.LotPlan{Budgets: []int{1, 2, 3}, Additive: true}
	truth := []float64{0.4, 0.3, 0.2, 0.1}
	var est [][]float64
	var ses []float64
	for rep := range 20 {
		rng := rand.New(rand.NewPCG(uint64(rep), 3))
		var recs []grid.Record
		for i := range 1500 {
			left := []int{0, 1, 2, 3}
			p := grid.Package{1, 1, 1, 1}
			var lots []grid.Package
			for range 3 {
				tot := 0.0
				for _, s := range left {
					tot += truth[s]
				}
				u := rng.Float64() * tot
				pick := len(left) - 1
				for j, s := range left {
					if u -= truth[s]; u < 0 {
						pick = j
						break
					}
				}
				p[left[pick]] = 2
				left = append(left[:pick], left[pick+1:]...)
				lots = append(lots, append(grid.Package(nil), p...))
			}
			recs = append(recs, grid.Record{ResponseID: fmt.Sprint(i), Lots: lots})
		}
		r, err := Analyse(Input{Grid: g, Plan: plan, Records: recs}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, 4)
		for _, p := range r.Priorities {
			w[g.ServiceIndex(p.Service)] = p.PLWorth
			if rep == 0 {
				s := g.ServiceIndex(p.Service)
				if p.PLRank != s+1 || p.PLRankLow > s+1 || p.PLRankHigh < s+1 {
					t.Errorf("%s: PL rank %d (%d..%d), true rank %d", p.Service, p.PLRank, p.PLRankLow, p.PLRankHigh, s+1)
				}
				if p.Service == "a" {
					ses = append(ses, p.PLLogWorthSE)
				}
			}
		}
		est = append(est, w)
	}
	// Centred log-worths of service a over the replications.
	centred := func(w []float64) float64 {
		m := 0.0
		for _, x := range w {
			m += math.Log(x) / 4
		}
		return math.Log(w[0]) - m
	}
	want := centred(truth)
	var mean, ss float64
	for _, w := range est {
		mean += centred(w) / float64(len(est))
	}
	for _, w := range est {
		d := centred(w) - mean
		ss += d * d
	}
	sd := math.Sqrt(ss / float64(len(est)-1))
	if math.Abs(mean-want) > 3*sd/math.Sqrt(float64(len(est)))+0.01 {
		t.Errorf("centred log-worth of a: mean %g over replications, true %g (sd %g)", mean, want, sd)
	}
	t.Logf("centred log-worth of a: mean %.4f, true %.4f, spread %.4f, SE %.4f", mean, want, sd, ses[0])
	if ses[0] < 0.6*sd || ses[0] > 1.6*sd {
		t.Errorf("SE %g, spread over replications %g", ses[0], sd)
	}
}

// TestScoreIsAreaUnderPurchaseCurve: the score (never = lots+1) is exactly
// lots+1 minus the sum over lots of the share who had bought by that lot,
// so it does not depend on an arbitrary value.
func TestScoreIsAreaUnderPurchaseCurve(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 500, 31)
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	K := len(plan.Budgets)
	for _, p := range rep.Priorities {
		s := g.ServiceIndex(p.Service)
		area := 0.0
		for k := range K {
			n := 0
			for _, r := range recs {
				for j := 0; j <= k; j++ {
					if r.Lots[j][s] > 1 {
						n++
						break
					}
				}
			}
			area += float64(n) / float64(len(recs))
		}
		if math.Abs(p.Score-(float64(K+1)-area)) > 1e-12 {
			t.Errorf("%s: score %g, lots+1 − area %g", p.Service, p.Score, float64(K+1)-area)
		}
	}
}
