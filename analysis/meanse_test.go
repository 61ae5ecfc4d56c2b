package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Standard errors and segment flags of priorities (pain, unacceptable,
// never_bought, purchase_lot) and service_lots (mean_level, mean_points).

var priorityStats = []string{"pain", "unacceptable", "never_bought", "purchase_lot"}
var lotStats = []string{"mean_level", "mean_points"}

// respondentValue is respondent r's value of a statistic for service s
// (lot: 0-based lot for mean_level and mean_points, the pain lot for pain)
// and whether r is in the statistic's domain before segmenting.
func respondentValue(g *grid.Grid, r *grid.Record, stat string, s, lot int) (y float64, in bool) {
	sv := &g.Services[s]
	asNow := sv.AsNowLevel()
	b := func(x bool) float64 {
		if x {
			return 1
		}
		return 0
	}
	first := -1
	for k, p := range r.Lots {
		if p[s] > 1 {
			first = k
			break
		}
	}
	switch stat {
	case "pain":
		return b(r.Lots[lot][s] < asNow), true
	case "unacceptable":
		marked := false
		if r.Unacceptable != nil {
			for _, l := range r.Unacceptable[s] {
				marked = marked || l < asNow
			}
		}
		return b(marked), true
	case "never_bought":
		return b(first < 0), true
	case "purchase_lot":
		return float64(first + 1), first >= 0
	case "mean_level":
		return float64(r.Lots[lot][s]), true
	case "mean_points":
		return float64(sv.Levels[r.Lots[lot][s]-1].Points), true
	}
	panic(stat)
}

func priorityStat(p *Priority, stat string) (est, se float64, differs bool) {
	switch stat {
	case "pain":
		return p.Pain, p.PainSE, p.PainDiffers
	case "unacceptable":
		return p.Unacceptable, p.UnacceptableSE, p.UnacceptableDiffers
	case "never_bought":
		return p.NeverBought, p.NeverBoughtSE, p.NeverBoughtDiffers
	case "purchase_lot":
		return p.PurchaseLot, p.PurchaseLotSE, p.PurchaseLotDiffers
	}
	panic(stat)
}

func serviceLotStat(sl *ServiceLot, stat string) (est, se float64, differs bool) {
	if stat == "mean_level" {
		return sl.MeanLevel, sl.MeanLevelSE, sl.MeanLevelDiffers
	}
	return sl.MeanPoints, sl.MeanPointsSE, sl.MeanPointsDiffers
}

// estimateRow is one estimate of the report in a uniform shape.
type estimateRow struct {
	variable, segment, service, stat string
	lot                              int // 0-based lot of the respondent value
	est, se                          float64
	differs                          bool
}

// estimateRows lists every new estimate of the report; pl is the 0-based
// pain lot.
func estimateRows(g *grid.Grid, rep *Report, pl int) []estimateRow {
	var out []estimateRow
	for i := range rep.Priorities {
		p := &rep.Priorities[i]
		for _, st := range priorityStats {
			e, se, d := priorityStat(p, st)
			out = append(out, estimateRow{p.SegmentVariable, p.Segment, p.Service, st, pl, e, se, d})
		}
	}
	for i := range rep.ServiceLots {
		sl := &rep.ServiceLots[i]
		for _, st := range lotStats {
			e, se, d := serviceLotStat(sl, st)
			out = append(out, estimateRow{sl.SegmentVariable, sl.Segment, sl.Service, st, sl.Lot - 1, e, se, d})
		}
	}
	return out
}

// TestMeanSEsUnweightedAreTextbook: without weights every new estimate is
// the plain mean over its domain (the segment, and for purchase_lot those
// who ever bought) and its SE is sd/√n with the n−1 denominator.
func TestMeanSEsUnweightedAreTextbook(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 800, 21)
	rep, err := analyseRecords(g, plan, qs, recs, Options{By: []string{"area"}})
	if err != nil {
		t.Fatal(err)
	}
	pl := painLot(plan.Budgets, g.AsNowCost())
	checked := map[string]int{}
	for _, row := range estimateRows(g, rep, pl) {
		if row.segment != "" && row.segment != "marshby" {
			continue
		}
		s := g.ServiceIndex(row.service)
		var ys []float64
		for i := range recs {
			if row.segment != "" && recs[i].About["area"] != row.segment {
				continue
			}
			if y, in := respondentValue(g, &recs[i], row.stat, s, row.lot); in {
				ys = append(ys, y)
			}
		}
		n := float64(len(ys))
		if n < DefaultMinBase {
			if !math.IsNaN(row.se) {
				t.Errorf("%s %s %s: n %g below the minimum base, SE %g", row.segment, row.service, row.stat, n, row.se)
			}
			continue
		}
		mean := 0.0
		for _, y := range ys {
			mean += y
		}
		mean /= n
		ss := 0.0
		for _, y := range ys {
			ss += (y - mean) * (y - mean)
		}
		se := math.Sqrt(ss/(n-1)) / math.Sqrt(n)
		if math.Abs(row.est-mean) > 1e-12*math.Max(1, mean) {
			t.Errorf("%s %s %s lot %d: estimate %.12g, plain mean %.12g", row.segment, row.service, row.stat, row.lot+1, row.est, mean)
		}
		if !(math.Abs(row.se-se) <= 1e-9*se) || (se == 0 && row.se != 0) {
			t.Errorf("%s %s %s lot %d: SE %.12g, sd/√n %.12g (n %v)", row.segment, row.service, row.stat, row.lot+1, row.se, se, n)
		}
		checked[row.stat]++
	}
	for _, st := range append(slices.Clone(priorityStats), lotStats...) {
		if checked[st] < 16 {
			t.Errorf("%s: checked %d estimates", st, checked[st])
		}
	}
}

