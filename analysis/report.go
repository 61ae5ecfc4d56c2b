// Package analysis turns SIMALTO responses into what Cabinet reads: weights
// raked to population targets, weighted level shares with standard errors
// that account for the raking, priorities with bootstrap rank intervals, the
// resident-preferred package at any budget, all of it by segment, and
// tables to export. It is pure: plain inputs (a grid, its lots, the
// about-you questions and the records) in, a Report out.
package analysis

import (
	"fmt"
)

// Options control an analysis. The zero value is an unweighted analysis
// with Korn–Graubard intervals and no bootstrap.
type Options struct {
	// Targets are the raking targets; nil for an unweighted analysis.
	Targets *Targets
	// TrimLow and TrimHigh bound the weights after raking, as multiples of
	// the mean weight (0: no bound), with survey::trimWeights semantics
	// (strict).
	TrimLow, TrimHigh float64
	// RenormaliseTargets accepts targets that omit a category respondents
	// chose (they are left out of that margin) or whose shares do not sum
	// to 1 within TargetSumTolerance (they are scaled); without it both
	// are errors. The method table says what was done.
	RenormaliseTargets bool
	// By lists respondent variables (about-you keys or "channel") to
	// repeat every output by.
	By []string
	// Bootstrap is the number of bootstrap replicates for rank intervals
	// and optimum selection shares (0: none).
	Bootstrap int
	// Seed seeds the bootstrap.
	Seed int64
	// Interval is IntervalKornGraubard ("kg", the default) or
	// IntervalWilson ("wilson").
	Interval string
	// Level is the confidence level, default 0.95.
	Level float64
	// MinBase is the minimum base (unweighted respondents) for an SE, an
	// interval, an effective n, a rank interval or a segment test; 0 means
	// DefaultMinBase (30). Below it the estimate is given alone and
	// flagged LowBase.
	MinBase int
	// Adjust adjusts the p-values of the family-wise tests over each By
	// variable's tests: AdjustNone (the default), AdjustHolm or AdjustBH
	// (Benjamini–Hochberg).
	Adjust string
	// Progress, when set, is called after each bootstrap replicate, from
	// the goroutine that called Analyse.
	Progress func(done, total int)
}

// Report is the result of an analysis.
type Report struct {
	Stages      []string // current, unacceptable (when asked), lot1..lotK
	Services    []string // service keys in grid order
	Lots        int
	Budgets     []int    // lot budgets in points; nil when unknown
	ResponseIDs []string // in record order, as Weighting.Weights
	Weighting   Weighting
	Interval    string  // IntervalKornGraubard or IntervalWilson
	Level       float64 // confidence level
	MinBase     int
	By          []string
	Bootstrap   int // replicates asked for
	// BootstrapFailed counts replicates that could not be raked (a target
	// category had no respondent in the resample); they are left out.
	BootstrapFailed int
	Seed            int64
	// The estimates; every slice holds the whole sample first, then each
	// By variable's segments in value order. Values that cannot be
	// computed are NaN, so encode a Report as JSON through Tables.
	Shares      []Share
	ServiceLots []ServiceLot
	Priorities  []Priority
	// Packages are, per segment and lot, the knapsack vote of that lot's
	// packages at its budget and the majority package, with coverage.
	Packages []LotPackage
	// Optimum lists every service's level in each of Packages.
	Optimum []OptimumLevel
	// Curve is the package at every budget: lots' votes at their budgets
	// and the nested ladder between and beyond them, labelled.
	Curve []CurvePoint
	// Tests are, for each By variable, lot and service, the Rao–Scott
	// test of whether the level chosen depends on the segment.
	Tests  []VariableTest
	Adjust string
	// Notes say which outputs could not be computed, and why.
	Notes []string
}

