package analysis

import (
	"fmt"
	"math"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// TestNoSEBelowMinimumBase: two respondents give shares, but no SE,
// interval or effective n; with a minimum base of 2 they do.
func TestNoSEBelowMinimumBase(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 2, 3)
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Shares {
		if math.IsNaN(s.Share) && s.Stage != "current" {
			t.Fatalf("%s %s %d: no share", s.Stage, s.Service, s.Level)
		}
		if !math.IsNaN(s.SE) || !math.IsNaN(s.CILow) || !math.IsNaN(s.NEff) || !s.LowBase {
			t.Fatalf("%s %s %d: n %d, SE %g, CI %g, n_eff %g, low base %v", s.Stage, s.Service, s.Level, s.N, s.SE, s.CILow, s.NEff, s.LowBase)
		}
	}
	for _, p := range rep.Priorities {
		if !math.IsNaN(p.NeverBoughtSE) || !math.IsNaN(p.PainSE) || !p.LowBase {
			t.Fatalf("%s: never bought SE %g pain SE %g", p.Service, p.NeverBoughtSE, p.PainSE)
		}
	}
	for _, sl := range rep.ServiceLots {
		if !math.IsNaN(sl.MeanLevelSE) {
			t.Fatalf("%s lot %d: mean level SE %g", sl.Service, sl.Lot, sl.MeanLevelSE)
		}
	}
	rep, err = Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{MinBase: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Shares[len(rep.Shares)-1]; math.IsNaN(s.SE) || s.LowBase {
		t.Errorf("minimum base 2: SE %g low base %v", s.SE, s.LowBase)
	}
	if v := methodValue(rep, "minimum_base"); v == "" || v[:2] != "2 " {
		t.Errorf("method minimum_base = %q", v)
	}
}

// TestOneRespondentSegmentNotTested: a segment of one respondent gets no
// differs flag (nor an SE).
func TestOneRespondentSegmentNotTested(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 300, 4)
	for i := range recs {
		recs[i].About["children"] = "no"
	}
	recs[7].About["children"] = "yes"
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{By: []string{"children"}})
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, s := range rep.Shares {
		if s.Segment != "yes" {
			continue
		}
		rows++
		if s.Differs || s.Tested || !math.IsNaN(s.SE) {
			t.Fatalf("%s %s %d: one respondent, differs %v tested %v SE %g", s.Stage, s.Service, s.Level, s.Differs, s.Tested, s.SE)
		}
	}
	for _, tb := range rep.Tables() {
		if tb.Name != "shares" {
			continue
		}
		for _, r := range tb.Rows {
			if r[1] == "yes" && r[11] != "" {
				t.Fatalf("shares row %v: differs cell %q, want empty", r, r[11])
			}
		}
	}
	if rows == 0 {
		t.Fatal("no rows for the one-respondent segment")
	}
}

// TestBootstrapFailuresWiden: with a raking category held by 2 of 40
// respondents, many replicates lose it and fail; they are counted and the
// rank intervals are widened to every rank, never narrowed.
func TestBootstrapFailuresWiden(t *testing.T) {
	g, plan, _ := fenshire(t)
	qs := []Question{{Key: "x", Options: []string{"a", "b"}}}
	var recs []grid.Record
	for i, r := range Simulate(g, plan, nil, 40, 6) {
		r.About = map[string]string{"x": "a"}
		if i < 2 {
			r.About["x"] = "b"
		}
		recs = append(recs, r)
	}
	tg := Targets{Variables: []TargetVariable{{Name: "x", Categories: []string{"a", "b"}, Shares: []float64{0.9, 0.1}}}}
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: &tg, Bootstrap: 100, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// P(a replicate has neither of the 2) = (38/40)^40 ≈ 13%.
	if rep.BootstrapFailed < 5 {
		t.Fatalf("%d failed replicates; want several", rep.BootstrapFailed)
	}
	S := len(g.Services)
	for _, p := range rep.Priorities {
		if p.RankLow != 1 || p.RankHigh != S {
			t.Errorf("%s: rank interval %d..%d with %d%% of replicates failed; want 1..%d", p.Service, p.RankLow, p.RankHigh, rep.BootstrapFailed, S)
		}
	}
	for _, o := range rep.Optimum {
		if o.Kind == PackageVote && o.SelectedShare > 1-float64(rep.BootstrapFailed)/100+1e-12 {
			t.Fatalf("%s: selected share %g counts only successful replicates", o.Service, o.SelectedShare)
		}
	}
	if v := methodValue(rep, "bootstrap_failed"); v != fmt.Sprint(rep.BootstrapFailed) {
		t.Errorf("method bootstrap_failed = %q", v)
	}
}

// TestTiedServicesShareRank: roads and parks always bought together at
// lot 1, bins never: roads and parks share ranks 1–2, bins is 3; the
// bootstrap interval of a tie covers its whole range; a segment with no
// respondent gets no ranks.
func TestTiedServicesShareRank(t *testing.T) {
	g := smallGrid()
	plan := grid.LotPlan{Budgets: []int{7, 8}, Additive: true}
	qs := []Question{{Key: "sex", Options: []string{"female", "male", "other"}}}
	var recs []grid.Record
	for i := range 60 {
		recs = append(recs, grid.Record{ResponseID: fmt.Sprint(i), About: map[string]string{"sex": []string{"female", "male"}[i%2]},
			Lots: []grid.Package{{2, 2, 1}, {2, 2, 1}}})
	}
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{By: []string{"sex"}, Bootstrap: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Priorities {
		want := [4]int{1, 2, 1, 2}
		switch {
		case p.Segment == "other":
			want = [4]int{}
		case p.Service == "bins":
			want = [4]int{3, 3, 3, 3}
		}
		if got := [4]int{p.Rank, p.RankTo, p.RankLow, p.RankHigh}; got != want {
			t.Errorf("%q %s: rank %d–%d, interval %d..%d; want %v", p.Segment, p.Service, got[0], got[1], got[2], got[3], want)
		}
	}
	for _, pk := range rep.Packages {
		if pk.Segment == "other" {
			t.Fatalf("a package for the empty segment: %+v", pk)
		}
	}
}
