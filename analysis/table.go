package analysis

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Table is one output table: a name (the CSV file is Name + ".csv"),
// column names and rows of formatted cells. Numbers are formatted by
// FormatFloat; counts, ranks, lots, levels and budgets are integers; flags
// are "true" or "false"; a value that cannot be computed is empty.
type Table struct {
	Name    string     `json:"name"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Table columns. These are contracts: change them only on purpose.
var (
	// WeightsColumns: one row per record, in input order.
	WeightsColumns = []string{"response_id", "weight"}
	// SharesColumns: one row per segment, stage, service and level. n is
	// the unweighted base, n_eff the effective n of the estimate (n/deff),
	// differs is true when a segment differs from the rest at the
	// confidence level (empty where it cannot be tested), low_base when n is
	// below the minimum base (then se, ci_low, ci_high and n_eff are empty).
	SharesColumns = []string{"segment_variable", "segment", "stage", "service", "level", "share", "se", "ci_low", "ci_high", "n", "n_eff", "differs", "low_base"}
	// PrioritiesColumns: one row per segment and service. rank orders by
	// score (mean first lot above level 1, never = lots+1; lower is
	// protected first); rank_low and rank_high are bootstrap 95% limits.
	// The *_se columns are linearization standard errors accounting for
	// raking (purchase_lot's as a domain mean among those who ever
	// bought); *_differs is true when a segment's estimate differs from the
	// rest's at the confidence level (empty for the whole sample and where
	// the estimate is empty).
	PrioritiesColumns = []string{"segment_variable", "segment", "service", "rank", "rank_low", "rank_high", "purchase_lot", "never_bought", "pain", "unacceptable", "score", "n", "low_base",
		"pain_se", "pain_differs", "unacceptable_se", "unacceptable_differs", "never_bought_se", "never_bought_differs", "purchase_lot_se", "purchase_lot_differs", "rank_to",
		"pl_rank", "pl_rank_to", "pl_rank_low", "pl_rank_high", "pl_worth", "pl_log_worth_se"}
	// PackagesColumns: one row per segment, lot and kind (vote: the
	// knapsack vote of the lot's own packages at its budget; majority: each
	// step a weighted majority bought at the lot). support is in points
	// (the weighted mean over the lot's residents of the package's points
	// above the base that the resident also bought); unspent = budget −
	// cost; runner_up_* is the best other package (vote only) and flat is
	// true when it is within one point of support; exact_share,
	// within_one_share and mean_distance_points describe how close
	// residents' own packages at the lot are to it.
	PackagesColumns = []string{"segment_variable", "segment", "lot", "budget", "kind", "cost", "unspent", "support", "runner_up_support", "flat",
		"exact_share", "within_one_share", "mean_distance_points", "n", "levels", "runner_up_levels"}
	// OptimumColumns: one row per segment, lot, kind and service: the
	// package's level, the weighted share at the lot who chose exactly it
	// and at least it, and (vote only) the share of bootstrap replicates
	// whose vote chose the same level (stability, not agreement).
	OptimumColumns = []string{"segment_variable", "segment", "lot", "budget", "kind", "service", "level", "chose_share", "at_least_share", "selected_share"}
	// ServiceLotsColumns: one row per segment, service and lot, with the
	// standard errors and segment flags of the mean level and mean points
	// (as for priorities).
	ServiceLotsColumns = []string{"segment_variable", "segment", "service", "lot", "mean_level", "mean_points", "below_as_now", "at_as_now", "above_as_now", "points_share", "n", "low_base",
		"mean_level_se", "mean_level_differs", "mean_points_se", "mean_points_differs"}
	// CurveColumns: the package at every budget from the base cost to the
	// maximum; basis is "lot" (a lot's vote at its budget),
	// "interpolation" (the nested ladder below the highest lot budget) or
	// "extrapolation" (above it); lot is the lot whose support scores the
	// package (support in points, as in packages); levels lists each
	// service's level in grid order, joined by ";".
	CurveColumns = []string{"segment_variable", "segment", "budget", "basis", "lot", "cost", "support", "levels"}
	// TestsColumns: one row per By variable, lot and service: the Rao–Scott
	// F test (survey::svychisq, statistic "F") of segment × level, its
	// degrees of freedom, p-value, adjusted p-value and whether it is
	// significant at 1 − confidence level after adjustment.
	TestsColumns = []string{"segment_variable", "stage", "service", "segments", "levels", "n", "f", "ndf", "ddf", "p_value", "p_adjusted", "significant", "singular"}
	// MethodColumns: key and value pairs saying what was done.
	MethodColumns = []string{"key", "value"}
)

// FormatFloat formats a number for a table: 'g' with 10 significant digits
// (enough to compare weights to 1e-6 and shares to 1e-9), empty for NaN.
func FormatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', 10, 64)
}

func itoa(n int) string { return strconv.Itoa(n) }

// Tables turns the report into tables, in this order: weights, shares,
// service_lots, priorities, packages, optimum, curve, tests, method.
func (r *Report) Tables() []Table {
	f := FormatFloat
	w := Table{Name: "weights", Columns: WeightsColumns}
	for i, id := range r.ResponseIDs {
		w.Rows = append(w.Rows, []string{id, f(r.Weighting.Weights[i])})
	}
	sh := Table{Name: "shares", Columns: SharesColumns}
	for _, s := range r.Shares {
		seg := s.SegmentVariable != ""
		sh.Rows = append(sh.Rows, []string{s.SegmentVariable, s.Segment, s.Stage, s.Service, itoa(s.Level), f(s.Share), f(s.SE),
			f(s.CILow), f(s.CIHigh), itoa(s.N), f(s.NEff), boolCell(seg && s.Tested, s.Differs), strconv.FormatBool(s.LowBase)})
	}
	sl := Table{Name: "service_lots", Columns: ServiceLotsColumns}
	for _, s := range r.ServiceLots {
		seg := s.SegmentVariable != ""
		sl.Rows = append(sl.Rows, []string{s.SegmentVariable, s.Segment, s.Service, itoa(s.Lot), f(s.MeanLevel), f(s.MeanPoints),
			f(s.Below), f(s.At), f(s.Above), f(s.PointsShare), itoa(s.N), strconv.FormatBool(s.LowBase),
			f(s.MeanLevelSE), differsCell(seg && s.MeanLevelTested, s.MeanLevel, s.MeanLevelDiffers),
			f(s.MeanPointsSE), differsCell(seg && s.MeanPointsTested, s.MeanPoints, s.MeanPointsDiffers)})
	}
	pr := Table{Name: "priorities", Columns: PrioritiesColumns}
	for _, p := range r.Priorities {
		lo, hi, rank, rankTo := "", "", "", ""
		if p.RankLow > 0 {
			lo, hi = itoa(p.RankLow), itoa(p.RankHigh)
		}
		if p.Rank > 0 {
			rank, rankTo = itoa(p.Rank), itoa(p.RankTo)
		}
		seg := p.SegmentVariable != ""
		pr.Rows = append(pr.Rows, []string{p.SegmentVariable, p.Segment, p.Service, rank, lo, hi, f(p.PurchaseLot),
			f(p.NeverBought), f(p.Pain), f(p.Unacceptable), f(p.Score), itoa(p.N), strconv.FormatBool(p.LowBase),
			f(p.PainSE), differsCell(seg && p.PainTested, p.Pain, p.PainDiffers),
			f(p.UnacceptableSE), differsCell(seg && p.UnacceptableTested, p.Unacceptable, p.UnacceptableDiffers),
			f(p.NeverBoughtSE), differsCell(seg && p.NeverBoughtTested, p.NeverBought, p.NeverBoughtDiffers),
			f(p.PurchaseLotSE), differsCell(seg && p.PurchaseLotTested, p.PurchaseLot, p.PurchaseLotDiffers), rankTo,
			posCell(p.PLRank), posCell(p.PLRankTo), posCell(p.PLRankLow), posCell(p.PLRankHigh), f(p.PLWorth), f(p.PLLogWorthSE)})
	}
	pk := Table{Name: "packages", Columns: PackagesColumns}
	for _, p := range r.Packages {
		ru := ""
		if p.RunnerUp != nil {
			ru = levelsCell(p.RunnerUp)
		}
		flat := ""
		if p.Kind == PackageVote && p.RunnerUp != nil {
			flat = strconv.FormatBool(p.Flat)
		}
		pk.Rows = append(pk.Rows, []string{p.SegmentVariable, p.Segment, itoa(p.Lot), itoa(p.Budget), p.Kind, itoa(p.Cost), itoa(p.Unspent),
			f(p.Support), f(p.RunnerUpSupport), flat, f(p.ExactShare), f(p.WithinOneShare), f(p.MeanDistance), itoa(p.N), levelsCell(p.Package), ru})
	}
	op := Table{Name: "optimum", Columns: OptimumColumns}
	for _, o := range r.Optimum {
		op.Rows = append(op.Rows, []string{o.SegmentVariable, o.Segment, itoa(o.Lot), itoa(o.Budget), o.Kind, o.Service, itoa(o.Level),
			f(o.ChoseShare), f(o.AtLeastShare), f(o.SelectedShare)})
	}
	cv := Table{Name: "curve", Columns: CurveColumns}
	for _, c := range r.Curve {
		cv.Rows = append(cv.Rows, []string{c.SegmentVariable, c.Segment, itoa(c.Budget), c.Basis, itoa(c.Lot), itoa(c.Cost), f(c.Support), levelsCell(c.Package)})
	}
	ts := Table{Name: "tests", Columns: TestsColumns}
	for _, x := range r.Tests {
		ts.Rows = append(ts.Rows, []string{x.SegmentVariable, x.Stage, x.Service, itoa(x.Segments), itoa(x.Levels), itoa(x.N),
			f(x.F), f(x.NDF), f(x.DDF), f(x.P), f(x.PAdjusted), boolCell(!math.IsNaN(x.P), x.Significant), boolCell(!math.IsNaN(x.P), x.Singular)})
	}
	return []Table{w, sh, sl, pr, pk, op, cv, ts, r.methodTable()}
}

// posCell is a positive integer, empty for 0.
func posCell(n int) string {
	if n <= 0 {
		return ""
	}
	return itoa(n)
}

func levelsCell(p []int) string {
	lv := make([]string, len(p))
	for i, l := range p {
		lv[i] = itoa(l)
	}
	return strings.Join(lv, ";")
}

func boolCell(applies, b bool) string {
	if !applies {
		return ""
	}
	return strconv.FormatBool(b)
}

// differsCell is a segment flag for an estimate: empty for the whole
// sample and where the estimate cannot be computed.
func differsCell(segment bool, estimate float64, differs bool) string {
	return boolCell(segment && !math.IsNaN(estimate) && !math.IsInf(estimate, 0), differs)
}

// methodTable says what was done, as key,value rows.
func (r *Report) methodTable() Table {
	t := Table{Name: "method", Columns: MethodColumns}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{k, v}) }
	wt := &r.Weighting
	add("respondents", itoa(len(r.ResponseIDs)))
	add("stages", strings.Join(r.Stages, ";"))
	add("lots", itoa(r.Lots))
	if r.Budgets == nil {
		add("lot_budgets", "unknown")
	} else {
		b := make([]string, len(r.Budgets))
		for i, x := range r.Budgets {
			b[i] = itoa(x)
		}
		add("lot_budgets", strings.Join(b, ";"))
	}
	if wt.Raked {
		add("weighting", "raking (survey::rake semantics), every achieved margin checked against its target")
		add("targets", strings.Join(wt.Variables, ";"))
		add("raking_iterations", itoa(wt.Iterations))
		add("raking_converged", strconv.FormatBool(wt.Converged))
		add("raking_tolerance", f(wt.Tolerance)+" of total weight, max cell change")
		add("raking_max_iterations", itoa(wt.MaxIter))
		for _, lo := range wt.LeftOut {
			add("left_out_missing."+lo.Variable, itoa(lo.Missing))
			add("left_out_no_target."+lo.Variable, itoa(lo.NoTarget))
			if len(lo.NoTargetValues) > 0 {
				add("no_target_values."+lo.Variable, strings.Join(lo.NoTargetValues, ";"))
			}
		}
	} else {
		add("weighting", "none (unweighted)")
	}
	if wt.TrimLow > 0 || wt.TrimHigh > 0 {
		lo, hi := "none", "none"
		if wt.TrimLow > 0 {
			lo = f(wt.TrimLow)
		}
		if wt.TrimHigh > 0 {
			hi = f(wt.TrimHigh)
		}
		how := "survey::trimWeights semantics, strict"
		if wt.Raked {
			how += ", then re-raked; trimmed and re-raked until the weights were within the bounds and the margins on target"
		}
		add("trimming", fmt.Sprintf("weights bounded to [%s, %s] × mean (%s): %d rounds, %d trimming passes", lo, hi, how, wt.Rounds, wt.TrimPasses))
	} else {
		add("trimming", "none")
	}
	if wt.Raked {
		if len(wt.Renormalised) == 0 {
			add("targets_renormalised", "no")
		} else {
			add("targets_renormalised", strings.Join(wt.Renormalised, "; "))
		}
		add("margin_tolerance", f(wt.MarginTolerance))
		for _, m := range wt.Margins {
			add("margin."+m.Variable+"."+m.Category, fmt.Sprintf("achieved %s, target %s", f(m.Achieved), f(m.Target)))
		}
	}
	add("design_effect_kish", f(wt.Deff))
	add("effective_n", f(wt.NEff))
	add("standard_errors", "linearization, residuals after projecting out the raking margins (as survey::svymean on a raked design), for shares and means; current: domain of those who answered; purchase_lot: domain of those who ever bought")
	method := "Korn–Graubard (Clopper–Pearson on effective n)"
	if r.Interval == IntervalWilson {
		method = "Wilson on effective n"
	}
	add("interval_method", method)
	add("confidence_level", f(r.Level))
	add("minimum_base", fmt.Sprintf("%d respondents: below it no SE, interval, effective n, segment test or rank interval is given and low_base is true; a segment is tested only when it and the rest both reach it", r.MinBase))
	add("segments", strings.Join(r.By, ";"))
	if len(r.By) > 0 {
		adj := map[string]string{AdjustNone: "none", AdjustHolm: "Holm", AdjustBH: "Benjamini–Hochberg"}[r.Adjust]
		add("segment_tests", "per By variable, lot and service: Pearson X² of segment × level with the Rao–Scott second-order correction as an F test on tr(Δ)²/tr(Δ²) and that × (n−1) degrees of freedom (survey::svychisq, statistic F); p-values adjusted over each variable's tests: "+adj+"; the per-estimate differs flags are not adjusted")
	}
	add("ranking", "rank, rank_to, rank_low, rank_high: by score, the mean first lot above level 1 with never = lots+1, which is exactly lots+1 minus the area under the curve of the share who had bought by each lot (no arbitrary value: never bought adds nothing at any lot); pl_*: Plackett–Luce consensus of purchase orders (services first bought at a lot chosen together before those not yet bought, Breslow ties, never bought never chosen), weighted MM fit, design-based sandwich SE of centred log-worths, rank interval from 2,000 normal draws")
	add("bootstrap_replicates", itoa(r.Bootstrap))
	if r.Bootstrap > 0 {
		add("bootstrap_seed", strconv.FormatInt(r.Seed, 10))
		add("bootstrap_failed", itoa(r.BootstrapFailed))
	}
	for i, n := range r.Notes {
		add(fmt.Sprintf("note.%d", i+1), n)
	}
	return t
}

func f(x float64) string { return FormatFloat(x) }

// WriteCSV writes every table of the report to dir as NAME.csv.
func (r *Report) WriteCSV(dir string) error { return WriteTables(dir, r.Tables()) }

// WriteJSON writes every table of the report as JSON (see WriteJSON).
func (r *Report) WriteJSON(w io.Writer) error { return WriteJSON(w, r.Tables()) }

// WriteTables writes every table to dir as NAME.csv, creating dir if needed.
func WriteTables(dir string, tables []Table) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write tables: %w", err)
	}
	for _, t := range tables {
		path := filepath.Join(dir, t.Name+".csv")
		fh, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("write tables: %w", err)
		}
		err = t.WriteCSV(fh)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// WriteCSV writes the table as CSV: a header row, then the rows.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	if err := cw.WriteAll(t.Rows); err != nil {
		return err
	}
	return cw.Error()
}

// WriteJSON writes the tables as one JSON array of {name, columns, rows}.
func WriteJSON(w io.Writer, tables []Table) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(tables)
}