// Analyse runs the whole analysis.
func Analyse(in Input, opt Options) (*Report, error) {
	if opt.Interval == "" {
		opt.Interval = IntervalKornGraubard
	}
	if opt.Interval != IntervalKornGraubard && opt.Interval != IntervalWilson {
		return nil, fmt.Errorf("analysis: interval %q: want %q or %q", opt.Interval, IntervalKornGraubard, IntervalWilson)
	}
	if opt.Level == 0 {
		opt.Level = 0.95
	}
	if opt.Level <= 0 || opt.Level >= 1 {
		return nil, fmt.Errorf("analysis: confidence level %g is not between 0 and 1", opt.Level)
	}
	switch opt.Adjust {
	case "":
		opt.Adjust = AdjustNone
	case AdjustNone, AdjustHolm, AdjustBH:
	default:
		return nil, fmt.Errorf("analysis: adjustment %q: want %q, %q or %q", opt.Adjust, AdjustNone, AdjustHolm, AdjustBH)
	}
	if opt.MinBase == 0 {
		opt.MinBase = DefaultMinBase
	}
	if opt.MinBase < 2 {
		return nil, fmt.Errorf("analysis: minimum base %d: want at least 2", opt.MinBase)
	}
	if opt.Bootstrap < 0 {
		return nil, fmt.Errorf("analysis: bootstrap size %d is negative", opt.Bootstrap)
	}
	d, err := prepare(in)
	if err != nil {
		return nil, err
	}
	wt, des, err := d.weigh(opt.Targets, opt)
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	views, err := d.views(opt.By)
	if err != nil {
		return nil, err
	}
	rep := &Report{Stages: d.stageNames(), Lots: d.k, Budgets: in.Plan.Budgets, ResponseIDs: d.ids, Weighting: wt,
		Interval: opt.Interval, Level: opt.Level, MinBase: opt.MinBase, Adjust: opt.Adjust, By: opt.By, Bootstrap: opt.Bootstrap, Seed: opt.Seed}
	for _, sv := range d.g.Services {
		rep.Services = append(rep.Services, sv.Key)
	}
	if in.Plan.Budgets == nil {
		rep.Notes = append(rep.Notes, "lot budgets unknown: pain, the packages at each lot budget and the curve are not computed")
	} else if painLot(in.Plan.Budgets, d.g.AsNowCost()) < 0 {
		rep.Notes = append(rep.Notes, "no lot budget is at or below today's spending: pain is not computed")
	}
	e := &estimator{d: d, des: des, level: opt.Level, interval: opt.Interval, inf: des.newInfluence(), minBase: opt.MinBase}
	for i, vw := range views {
		t := d.newTally(des.cells.of, des.cells.count(), vw, nil, true)
		if i == 0 {
			e.whole = t
		}
		sh, sl := e.shares(t, vw)
		rep.Shares = append(rep.Shares, sh...)
		rep.ServiceLots = append(rep.ServiceLots, sl...)
		rep.Priorities = append(rep.Priorities, e.priorities(t, vw, i, in.Plan.Budgets)...)
		rep.packagesOf(d, t, des.cells.of, des.cellW, vw, i, in.Plan.Budgets)
		if vw.of != nil {
			rep.Tests = append(rep.Tests, e.variableTests(t, vw, opt.Adjust)...)
		}
	}
	rep.Notes = append(rep.Notes, nestingNotes(d.g, rep.Packages)...)
	if opt.Bootstrap > 0 {
		var margins []Margin
		if opt.Targets != nil && len(opt.Targets.Variables) > 0 {
			margins, _, _, _ = d.margins(opt.Targets, opt.RenormaliseTargets)
		}
		bs := &bootstrapSetup{d: d, cells: des.cells, rk: newRaker(margins, des.cells), views: views,
			budgets: in.Plan.Budgets, trimLow: opt.TrimLow, trimHigh: opt.TrimHigh}
		b := bs.run(opt.Bootstrap, opt.Seed, opt.Progress)
		rep.BootstrapFailed = b.failed()
		if rep.BootstrapFailed > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%d of %d bootstrap replicates could not be raked (a target category had no respondent) and were left out", rep.BootstrapFailed, opt.Bootstrap))
		}
		rep.applyBootstrap(b, len(d.g.Services), len(in.Plan.Budgets))
	}
	return rep, nil
}

// applyBootstrap fills rank intervals and selection shares from the
// replicates; S services, B lot budgets.
func (rep *Report) applyBootstrap(b *bootstrap, S, B int) {
	for i := range rep.Priorities {
		p := &rep.Priorities[i]
		if p.N >= rep.MinBase {
			p.RankLow, p.RankHigh = b.rankInterval(p.at.view, p.at.value*S+p.at.service, S)
		}
	}
	for i := range rep.Optimum {
		o := &rep.Optimum[i]
		if o.Kind != PackageVote {
			continue
		}
		o.SelectedShare = b.selected(o.at.view, (o.at.value*B+o.at.budget)*S+o.at.service, o.Level)
	}
}
