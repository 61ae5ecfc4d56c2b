package analysis

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

var update = flag.Bool("update", false, "rewrite testdata fixtures")

const rFixture = "testdata/fenshire500.csv"

// rFixtureRecords simulates Fenshire respondents and keeps the first 500
// whose area, age band and sex all have targets: survey::rake needs complete
// raking variables.
func rFixtureRecords(t *testing.T) (*grid.Grid, grid.LotPlan, []Question, []grid.Record) {
	g, plan, qs := fenshire(t)
	tg := fenshireTargets(t)
	var keep []grid.Record
	for _, r := range Simulate(g, plan, qs, 1000, 500) {
		ok := true
		for _, v := range tg.Variables {
			found := false
			for _, c := range v.Categories {
				found = found || r.About[v.Name] == c
			}
			ok = ok && found
		}
		if ok && len(keep) < 500 {
			keep = append(keep, r)
		}
	}
	return g, plan, qs, keep
}

// TestRFixture checks the committed fixture is what the simulator makes,
// and rewrites it with -update.
func TestRFixture(t *testing.T) {
	g, _, qs, recs := rFixtureRecords(t)
	var b strings.Builder
	layout := grid.WideLayout{Lots: 4}
	for _, q := range qs {
		layout.Questions = append(layout.Questions, q.Key)
	}
	ww, err := grid.NewWideWriter(&b, g, layout)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := ww.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := ww.Flush(); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(rFixture, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rFixture)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != b.String() {
		t.Errorf("%s is stale: run go test ./analysis -run TestRFixture -update", rFixture)
	}
}

func readCSVMap(t *testing.T, path string, key func([]string) string) map[string][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]string{}
	for _, r := range rows[1:] {
		m[key(r)] = r
	}
	return m
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return x
}

