package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// methodValue returns the method table's value for key, or "".
func methodValue(rep *Report, key string) string {
	for _, r := range rep.methodTable().Rows {
		if r[0] == key {
			return r[1]
		}
	}
	return ""
}

// achieved computes a margin's weighted shares from the weights and the
// records directly, among respondents with a target category.
func achieved(recs []grid.Record, w []float64, tv TargetVariable) []float64 {
	out := make([]float64, len(tv.Categories))
	in := 0.0
	for i, r := range recs {
		for c, cat := range tv.Categories {
			if r.About[tv.Name] == cat {
				out[c] += w[i]
				in += w[i]
			}
		}
	}
	for c := range out {
		out[c] /= in
	}
	return out
}

func TestTrimBoundsInfeasible(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 200, 1)
	for _, b := range [][2]float64{{1.5, 3}, {1, 3}, {0.3, 1}, {0, 0.8}} {
		_, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs},
			Options{Targets: fenshireTargets(t), RenormaliseTargets: true, TrimLow: b[0], TrimHigh: b[1]})
		if err == nil || !strings.Contains(err.Error(), "mean weight") {
			t.Errorf("trim %v: error %v, want one saying the bound is not on the right side of the mean weight", b, err)
		}
	}
}

// TestTrimThenReRake: after trimming, the weights are re-raked and
// re-trimmed until every weight is within the bounds and every margin on
// its target; the method table reports the achieved margins.
func TestTrimThenReRake(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 1500, 8)
	tg := fenshireTargets(t)
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs},
		Options{Targets: tg, RenormaliseTargets: true, TrimLow: 0.3, TrimHigh: 3})
	if err != nil {
		t.Fatal(err)
	}
	w := rep.Weighting.Weights
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range w {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if lo < 0.3*(1-1e-8) || hi > 3*(1+1e-8) {
		t.Errorf("weights range %g..%g, outside [0.3, 3]", lo, hi)
	}
	if rep.Weighting.Rounds < 2 {
		t.Errorf("%d rounds: the bounds should bind and need re-raking", rep.Weighting.Rounds)
	}
	for _, tv := range tg.Variables {
		a := achieved(recs, w, tv)
		for c, cat := range tv.Categories {
			if math.Abs(a[c]-tv.Shares[c]) > 1e-6 {
				t.Errorf("%s=%s: achieved %g, target %g", tv.Name, cat, a[c], tv.Shares[c])
			}
			if v := methodValue(rep, "margin."+tv.Name+"."+cat); !strings.HasPrefix(v, "achieved ") || !strings.Contains(v, "target "+FormatFloat(tv.Shares[c])) {
				t.Errorf("method margin.%s.%s = %q", tv.Name, cat, v)
			}
		}
	}
	if !strings.Contains(methodValue(rep, "trimming"), "re-raked") {
		t.Errorf("method trimming = %q", methodValue(rep, "trimming"))
	}
}

// TestTrimAndTargetsIncompatible: a category with 2% of respondents and a
// 50% target needs weights near 25; bounds of 0.5..1.5 cannot hold.
func TestTrimAndTargetsIncompatible(t *testing.T) {
	g, plan, _ := fenshire(t)
	qs := []Question{{Key: "x", Options: []string{"a", "b"}}}
	var recs []grid.Record
	for _, r := range Simulate(g, plan, nil, 200, 2) {
		x := "a"
		if len(recs)%50 == 0 {
			x = "b"
		}
		r.About = map[string]string{"x": x}
		recs = append(recs, r)
	}
	tg := Targets{Variables: []TargetVariable{{Name: "x", Categories: []string{"a", "b"}, Shares: []float64{0.5, 0.5}}}}
	_, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: &tg, TrimLow: 0.5, TrimHigh: 1.5})
	if err == nil || !strings.Contains(err.Error(), "cannot both be reached") {
		t.Fatalf("error %v, want one saying bounds and targets cannot both hold", err)
	}
}

