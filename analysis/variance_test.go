package analysis

import (
	"math"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// TestSEMatchesBackfitting checks the cell-count standard errors against a
// direct per-respondent computation in the manner of survey's svyrecvar for
// raked designs: residuals of the linearized variable after backfitting on
// every margin's categories (respondents left out of a margin have no
// indicator there), including an intercept, on data with missing and
// no-target answers that R's rake cannot take.
func TestSEMatchesBackfitting(t *testing.T) {
	g, plan, qs := fenshire(t)
	tg := fenshireTargets(t)
	recs := Simulate(g, plan, qs, 1500, 77)
	rep, err := analyseRecords(g, plan, qs, recs, Options{Targets: tg, RenormaliseTargets: true, By: []string{"care"}})
	if err != nil {
		t.Fatal(err)
	}
	w := rep.Weighting.Weights
	n := len(recs)
	cat := marginCategories(tg, recs)
	se := func(y, d []float64) float64 { return backfitMeanSE(w, cat, y, d) }
	checked := 0
	for _, s := range rep.Shares {
		if s.Service != "libraries" || (s.Stage != "lot1" && s.Stage != "current") || (s.Segment != "" && s.Segment != "yes") {
			continue
		}
		si := g.ServiceIndex(s.Service)
		y, d := make([]float64, n), make([]float64, n)
		for i, r := range recs {
			level := r.Lots[0][si]
			d[i] = 1
			if s.Stage == "current" {
				level = 0
				if r.Current != nil {
					level = r.Current[si]
				}
				if level == 0 {
					d[i] = 0
				}
			}
			if s.Segment == "yes" && r.About["care"] != "yes" {
				d[i] = 0
			}
			if level == s.Level {
				y[i] = 1
			}
		}
		want := se(y, d)
		if !(math.Abs(s.SE-want) <= 1e-7*want) {
			t.Errorf("%s %s %s %d: SE %.10f, backfitting %.10f", s.Segment, s.Stage, s.Service, s.Level, s.SE, want)
		}
		checked++
	}
	if checked != 16 {
		t.Errorf("checked %d shares, want 16", checked)
	}
}

// marginCategories returns every respondent's category in every raking
// margin, -1 when left out (missing or no target).
func marginCategories(tg *Targets, recs []grid.Record) [][]int {
	cat := make([][]int, len(tg.Variables))
	for m, v := range tg.Variables {
		cat[m] = make([]int, len(recs))
		for i, r := range recs {
			cat[m][i] = -1
			for c, name := range v.Categories {
				if r.About[v.Name] == name {
					cat[m][i] = c
				}
			}
		}
	}
	return cat
}

// backfitMeanSE is the standard error of the weighted mean of y over the
// domain d (0/1) on the raked design, per respondent.
func backfitMeanSE(w []float64, cat [][]int, y, d []float64) float64 {
	var wy, wd float64
	for i := range y {
		wy += w[i] * y[i] * d[i]
		wd += w[i] * d[i]
	}
	m := wy / wd
	r := make([]float64, len(y))
	for i := range r {
		r[i] = d[i] * (y[i] - m) / wd
	}
	return math.Sqrt(backfitVar(w, cat, r))
}

// backfitVar is the variance of a linearized variable r on the raked
// design, computed per respondent in the manner of survey's svyrecvar:
// r is backfitted on an intercept and every margin's categories
// (respondents left out of a margin have no indicator there), then
// x_i = w_i·r_i and Var = n/(n−1)·Σ(x_i − x̄)².
func backfitVar(w []float64, cat [][]int, r []float64) float64 {
	n := len(r)
	r = append([]float64(nil), r...)
	for range 500 {
		mean := 0.0
		for _, x := range r {
			mean += x
		}
		for i := range r {
			r[i] -= mean / float64(n)
		}
		for _, cm := range cat {
			k := 0
			for _, c := range cm {
				k = max(k, c+1)
			}
			sum := make([]float64, k)
			cnt := make([]float64, k)
			for i, c := range cm {
				if c >= 0 {
					sum[c] += r[i]
					cnt[c]++
				}
			}
			for i, c := range cm {
				if c >= 0 {
					r[i] -= sum[c] / cnt[c]
				}
			}
		}
	}
	var sx, sxx float64
	for i := range r {
		x := w[i] * r[i]
		sx += x
		sxx += x * x
	}
	nf := float64(n)
	return nf / (nf - 1) * (sxx - sx*sx/nf)
}

// TestReplicateTally checks that a replicate's reduced tally, with every
// respondent drawn once, gives the same scores and final-lot shares as the
// full tally.
func TestReplicateTally(t *testing.T) {
	g, plan, qs := fenshire(t)
	d, err := prepare(Input{Grid: g, Plan: plan, Questions: qs, Records: Simulate(g, plan, qs, 400, 4)})
	if err != nil {
		t.Fatal(err)
	}
	_, des, err := d.weigh(fenshireTargets(t), Options{RenormaliseTargets: true})
	if err != nil {
		t.Fatal(err)
	}
	vws, err := d.views([]string{"area"})
	if err != nil {
		t.Fatal(err)
	}
	mult := make([]int32, d.n)
	for i := range mult {
		mult[i] = 1
	}
	for _, vw := range vws {
		full := d.newTally(des.cells.of, des.cells.count(), vw, nil, true)
		light := d.newTally(des.cells.of, des.cells.count(), vw, mult, false)
		for v := range vw.values {
			a, b := scores(full, des.cellW, v, nil), scores(light, des.cellW, v, nil)
			fa, fb := finalShares(full, des.cellW, v), finalShares(light, des.cellW, v)
			for s := range a {
				if a[s] != b[s] && !(math.IsNaN(a[s]) && math.IsNaN(b[s])) {
					t.Fatalf("%s %s: score %g vs %g", vw.variable, vw.values[v], a[s], b[s])
				}
				for l := range fa[s] {
					if fa[s][l] != fb[s][l] {
						t.Fatalf("%s %s: final share %g vs %g", vw.variable, vw.values[v], fa[s][l], fb[s][l])
					}
				}
			}
		}
	}
}