// TestAgainstRSurvey compares weights (to 1e-6) and shares and standard
// errors (0.1% relative) with R's survey package on the fixture. It runs
// when Rscript is installed; with CI=true a missing Rscript or survey
// package fails the test.
func TestAgainstRSurvey(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but Rscript is not installed (apt-get install r-base-core r-cran-survey)")
		}
		t.Skip("Rscript not installed; install r-base-core and r-cran-survey to compare with R's survey package")
	}
	out := t.TempDir()
	g, plan, qs := fenshire(t)
	painStage := "lot" + strconv.Itoa(painLot(plan.Budgets, g.AsNowCost())+1)
	cmd := exec.Command(rscript, "testdata/survey_check.R", rFixture, "testdata/targets.csv", out, "testdata/grid.csv", painStage)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(msg), "no package called") && os.Getenv("CI") != "true" {
			t.Skip("R package survey not installed")
		}
		t.Fatalf("Rscript: %v\n%s", err, msg)
	}
	fh, err := os.Open(rFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	_, recs, err := grid.ReadWide(rFixture, fh, g)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: fenshireTargets(t), RenormaliseTargets: true})
	if err != nil {
		t.Fatal(err)
	}
	rw := readCSVMap(t, filepath.Join(out, "weights.csv"), func(r []string) string { return r[0] })
	if len(rw) != len(rep.ResponseIDs) {
		t.Fatalf("R has %d weights, Go %d", len(rw), len(rep.ResponseIDs))
	}
	for i, id := range rep.ResponseIDs {
		if want := num(t, rw[id][1]); math.Abs(rep.Weighting.Weights[i]-want) > 1e-6 {
			t.Errorf("%s: weight %.9f, R %.9f", id, rep.Weighting.Weights[i], want)
		}
	}
	rs := readCSVMap(t, filepath.Join(out, "shares.csv"), func(r []string) string { return r[0] + "/" + r[1] + "/" + r[2] })
	compared := 0
	maxRel := map[string]float64{}
	for _, s := range rep.Shares {
		r, ok := rs[fmt.Sprintf("%s/%s/%d", s.Stage, s.Service, s.Level)]
		if !ok {
			continue
		}
		compared++
		share, se := num(t, r[3]), num(t, r[4])
		if math.Abs(s.Share-share) > 1e-9 {
			t.Errorf("%s %s %d: share %.10f, R %.10f", s.Stage, s.Service, s.Level, s.Share, share)
		}
		if se == 0 && s.SE < 1e-12 {
			continue
		}
		rel := math.Abs(s.SE-se) / se
		maxRel[s.Stage] = math.Max(maxRel[s.Stage], rel)
		if rel > 1e-3 {
			t.Errorf("%s %s %d: SE %.8f, R %.8f (%.3f%%)", s.Stage, s.Service, s.Level, s.SE, se, 100*rel)
		}
	}
	// The check can fail: treating the weights as fixed (no projection on
	// the raking margins) moves some SEs by more than the tolerance.
	worst := 0.0
	w := rep.Weighting.Weights
	for _, s := range rep.Shares {
		r, ok := rs[fmt.Sprintf("%s/%s/%d", s.Stage, s.Service, s.Level)]
		if !ok || s.Stage != "lot1" {
			continue
		}
		si := g.ServiceIndex(s.Service)
		var sw, sxx float64
		for i := range recs {
			sw += w[i]
		}
		for i, rec := range recs {
			y := 0.0
			if rec.Lots[0][si] == s.Level {
				y = 1
			}
			x := w[i] * (y - s.Share) / sw
			sxx += x * x
		}
		n := float64(len(recs))
		naive := math.Sqrt(n / (n - 1) * sxx)
		worst = math.Max(worst, math.Abs(naive-num(t, r[4]))/num(t, r[4]))
	}
	if worst <= 1e-3 {
		t.Errorf("fixed-weight SEs agree with R within %.4f%%: the comparison would not detect a missing raking adjustment", 100*worst)
	}
	t.Logf("fixed-weight SEs differ from R by up to %.2f%%", 100*worst)
	if compared < 100 {
		t.Errorf("compared %d shares with R, want at least 100", compared)
	}
	t.Logf("compared %d weights and %d shares with R's survey package; largest relative SE difference by stage: %v", len(rw), compared, maxRel)

	// Priorities (pain, unacceptable, never_bought as shares; purchase_lot
	// as a domain mean among those who ever bought) and the mean level and
	// points at lot 2, whole sample.
	rp := readCSVMap(t, filepath.Join(out, "priorities.csv"), func(r []string) string { return r[0] + "/" + r[1] })
	type est struct{ est, se float64 }
	ours := map[string]est{}
	for _, p := range rep.Priorities {
		if p.SegmentVariable != "" {
			continue
		}
		ours["pain/"+p.Service] = est{p.Pain, p.PainSE}
		ours["unacceptable/"+p.Service] = est{p.Unacceptable, p.UnacceptableSE}
		ours["never_bought/"+p.Service] = est{p.NeverBought, p.NeverBoughtSE}
		ours["purchase_lot/"+p.Service] = est{p.PurchaseLot, p.PurchaseLotSE}
	}
	for _, sl := range rep.ServiceLots {
		if sl.SegmentVariable == "" && sl.Lot == 2 {
			ours["mean_level.lot2/"+sl.Service] = est{sl.MeanLevel, sl.MeanLevelSE}
			ours["mean_points.lot2/"+sl.Service] = est{sl.MeanPoints, sl.MeanPointsSE}
		}
	}
	worstPriority := 0.0
	for key, r := range rp {
		o, ok := ours[key]
		if !ok {
			t.Errorf("%s: in R's output, not in ours", key)
			continue
		}
		e, se := num(t, r[2]), num(t, r[3])
		if math.Abs(o.est-e) > 1e-9*math.Max(1, math.Abs(e)) {
			t.Errorf("%s: estimate %.10f, R %.10f", key, o.est, e)
		}
		rel := math.Abs(o.se-se) / se
		worstPriority = math.Max(worstPriority, rel)
		if rel > 1e-3 {
			t.Errorf("%s: SE %.8f, R %.8f (%.3f%%)", key, o.se, se, 100*rel)
		}
	}
	if len(rp) < 30 {
		t.Errorf("compared %d priority and lot estimates with R, want 30", len(rp))
	}
	t.Logf("compared %d priority and lot-mean SEs with R; largest relative difference %.2g", len(rp), worstPriority)

	// The family-wise segment test against svychisq(statistic = "F"), and
	// segment intervals against svyciprop(method = "beta").
	byArea, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"area"}})
	if err != nil {
		t.Fatal(err)
	}
	rt := readCSVMap(t, filepath.Join(out, "tests.csv"), func(r []string) string { return r[0] + "/" + r[1] })
	worstF, nTests := 0.0, 0
	for _, x := range byArea.Tests {
		r, ok := rt[x.Stage+"/"+x.Service]
		if !ok {
			continue
		}
		nTests++
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"F", x.F, num(t, r[2])}, {"ndf", x.NDF, num(t, r[3])}, {"ddf", x.DDF, num(t, r[4])}, {"p", x.P, num(t, r[5])}} {
			rel := math.Abs(c.got-c.want) / math.Max(math.Abs(c.want), 1e-300)
			worstF = math.Max(worstF, rel)
			if rel > 1e-6 {
				t.Errorf("test %s %s: %s %.10g, svychisq %.10g", x.Stage, x.Service, c.name, c.got, c.want)
			}
		}
	}
	if nTests < 20 {
		t.Errorf("compared %d segment tests with svychisq, want 20", nTests)
	}
	t.Logf("compared %d Rao–Scott tests with svychisq; largest relative difference %.2g", nTests, worstF)
	rc := readCSVMap(t, filepath.Join(out, "segment_ci.csv"), func(r []string) string { return r[0] + "/" + r[1] + "/" + r[2] })
	nCI, worstCI := 0, 0.0
	for _, sh := range byArea.Shares {
		r, ok := rc[fmt.Sprintf("%s/%s/%d", sh.Segment, sh.Service, sh.Level)]
		if !ok || sh.SegmentVariable != "area" || sh.Stage != "lot2" {
			continue
		}
		nCI++
		p, se := num(t, r[3]), num(t, r[4])
		if math.Abs(sh.Share-p) > 1e-9 || math.Abs(sh.SE-se) > 1e-6*se {
			t.Errorf("%s %s %d: share %g SE %g, R %g %g", sh.Segment, sh.Service, sh.Level, sh.Share, sh.SE, p, se)
		}
		for _, c := range [][2]float64{{sh.CILow, num(t, r[5])}, {sh.CIHigh, num(t, r[6])}} {
			d := math.Abs(c[0] - c[1])
			worstCI = math.Max(worstCI, d)
			if d > 1e-6 {
				t.Errorf("%s %s %d: interval %g..%g, svyciprop %s..%s", sh.Segment, sh.Service, sh.Level, sh.CILow, sh.CIHigh, r[5], r[6])
				break
			}
		}
	}
	if nCI < 50 {
		t.Errorf("compared %d segment intervals with svyciprop, want 50", nCI)
	}
	t.Logf("compared %d segment intervals with svyciprop; largest difference %.2g", nCI, worstCI)

	// Trimming to [0.3, 3] × mean with re-raking until both hold, against
	// R's trimWeights(strict = TRUE) and rake repeated the same way.
	trimmed, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: fenshireTargets(t), RenormaliseTargets: true, TrimLow: 0.3, TrimHigh: 3})
	if err != nil {
		t.Fatal(err)
	}
	tw := readCSVMap(t, filepath.Join(out, "trim_weights.csv"), func(r []string) string { return r[0] })
	worstW := 0.0
	for i, id := range trimmed.ResponseIDs {
		d := math.Abs(trimmed.Weighting.Weights[i] - num(t, tw[id][1]))
		worstW = math.Max(worstW, d)
		if d > 1e-6 {
			t.Errorf("trimmed %s: weight %.9f, R %s", id, trimmed.Weighting.Weights[i], tw[id][1])
		}
	}
	if len(tw) != len(trimmed.ResponseIDs) {
		t.Errorf("R has %d trimmed weights, Go %d", len(tw), len(trimmed.ResponseIDs))
	}
	ts := readCSVMap(t, filepath.Join(out, "trim_shares.csv"), func(r []string) string { return r[0] + "/" + r[1] + "/" + r[2] })
	nTrim, worstTrimSE, worstBackfit := 0, 0.0, 0.0
	for _, sh := range trimmed.Shares {
		r, ok := ts[fmt.Sprintf("%s/%s/%d", sh.Stage, sh.Service, sh.Level)]
		if !ok || sh.SegmentVariable != "" {
			continue
		}
		nTrim++
		p, seR, se := num(t, r[3]), num(t, r[4]), num(t, r[5])
		rel := math.Abs(sh.SE-se) / se
		worstTrimSE = math.Max(worstTrimSE, rel)
		worstBackfit = math.Max(worstBackfit, math.Abs(sh.SE-seR)/seR)
		if math.Abs(sh.Share-p) > 1e-8 || !(rel <= 1e-6) {
			t.Errorf("trimmed %s %s %d: share %.10f SE %.8f, R %.10f, exact projection SE %.8f", sh.Stage, sh.Service, sh.Level, sh.Share, sh.SE, p, se)
		}
	}
	if nTrim < 20 {
		t.Errorf("compared %d trimmed shares with R, want 20", nTrim)
	}
	t.Logf("trimmed and re-raked (%d rounds): weights within %.2g of R's, %d lot-1 SEs within %.2g relative of R's exact projection (svymean's backfitting differs by up to %.2g)",
		trimmed.Weighting.Rounds, worstW, nTrim, worstTrimSE, worstBackfit)
}

