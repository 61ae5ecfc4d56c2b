package analysis

import (
	"errors"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

func TestSimulateValidAndDeterministic(t *testing.T) {
	g, plan, qs := fenshire(t)
	a := Simulate(g, plan, qs, 500, 9)
	b := Simulate(g, plan, qs, 500, 9)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Simulate is not deterministic for a seed")
	}
	if c := Simulate(g, plan, qs, 500, 10); reflect.DeepEqual(a, c) {
		t.Fatal("different seeds give the same records")
	}
	options := map[string]map[string]bool{}
	for _, q := range qs {
		options[q.Key] = map[string]bool{}
		for _, o := range q.Options {
			options[q.Key][o] = true
		}
	}
	for _, r := range a {
		if errs := g.CheckLots(plan, r.Lots); len(errs) > 0 {
			t.Fatalf("%s: %v", r.ResponseID, errs)
		}
		if r.Channel != SimulatedChannel {
			t.Fatalf("channel %q", r.Channel)
		}
		for k, v := range r.About {
			if !options[k][v] {
				t.Fatalf("%s: about %s = %q is not an option", r.ResponseID, k, v)
			}
		}
	}
	// Non-additive plans are respected too.
	plan.Additive = false
	for _, r := range Simulate(g, plan, qs, 100, 9) {
		if errs := g.CheckLots(plan, r.Lots); len(errs) > 0 {
			t.Fatalf("%s: %v", r.ResponseID, errs)
		}
	}
}

func analyseFenshire(t *testing.T, n int, opt Options) (*Report, []grid.Record) {
	t.Helper()
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, n, 42)
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep, recs
}

func TestSharesSumToOne(t *testing.T) {
	rep, _ := analyseFenshire(t, 3000, Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"age_band", "channel"}})
	sums := map[string]float64{}
	for _, s := range rep.Shares {
		if s.Stage == "unacceptable" || math.IsNaN(s.Share) {
			continue
		}
		sums[s.SegmentVariable+"/"+s.Segment+"/"+s.Stage+"/"+s.Service] += s.Share
	}
	if len(sums) < 16*5*6 {
		t.Fatalf("only %d stage×service×segment groups", len(sums))
	}
	for k, x := range sums {
		if math.Abs(x-1) > 1e-9 {
			t.Errorf("%s: shares sum to %.12f", k, x)
		}
	}
	for _, sl := range rep.ServiceLots {
		if math.Abs(sl.Below+sl.At+sl.Above-1) > 1e-9 {
			t.Errorf("%+v: below+at+above != 1", sl)
		}
	}
}

func TestWeightsReproduceTargets(t *testing.T) {
	tg := fenshireTargets(t)
	rep, recs := analyseFenshire(t, 3000, Options{Targets: tg, RenormaliseTargets: true})
	w := rep.Weighting.Weights
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	if math.Abs(sum/float64(len(w))-1) > 1e-12 {
		t.Errorf("mean weight %g, want 1", sum/float64(len(w)))
	}
	for _, v := range tg.Variables {
		got := make([]float64, len(v.Categories))
		tot := 0.0
		for i, r := range recs {
			for c, cat := range v.Categories {
				if r.About[v.Name] == cat {
					got[c] += w[i]
					tot += w[i]
				}
			}
		}
		for c := range got {
			if math.Abs(got[c]/tot-v.Shares[c]) > 1e-8 {
				t.Errorf("%s %s: weighted share %.10f, target %.10f", v.Name, v.Categories[c], got[c]/tot, v.Shares[c])
			}
		}
	}
	for _, lo := range rep.Weighting.LeftOut {
		if lo.Variable == "area" && (lo.NoTarget == 0 || lo.Missing == 0) {
			t.Errorf("area left out %+v: want missing and no-target (outside) respondents counted", lo)
		}
	}
}

func TestUnweightedIsCounting(t *testing.T) {
	rep, recs := analyseFenshire(t, 800, Options{})
	g, _, _ := fenshire(t)
	n := float64(len(recs))
	for _, s := range rep.Shares {
		if s.Stage != "lot2" {
			continue
		}
		si := g.ServiceIndex(s.Service)
		count := 0.0
		for _, r := range recs {
			if r.Lots[1][si] == s.Level {
				count++
			}
		}
		p := count / n
		if s.Share != p {
			t.Fatalf("%s %d: share %g, count/n %g", s.Service, s.Level, s.Share, p)
		}
		if se := math.Sqrt(p * (1 - p) / (n - 1)); math.Abs(s.SE-se) > 1e-12 {
			t.Errorf("%s %d: SE %g, want %g", s.Service, s.Level, s.SE, se)
		}
		if p > 0 && p < 1 && math.Abs(s.NEff-n) > 1e-6 {
			t.Errorf("%s %d: n_eff %g, want %g", s.Service, s.Level, s.NEff, n)
		}
	}
	if rep.Weighting.Deff != 1 || rep.Weighting.Raked {
		t.Errorf("unweighted deff %g raked %v", rep.Weighting.Deff, rep.Weighting.Raked)
	}
}