// TestMeanSEsMatchBackfitting checks the new SEs on a raked design (with
// missing and no-target answers) against the per-respondent backfitting
// reference, their differs flags against the same reference for the
// difference segment − rest, and pain against the shares machinery: for a
// service whose as-now level is 2, pain is the share of level 1 at the pain
// lot, so both must give the same SE and flag.
func TestMeanSEsMatchBackfitting(t *testing.T) {
	g, plan, qs := fenshire(t)
	tg := fenshireTargets(t)
	recs := Simulate(g, plan, qs, 1500, 77)
	rep, err := analyseRecords(g, plan, qs, recs, Options{Targets: tg, RenormaliseTargets: true, By: []string{"care"}})
	if err != nil {
		t.Fatal(err)
	}
	w := rep.Weighting.Weights
	cat := marginCategories(tg, recs)
	n := len(recs)
	pl := painLot(plan.Budgets, g.AsNowCost())
	z := zValue(0.95)
	services := []string{"roads", "streetlights", "libraries", "send"}
	checked, flagged, compared := 0, 0, 0
	for _, row := range estimateRows(g, rep, pl) {
		if !slices.Contains(services, row.service) || (row.segment != "" && row.segment != "yes") ||
			(row.stat == "mean_level" || row.stat == "mean_points") && row.lot != 0 && row.lot != 3 {
			continue
		}
		s := g.ServiceIndex(row.service)
		y, d, dr := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range recs {
			v, in := respondentValue(g, &recs[i], row.stat, s, row.lot)
			y[i] = v
			if !in {
				continue
			}
			if row.segment == "" || recs[i].About["care"] == row.segment {
				d[i] = 1
			} else {
				dr[i] = 1
			}
		}
		want := backfitMeanSE(w, cat, y, d)
		if !(math.Abs(row.se-want) <= 1e-7*want) {
			t.Errorf("%s %s %s lot %d: SE %.10f, backfitting %.10f", row.segment, row.service, row.stat, row.lot+1, row.se, want)
		}
		checked++
		if row.segment == "" {
			continue
		}
		// The difference segment − rest, linearized jointly.
		mean := func(d []float64) (m, wd float64) {
			for i := range y {
				m += w[i] * d[i] * y[i]
				wd += w[i] * d[i]
			}
			return m / wd, wd
		}
		p, wp := mean(d)
		pr, wr := mean(dr)
		r := make([]float64, n)
		for i := range r {
			r[i] = d[i]*(y[i]-p)/wp - dr[i]*(y[i]-pr)/wr
		}
		stat := math.Abs(p-pr) / math.Sqrt(backfitVar(w, cat, r))
		if math.Abs(stat-z) < 1e-6 {
			continue
		}
		compared++
		if row.differs != (stat > z) {
			t.Errorf("%s %s %s lot %d: differs %v, |difference|/SE %.4f", row.segment, row.service, row.stat, row.lot+1, row.differs, stat)
		}
		if row.differs {
			flagged++
		}
	}
	if checked != 4*2*(4+2*2) {
		t.Errorf("checked %d SEs, want %d", checked, 4*2*(4+2*2))
	}
	if flagged == 0 || flagged == compared {
		t.Errorf("%d of %d segment flags set: the comparison tests only one outcome", flagged, compared)
	}
	t.Logf("%d SEs match backfitting; %d of %d segment flags set, all as the reference", checked, flagged, compared)

	// Pain through the shares machinery.
	sl := g.ServiceIndex("streetlights")
	if g.Services[sl].AsNowLevel() != 2 {
		t.Fatal("streetlights' as-now level is no longer 2")
	}
	stage := "lot" + itoa(pl+1)
	found := 0
	for _, p := range rep.Priorities {
		if p.Service != "streetlights" {
			continue
		}
		for _, sh := range rep.Shares {
			if sh.Stage != stage || sh.Service != "streetlights" || sh.Level != 1 || sh.Segment != p.Segment || sh.SegmentVariable != p.SegmentVariable {
				continue
			}
			found++
			if math.Abs(p.Pain-sh.Share) > 1e-12 || math.Abs(p.PainSE-sh.SE) > 1e-12*sh.SE || p.PainDiffers != sh.Differs {
				t.Errorf("%s: pain %.12g SE %.12g differs %v; share of level 1 at %s %.12g SE %.12g differs %v",
					p.Segment, p.Pain, p.PainSE, p.PainDiffers, stage, sh.Share, sh.SE, sh.Differs)
			}
		}
	}
	if found != len(rep.Priorities)/len(g.Services) {
		t.Errorf("compared pain with %d shares rows", found)
	}
}