// TestAssociatedMarginsAgainstR: with age band tied to area (85% of each
// area in one band), R's svyrecvar backfitting is only an approximation of
// the projection on the raking margins; our SEs match R's exact projection.
func TestAssociatedMarginsAgainstR(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but Rscript is not installed (apt-get install r-base-core r-cran-survey)")
		}
		t.Skip("Rscript not installed")
	}
	g, plan, qs, recs := rFixtureRecords(t)
	bands := []string{"16-34", "35-54", "55-74", "75+"}
	areas := map[string]int{"fenchester": 0, "marshby": 1, "eastwold": 2, "southfen": 3, "wyke_vale": 0}
	for i := range recs {
		recs[i].About["age_band"] = bands[(areas[recs[i].About["area"]]+btoi(i%7 == 0)+btoi(i%13 == 0))%4]
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "associated.csv")
	var b strings.Builder
	layout := grid.WideLayout{Lots: 4}
	for _, q := range qs {
		layout.Questions = append(layout.Questions, q.Key)
	}
	ww, err := grid.NewWideWriter(&b, g, layout)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := ww.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := ww.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	msg, err := exec.Command(rscript, "testdata/associated_check.R", path, "testdata/targets.csv", out).CombinedOutput()
	if err != nil {
		if strings.Contains(string(msg), "no package called") && os.Getenv("CI") != "true" {
			t.Skip("R package survey not installed")
		}
		t.Fatalf("Rscript: %v\n%s", err, msg)
	}
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: fenshireTargets(t), RenormaliseTargets: true})
	if err != nil {
		t.Fatal(err)
	}
	rs := readCSVMap(t, out, func(r []string) string { return r[0] + "/" + r[1] })
	n, worst, worstBackfit := 0, 0.0, 0.0
	for _, s := range rep.Shares {
		r, ok := rs[fmt.Sprintf("%s/%d", s.Service, s.Level)]
		if !ok || s.Stage != "lot1" {
			continue
		}
		n++
		se, exact := num(t, r[3]), num(t, r[4])
		rel := math.Abs(s.SE-exact) / exact
		worst = math.Max(worst, rel)
		worstBackfit = math.Max(worstBackfit, math.Abs(s.SE-se)/se)
		if math.Abs(s.Share-num(t, r[2])) > 1e-9 || !(rel <= 1e-6) {
			t.Errorf("%s %d: share %g SE %.10f; R share %s, exact projection SE %.10f", s.Service, s.Level, s.Share, s.SE, r[2], exact)
		}
	}
	if n < 20 {
		t.Errorf("compared %d shares, want 20", n)
	}
	t.Logf("associated margins: %d lot-1 SEs within %.2g of R's exact projection; svymean's backfitting differs by up to %.2g", n, worst, worstBackfit)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