// TestKornGraubardInSharesTable: 7 of 20 unweighted respondents choosing a
// level gives the Clopper–Pearson interval in the shares table.
func TestKornGraubardInSharesTable(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 20, 1)
	roads := g.ServiceIndex("roads")
	for i := range recs {
		recs[i].Current = make([]int, len(g.Services))
		recs[i].Current[roads] = 1
		if i < 7 {
			recs[i].Current[roads] = 2
		}
	}
	for _, tc := range []struct {
		interval string
		lo, hi   float64
	}{{"kg", 0.1495933198, 0.5988745967}, {"wilson", 0.1811918, 0.5671457}} {
		// kg: R's svyciprop(~y, svydesign(ids = ~1, weights = rep(1, 20)),
		// method = "beta") for 7 of 20 (Clopper–Pearson on n* = 19).
		rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Interval: tc.interval, MinBase: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Shares {
			if s.Stage == "current" && s.Service == "roads" && s.Level == 2 {
				if s.N != 20 || !(math.Abs(s.CILow-tc.lo) <= 5e-8) || !(math.Abs(s.CIHigh-tc.hi) <= 5e-8) {
					t.Errorf("%s: n %d CI (%.7f, %.7f), want (%.7f, %.7f)", tc.interval, s.N, s.CILow, s.CIHigh, tc.lo, tc.hi)
				}
			}
		}
	}
}

func TestBootstrapDeterministic(t *testing.T) {
	calls, last := 0, 0
	opt := Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"sex"}, Bootstrap: 16, Seed: 7,
		Progress: func(done, total int) { calls++; last = done; _ = total }}
	a, _ := analyseFenshire(t, 1500, opt)
	if calls != 16 || last != 16 {
		t.Errorf("progress called %d times, last done %d; want 16 and 16", calls, last)
	}
	opt.Progress = nil
	prev := runtime.GOMAXPROCS(1)
	b, _ := analyseFenshire(t, 1500, opt)
	runtime.GOMAXPROCS(prev)
	if !reflect.DeepEqual(a.Tables(), b.Tables()) {
		t.Fatal("same seed, different scheduling: different results")
	}
	opt.Seed = 8
	c, _ := analyseFenshire(t, 1500, opt)
	if reflect.DeepEqual(a.Tables(), c.Tables()) {
		t.Fatal("different seeds: identical bootstrap results")
	}
	for _, p := range a.Priorities {
		if p.RankLow < 1 || p.RankLow > p.Rank || p.RankHigh < p.Rank {
			t.Errorf("%s %s: rank %d outside (%d, %d)", p.Segment, p.Service, p.Rank, p.RankLow, p.RankHigh)
		}
	}
	for _, o := range a.Optimum {
		if o.Kind != PackageVote {
			if !math.IsNaN(o.SelectedShare) {
				t.Fatalf("majority package has a selected share %v", o.SelectedShare)
			}
			continue
		}
		if math.IsNaN(o.SelectedShare) || o.SelectedShare < 0 || o.SelectedShare > 1 {
			t.Fatalf("selected share %v", o.SelectedShare)
		}
	}
}

func TestUnknownBudgets(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 300, 3)
	rep, err := Analyse(Input{Grid: g, Plan: grid.LotPlan{Additive: true}, Questions: qs, Records: recs}, Options{Bootstrap: 4})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lots != 4 || len(rep.Optimum) != 0 || len(rep.Packages) != 0 || len(rep.Curve) != 0 || len(rep.Notes) == 0 {
		t.Errorf("lots %d optimum rows %d curve rows %d notes %v", rep.Lots, len(rep.Optimum), len(rep.Curve), rep.Notes)
	}
	for _, p := range rep.Priorities {
		if !math.IsNaN(p.Pain) || math.IsNaN(p.Unacceptable) {
			t.Fatalf("%s: pain %g unacceptable %g", p.Service, p.Pain, p.Unacceptable)
		}
	}
}

func TestAnalyseErrors(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 50, 3)
	bad := Targets{Variables: []TargetVariable{{Name: "area", Categories: []string{"fenchester", "atlantis"}, Shares: []float64{0.5, 0.5}}}}
	_, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: &bad, RenormaliseTargets: true})
	if err == nil || !containsAll(err.Error(), "area", `"atlantis"`) {
		t.Errorf("error %v, want one naming area atlantis", err)
	}
	recs[3].Lots[2][0] = 9
	_, err = Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{})
	if err == nil || !containsAll(err.Error(), recs[3].ResponseID, "roads") {
		t.Errorf("error %v, want one naming the response and roads", err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func analyseRecords(g *grid.Grid, plan grid.LotPlan, qs []Question, recs []grid.Record, opt Options) (*Report, error) {
	return Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, opt)
}

// TestStreamedEqualsRecords: records streamed through Input.Each give the
// same report as the same records in Input.Records; an error from the
// stream is returned as it is.
func TestStreamedEqualsRecords(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 700, 12)
	recs[5].About["area"] = "zzz_unknown" // a value beyond the options, sorted after them
	recs[9].About["area"] = "aaa_unknown"
	opt := Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"area", "channel"}, Bootstrap: 4}
	a, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, opt)
	if err != nil {
		t.Fatal(err)
	}
	each := func(add func(*grid.Record) error) error {
		for i := range recs {
			r := recs[i] // a copy: the stream may reuse its record
			if err := add(&r); err != nil {
				return err
			}
		}
		return nil
	}
	b, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Each: each}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Tables(), b.Tables()) {
		t.Fatal("streamed records give a different report")
	}
	stop := errors.New("disk on fire")
	_, err = Analyse(Input{Grid: g, Plan: plan, Questions: qs, Each: func(add func(*grid.Record) error) error { return stop }}, opt)
	if !errors.Is(err, stop) {
		t.Errorf("error %v, want the stream's", err)
	}
}