// TestPlantedSegmentDifference: one area never buys roads before lot 4, so
// its roads purchase lot, pain and mean level and points at lots 1–3 differ
// from the rest; a segment assigned at random differs in few estimates.
func TestPlantedSegmentDifference(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 3000, 9)
	roads := g.ServiceIndex("roads")
	rng := rand.New(rand.NewPCG(3, 4))
	planted := 0
	for i := range recs {
		r := &recs[i]
		if r.About["area"] == "marshby" {
			for k := 0; k < 3; k++ {
				r.Lots[k][roads] = 1
			}
			planted++
		}
		r.About["care"] = []string{"yes", "no"}[rng.IntN(2)]
	}
	if planted < 100 {
		t.Fatalf("only %d marshby respondents", planted)
	}
	rep, err := analyseRecords(g, plan, qs, recs, Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"area", "care"}})
	if err != nil {
		t.Fatal(err)
	}
	pl := painLot(plan.Budgets, g.AsNowCost())
	var random, randomFlagged int
	want := map[string]bool{}
	for _, row := range estimateRows(g, rep, pl) {
		switch {
		case row.segment == "marshby" && row.service == "roads":
			key := row.stat
			if row.stat == "mean_level" || row.stat == "mean_points" {
				if row.lot > 2 {
					continue
				}
				key += " lot" + itoa(row.lot+1)
			}
			if row.stat == "purchase_lot" && row.est != 4 {
				t.Errorf("marshby roads purchase lot %g, want 4", row.est)
			}
			if row.stat == "pain" && row.est != 1 {
				t.Errorf("marshby roads pain %g, want 1", row.est)
			}
			want[key] = row.differs
		case row.variable == "care" && !math.IsNaN(row.est):
			random++
			if row.differs {
				randomFlagged++
			}
		}
	}
	for _, k := range []string{"purchase_lot", "pain", "mean_level lot1", "mean_level lot2", "mean_level lot3",
		"mean_points lot1", "mean_points lot2", "mean_points lot3"} {
		if d, ok := want[k]; !ok || !d {
			t.Errorf("marshby roads %s: differs %v (present %v), want true", k, d, ok)
		}
	}
	if random < 200 || float64(randomFlagged) > 0.1*float64(random) {
		t.Errorf("care assigned at random: %d of %d estimates flagged", randomFlagged, random)
	}
	t.Logf("care assigned at random: %d of %d estimates flagged", randomFlagged, random)
}