// TestStructuralZero: every woman is young and every man old, so sex
// 50/50 and age 30/70 cannot both hold: an error naming the cells.
func TestStructuralZero(t *testing.T) {
	g, plan, _ := fenshire(t)
	qs := []Question{{Key: "sex", Options: []string{"f", "m"}}, {Key: "age", Options: []string{"young", "old"}}}
	var recs []grid.Record
	for i, r := range Simulate(g, plan, nil, 100, 2) {
		if i%2 == 0 {
			r.About = map[string]string{"sex": "f", "age": "young"}
		} else {
			r.About = map[string]string{"sex": "m", "age": "old"}
		}
		recs = append(recs, r)
	}
	tg := Targets{Variables: []TargetVariable{
		{Name: "sex", Categories: []string{"f", "m"}, Shares: []float64{0.5, 0.5}},
		{Name: "age", Categories: []string{"young", "old"}, Shares: []float64{0.3, 0.7}},
	}}
	_, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: &tg})
	if err == nil || !containsAll(err.Error(), "do not reach the targets", "sex=f", "age=old", "structural zero") {
		t.Fatalf("error %v, want one naming the missed margins and the empty cells", err)
	}
}

func TestTargetsOmitCategoryOrDoNotSum(t *testing.T) {
	g, plan, _ := fenshire(t)
	qs := []Question{{Key: "sex", Options: []string{"f", "m", "x"}}, {Key: "empty", Options: []string{"a", "b"}}}
	var recs []grid.Record
	for i, r := range Simulate(g, plan, nil, 90, 3) {
		r.About = map[string]string{"sex": []string{"f", "m", "x"}[i%3]}
		recs = append(recs, r)
	}
	in := Input{Grid: g, Plan: plan, Questions: qs, Records: recs}
	omit := Targets{Variables: []TargetVariable{{Name: "sex", Categories: []string{"f", "m"}, Shares: []float64{0.5, 0.5}}}}
	_, err := Analyse(in, Options{Targets: &omit})
	if err == nil || !containsAll(err.Error(), `"sex"`, `"x"`, "30 respondents", "renormalise") {
		t.Errorf("omitted category: error %v", err)
	}
	rep, err := Analyse(in, Options{Targets: &omit, RenormaliseTargets: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := methodValue(rep, "targets_renormalised"); !containsAll(v, "sex", `"x"`, "left out") {
		t.Errorf("method targets_renormalised = %q", v)
	}
	short, err := ReadTargets(strings.NewReader("variable,category,target\nsex,f,0.5\nsex,m,0.4\nsex,x,0.05\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Analyse(in, Options{Targets: &short})
	if err == nil || !containsAll(err.Error(), `"sex"`, "sum to 0.95") {
		t.Errorf("shares summing to 0.95: error %v", err)
	}
	rep, err = Analyse(in, Options{Targets: &short, RenormaliseTargets: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := methodValue(rep, "targets_renormalised"); !containsAll(v, "sex", "0.95", "scaled") {
		t.Errorf("method targets_renormalised = %q", v)
	}
	if v := methodValue(rep, "margin.sex.f"); !strings.Contains(v, "target "+FormatFloat(0.5/0.95)) {
		t.Errorf("margin.sex.f = %q", v)
	}
	counts, err := ReadTargets(strings.NewReader("variable,category,target\nsex,f,300\nsex,m,300\nsex,x,400\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Analyse(in, Options{Targets: &counts}); err != nil {
		t.Errorf("counts: %v", err)
	}
	rounded, _ := ReadTargets(strings.NewReader("variable,category,target\nsex,f,0.333\nsex,m,0.333\nsex,x,0.333\n"))
	if _, err := Analyse(in, Options{Targets: &rounded}); err != nil {
		t.Errorf("shares summing to 0.999: %v", err)
	}
	nobody := Targets{Variables: []TargetVariable{{Name: "empty", Categories: []string{"a", "b"}, Shares: []float64{0.5, 0.5}}}}
	_, err = Analyse(in, Options{Targets: &nobody, RenormaliseTargets: true})
	if err == nil || !containsAll(err.Error(), "nobody answered", `"empty"`) {
		t.Errorf("nobody answered: error %v", err)
	}
}

func TestTrimCellsReportsFailure(t *testing.T) {
	w := []float64{0.1, 0.1, 2.8}
	if _, ok := trimCells(w, []float64{1, 1, 1}, 0.5, 1.5); ok {
		t.Errorf("trimmed to %v and reported success, though no weight is left inside to take the excess", w)
	}
	w = []float64{0.2, 1.1, 1.7}
	passes, ok := trimCells(w, []float64{1, 1, 1}, 0.5, 1.5)
	if !ok || passes < 1 || math.Abs(w[0]+w[1]+w[2]-3) > 1e-12 {
		t.Errorf("trimmed to %v in %d passes, ok %v", w, passes, ok)
	}
}
