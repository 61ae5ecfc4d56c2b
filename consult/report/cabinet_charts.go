package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/budgetgrid/budgetgrid/analysis"
)

func (w *writer) charts(in analysis.Input) []Chart {
	var cs []Chart
	g := w.c.Grid
	maxLevels := 0
	for _, s := range g.Services {
		maxLevels = max(maxLevels, len(s.Levels))
	}
	parts := make([]string, maxLevels)
	for i := range parts {
		parts[i] = "Level " + strconv.Itoa(i+1)
	}
	// Level shares per round, whole sample.
	shares := map[string]map[int]float64{} // stage|service → level → share
	for _, s := range w.rep.Shares {
		if s.SegmentVariable != "" {
			continue
		}
		k := s.Stage + "|" + s.Service
		if shares[k] == nil {
			shares[k] = map[int]float64{}
		}
		shares[k][s.Level] = s.Share
	}
	for lot := 1; lot <= w.rep.Lots; lot++ {
		stage := "lot" + strconv.Itoa(lot)
		t := analysis.Table{Name: "chart_shares_" + stage, Columns: append([]string{"service"}, parts...)}
		var bars []StackedBar
		for _, s := range g.Services {
			bar := StackedBar{Label: s.Name}
			row := []string{s.Name}
			for l := 1; l <= maxLevels; l++ {
				v, ok := shares[stage+"|"+s.Key][l]
				if l > len(s.Levels) || !ok {
					v = 0
				}
				bar.Shares = append(bar.Shares, v)
				cell := ""
				if l <= len(s.Levels) {
					cell = percent(v)
				}
				row = append(row, cell)
			}
			bars = append(bars, bar)
			t.Rows = append(t.Rows, row)
		}
		caption := fmt.Sprintf("Levels chosen at round %d", lot)
		if lot <= len(in.Plan.Budgets) {
			caption += fmt.Sprintf(" (budget %d points)", in.Plan.Budgets[lot-1])
		}
		id := "chart-shares-" + strconv.Itoa(lot)
		cs = append(cs, Chart{ID: id, Caption: caption, Table: t,
			SVG: StackedBars(id, caption, "Share of residents choosing each level of each service, lowest level first and lightest.", parts, bars)})
	}
	// Priorities with rank intervals.
	pri := wholeSample(w.rep.Priorities, func(p analysis.Priority) string { return p.SegmentVariable })
	sort.SliceStable(pri, func(i, j int) bool { return pri[i].Rank < pri[j].Rank })
	if len(pri) > 0 {
		t := analysis.Table{Name: "chart_ranks", Columns: []string{"service", "rank", "rank_low", "rank_high", "score"}}
		var rows []RankRow
		for _, p := range pri {
			rank := float64(p.Rank+p.RankTo) / 2
			rows = append(rows, RankRow{Label: w.service(p.Service).Name, Rank: rank, Low: float64(p.RankLow), High: float64(p.RankHigh), LowBase: p.LowBase, Tied: p.RankTo > p.Rank})
			t.Rows = append(t.Rows, []string{w.service(p.Service).Name, analysis.FormatFloat(rank), rankCell(p.RankLow), rankCell(p.RankHigh), analysis.FormatFloat(p.Score)})
		}
		desc := "Rank 1 is protected first."
		if w.rep.Bootstrap > 0 {
			desc += " Lines show the 95% bootstrap interval of each rank."
		}
		cs = append(cs, Chart{ID: "chart-ranks", Caption: "Which services residents protect first", Table: t, SVG: RankChart("chart-ranks", "Which services residents protect first", desc, rows)})
	}
	// The preferred package at each round against today's.
	today := g.AsNowPackage()
	for _, p := range w.rep.Packages {
		if p.SegmentVariable != "" || p.Kind != analysis.PackageVote {
			continue
		}
		id := "chart-package-" + strconv.Itoa(p.Lot)
		caption := fmt.Sprintf("Residents' package at round %d (%d points) against today's levels", p.Lot, p.Budget)
		t := analysis.Table{Name: "chart_package_lot" + strconv.Itoa(p.Lot), Columns: []string{"service", "today", "package"}}
		var rows []PackageRow
		for i, s := range g.Services {
			if i >= len(p.Package) {
				break
			}
			rows = append(rows, PackageRow{Label: s.Name, Levels: len(s.Levels), Today: today[i], Proposed: p.Package[i], TodayLabel: s.Levels[today[i]-1].Label, ProposedLabel: s.Levels[p.Package[i]-1].Label})
			t.Rows = append(t.Rows, []string{s.Name, s.Levels[today[i]-1].Label, s.Levels[p.Package[i]-1].Label})
		}
		cs = append(cs, Chart{ID: id, Caption: caption, Table: t, SVG: PackageChart(id, caption, "Today's level is a square, the package's a circle, on each service's scale of levels.", rows)})
	}
	// The sample against the targets (unweighted shares).
	if margins := w.rep.Weighting.Margins; len(margins) > 0 {
		counts := map[string]map[string]int{}
		for _, r := range in.Records {
			for _, v := range w.rep.Weighting.Variables {
				if counts[v] == nil {
					counts[v] = map[string]int{}
				}
				if val := r.About[v]; val != "" {
					counts[v][val]++
				} else if v == "channel" {
					counts[v][r.Channel]++
				}
			}
		}
		t := analysis.Table{Name: "chart_sample", Columns: []string{"variable", "category", "sample_share", "target"}}
		var rows []SampleRow
		for _, m := range margins {
			total := 0
			for _, n := range counts[m.Variable] {
				total += n
			}
			achieved := 0.0
			if total > 0 {
				achieved = float64(counts[m.Variable][m.Category]) / float64(total)
			}
			short := m.Target-achieved > 0.05
			rows = append(rows, SampleRow{Label: m.Variable + ": " + m.Category, Achieved: achieved, Target: m.Target, HasTarget: true, Short: short})
			t.Rows = append(t.Rows, []string{m.Variable, m.Category, analysis.FormatFloat(achieved), analysis.FormatFloat(m.Target)})
		}
		cs = append(cs, Chart{ID: "chart-sample", Caption: "The sample against the weighting targets", Table: t,
			SVG: SampleChart("chart-sample", "The sample against the weighting targets", "Bars are the unweighted sample's shares; black ticks are the population targets. Categories more than 5 points short are marked.", rows)})
	}
	return cs
}