// TestMeanSEColumns: in the tables, every *_differs cell is empty for the
// whole sample and, for a segment, set exactly when its estimate is;
// every *_se cell is set when its estimate is (with n ≥ 2); with unknown
// budgets pain and its SE and flag are empty.
func TestMeanSEColumns(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 600, 13)
	for _, budgets := range [][]int{plan.Budgets, nil} {
		p := plan
		p.Budgets = budgets
		rep, err := analyseRecords(g, p, qs, recs, Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"area", "channel"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range rep.Tables() {
			var stats []string
			switch tb.Name {
			case "priorities":
				stats = priorityStats
			case "service_lots":
				stats = lotStats
			default:
				continue
			}
			col := map[string]int{}
			for i, c := range tb.Columns {
				col[c] = i
			}
			for _, row := range tb.Rows {
				whole := row[col["segment_variable"]] == ""
				n := mustFloat(t, row[col["n"]])
				for _, st := range stats {
					est, se, dif := row[col[st]], row[col[st+"_se"]], row[col[st+"_differs"]]
					switch {
					case whole && dif != "":
						t.Fatalf("%s whole sample %s: %s_differs %q, want empty", tb.Name, row[col["service"]], st, dif)
					case n < 30 && (se != "" || dif != ""):
						t.Fatalf("%s %s %s: n %g below the minimum base but %s SE %q differs %q", tb.Name, row[col["segment"]], row[col["service"]], n, st, se, dif)
					case n < 30:
					case !whole && float64(len(recs))-n < 30 && dif != "":
						t.Fatalf("%s %s: the rest has %g respondents, below the minimum base, but differs %q", tb.Name, row[col["segment"]], float64(len(recs))-n, dif)
					case !whole && float64(len(recs))-n < 30:
					case st == "purchase_lot" && est == "" && dif != "":
						t.Fatalf("%s: purchase_lot empty but differs %q", tb.Name, dif)
					case st == "purchase_lot":
						// Its base is those who ever bought, not n: untested below the minimum base.
					case !whole && (est == "") != (dif == ""):
						t.Fatalf("%s %s %s: %s %q but differs %q", tb.Name, row[col["segment"]], row[col["service"]], st, est, dif)
					case !whole && dif != "" && dif != "true" && dif != "false":
						t.Fatalf("%s: differs %q", tb.Name, dif)
					case est == "" && se != "":
						t.Fatalf("%s %s: %s empty but its SE %q", tb.Name, row[col["service"]], st, se)
					case est != "" && se == "" && st != "purchase_lot":
						t.Fatalf("%s %s %s: %s %q without an SE", tb.Name, row[col["segment"]], row[col["service"]], st, est)
					case st == "pain" && budgets == nil && (est != "" || se != "" || dif != ""):
						t.Fatalf("budgets unknown: pain %q SE %q differs %q", est, se, dif)
					}
				}
			}
		}
	}
}