func rankCell(r int) string {
	if r == 0 {
		return ""
	}
	return strconv.Itoa(r)
}

func (w *writer) method(cb *Cabinet) [][2]string {
	rep := w.rep
	var m [][2]string
	add := func(k, v string) { m = append(m, [2]string{k, v}) }
	var ch []string
	for _, c := range cb.ByChannel {
		ch = append(ch, fmt.Sprintf("%d %s", c.N, c.Name))
	}
	add("Responses", fmt.Sprintf("%d completed (%s)", cb.Responses, strings.Join(ch, ", ")))
	wt := rep.Weighting
	if wt.Raked {
		add("Weighting", fmt.Sprintf("raked to population targets on %s in %d iterations (converged: %v)", joinAnd(wt.Variables), wt.Iterations, wt.Converged))
		if wt.TrimLow > 0 || wt.TrimHigh > 0 {
			add("Trimming", fmt.Sprintf("weights kept between %g and %g times the mean, re-raked until both the bounds and the margins held (%d rounds)", wt.TrimLow, wt.TrimHigh, wt.Rounds))
		}
		add("Design effect", fmt.Sprintf("%.2f (Kish), effective sample size %.0f", wt.Deff, wt.NEff))
		worst := 0.0
		for _, mc := range wt.Margins {
			worst = math.Max(worst, math.Abs(mc.Achieved-mc.Target))
		}
		add("Margins", fmt.Sprintf("every weighted margin within %.2f percentage points of its target", 100*worst))
		for _, r := range wt.Renormalised {
			add("Targets", r)
		}
	} else {
		add("Weighting", "none: every response counts equally")
	}
	iv := "Korn–Graubard (exact, on the effective sample size)"
	if rep.Interval == analysis.IntervalWilson {
		iv = "Wilson, on the effective sample size"
	}
	add("Intervals", fmt.Sprintf("%.0f%% %s; standard errors by linearization, accounting for the raking", 100*rep.Level, iv))
	add("Small bases", fmt.Sprintf("figures resting on fewer than %d respondents are shown without intervals and are not tested", rep.MinBase))
	if len(rep.By) > 0 {
		add("Segment tests", "Rao–Scott second-order tests of each service's levels against each segment variable, at each round"+adjustWords(rep.Adjust))
	}
	if rep.Bootstrap > 0 {
		add("Bootstrap", fmt.Sprintf("%d replicates (seed %d), %d failed and left out", rep.Bootstrap, rep.Seed, rep.BootstrapFailed))
	}
	add("Preferred package", "at each round's budget, the knapsack vote of the packages residents chose at that round (Goel et al., 2019); between and beyond the rounds' budgets, a nested ladder, labelled interpolation or extrapolation")
	add("What the numbers can say", "Online responses are self-selected: they describe those who chose to answer, and weighting corrects only the variables it uses. Interview samples follow the quotas set for them. A difference is stated only where its test supports it.")
	return m
}
