package report

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

// CabinetOptions choose what a Cabinet report covers.
type CabinetOptions struct {
	// Analysis is passed to analysis.Analyse (targets, trimming, By,
	// bootstrap, interval…).
	Analysis analysis.Options
	// Channel keeps only responses of this channel ("" for all).
	Channel string
	// ProposedBudget is the council's proposed budget in points (0: none).
	ProposedBudget int
	// Now stamps the report; zero means time.Now.
	Now time.Time
}

// Cabinet is a Cabinet report: the analysis of a consultation with its
// findings written in plain English, its charts and its method.
type Cabinet struct {
	C         *consult.Consultation
	Options   CabinetOptions
	Report    *analysis.Report
	Tables    []analysis.Table
	Responses int
	// ByChannel counts responses per channel, in name order.
	ByChannel []Count
	Generated time.Time
	Findings  []Finding
	Charts    []Chart
	Method    [][2]string
}

// Count is a number of responses with a name.
type Count struct {
	Name string
	N    int
}

// Finding is one section of findings: a heading and its sentences.
type Finding struct {
	Heading   string
	Sentences []string
}

// Chart is a chart with its caption and the data table beside it.
type Chart struct {
	ID, Caption string
	SVG         template.HTML
	Table       analysis.Table
}

// BuildCabinet reads the consultation's completed responses from the
// store, analyses them and writes the findings.
func BuildCabinet(ctx context.Context, store ResponseReader, c *consult.Consultation, opt CabinetOptions) (*Cabinet, error) {
	in, err := FromStore(ctx, store, c)
	if err != nil {
		return nil, err
	}
	return NewCabinet(c, in, opt)
}

// NewCabinet analyses in (the consultation's responses) and writes the
// findings. The numbers are those of analysis.Analyse with the same
// options, the same as `budgetgrid analyse` prints.
func NewCabinet(c *consult.Consultation, in analysis.Input, opt CabinetOptions) (*Cabinet, error) {
	if opt.Channel != "" {
		kept := in.Records[:0:0]
		for _, r := range in.Records {
			if r.Channel == opt.Channel {
				kept = append(kept, r)
			}
		}
		in.Records = kept
	}
	if len(in.Records) == 0 {
		return nil, consult.Errorf(consult.EINVALID, "There are no completed responses to report on%s.", channelWords(opt.Channel))
	}
	rep, err := analysis.Analyse(in, opt.Analysis)
	if err != nil {
		return nil, err
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	cb := &Cabinet{C: c, Options: opt, Report: rep, Tables: rep.Tables(), Responses: len(in.Records), Generated: now}
	channels := map[string]int{}
	for _, r := range in.Records {
		channels[r.Channel]++
	}
	for _, k := range sortedKeys(channels) {
		cb.ByChannel = append(cb.ByChannel, Count{k, channels[k]})
	}
	w := writer{c: c, rep: rep, in: in}
	cb.Findings = w.findings(opt)
	cb.Charts = w.charts(in)
	cb.Method = w.method(cb)
	return cb, nil
}

func channelWords(ch string) string {
	if ch == "" {
		return ""
	}
	return " from the " + ch + " channel"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writer writes findings from one analysis.
type writer struct {
	c   *consult.Consultation
	rep *analysis.Report
	in  analysis.Input
}

func (w *writer) service(key string) *grid.Service {
	return &w.c.Grid.Services[w.c.Grid.ServiceIndex(key)]
}

// interval says a share with its interval in words: "62% (between 58% and
// 66%)", or the share alone when there is no interval (a small base).
func interval(share, se float64, lowBase bool) string {
	if math.IsNaN(share) {
		return "not known"
	}
	if lowBase || math.IsNaN(se) || se == 0 {
		return percent(share)
	}
	lo, hi := math.Max(0, share-1.96*se), math.Min(1, share+1.96*se)
	return fmt.Sprintf("%s (between %s and %s)", percent(share), percent(lo), percent(hi))
}

// wholeSample returns the whole-sample rows of a segmented slice.
func wholeSample[T any](rows []T, seg func(T) string) []T {
	var out []T
	for _, r := range rows {
		if seg(r) == "" {
			out = append(out, r)
		}
	}
	return out
}

func (w *writer) findings(opt CabinetOptions) []Finding {
	var fs []Finding
	rep := w.rep
	pri := wholeSample(rep.Priorities, func(p analysis.Priority) string { return p.SegmentVariable })
	sort.SliceStable(pri, func(i, j int) bool { return pri[i].Rank < pri[j].Rank })
	names := func(ps []analysis.Priority) string {
		var ns []string
		for _, p := range ps {
			ns = append(ns, w.service(p.Service).Name)
		}
		return joinAnd(ns)
	}
	if len(pri) >= 2 {
		k := min(3, len(pri)/2)
		top, bottom := pri[:k], pri[len(pri)-k:]
		f := Finding{Heading: "What residents protect first and cut last"}
		f.Sentences = append(f.Sentences, fmt.Sprintf("Residents protect %s first: these are the services they moved above the lowest level earliest, round by round.", names(top)))
		for _, p := range top {
			f.Sentences = append(f.Sentences, fmt.Sprintf("%s was bought above its lowest level at some round by %s of residents.", w.service(p.Service).Name, interval(1-p.NeverBought, p.NeverBoughtSE, p.LowBase)))
		}
		f.Sentences = append(f.Sentences, fmt.Sprintf("Residents would cut %s first.", names(bottom)))
		for _, p := range bottom {
			f.Sentences = append(f.Sentences, fmt.Sprintf("%s of residents never bought %s above its lowest level.", capitalise(interval(p.NeverBought, p.NeverBoughtSE, p.LowBase)), w.service(p.Service).Name))
		}
		if rankTies(pri) {
			f.Sentences = append(f.Sentences, "Some services share a rank: residents' order does not separate them.")
		}
		fs = append(fs, f)
	}
	if pain := sortedBy(pri, func(p analysis.Priority) float64 { return p.Pain }); len(pain) > 0 {
		k := min(3, len(pain))
		f := Finding{Heading: "Cuts that cause least displeasure"}
		var parts []string
		for _, p := range pain[:k] {
			parts = append(parts, fmt.Sprintf("%s, %s", w.service(p.Service).Name, interval(p.Pain, p.PainSE, p.LowBase)))
		}
		f.Sentences = append(f.Sentences, fmt.Sprintf("At the round whose budget is today's spending, the fewest residents chose less than today's service for %s.", joinList(parts)))
		fs = append(fs, f)
	}
	if un := sortedBy(pri, func(p analysis.Priority) float64 { return -p.Unacceptable }); len(un) > 0 {
		k := min(3, len(un))
		f := Finding{Heading: "Levels residents find unacceptable"}
		var parts []string
		for _, p := range un[:k] {
			parts = append(parts, fmt.Sprintf("%s, %s of residents", w.service(p.Service).Name, interval(p.Unacceptable, p.UnacceptableSE, p.LowBase)))
		}
		f.Sentences = append(f.Sentences, fmt.Sprintf("The services residents most often marked a level below today's as unacceptable are %s.", joinList(parts)))
		fs = append(fs, f)
	}
	fs = append(fs, w.packageFindings(opt)...)
	if f, ok := w.moreMoney(); ok {
		fs = append(fs, f)
	}
	fs = append(fs, w.segmentFindings()...)
	return fs
}

func rankTies(ps []analysis.Priority) bool {
	return slices.ContainsFunc(ps, func(p analysis.Priority) bool { return p.RankTo > p.Rank })
}

// sortedBy returns the rows whose key is a number, smallest key first.
func sortedBy(ps []analysis.Priority, key func(analysis.Priority) float64) []analysis.Priority {
	var out []analysis.Priority
	for _, p := range ps {
		if !math.IsNaN(key(p)) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

func (w *writer) money(points int) string {
	m := w.c.Money
	pence := m.Pence(points)
	return formatMillions(pence)
}

// formatMillions writes pence as "£41.5 million" (or pounds under a
// million).
func formatMillions(pence int64) string {
	if pence >= 100_000_000 || pence <= -100_000_000 {
		m := float64(pence) / 100 / 1e6
		s := strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", math.Abs(m)), "0"), ".")
		if m < 0 {
			return "−£" + s + " million"
		}
		return "£" + s + " million"
	}
	return grid.FormatPence(pence)
}

func (w *writer) packageFindings(opt CabinetOptions) []Finding {
	g := w.c.Grid
	today := g.AsNowPackage()
	todayCost := g.AsNowCost()
	f := Finding{Heading: "The package residents prefer at each round's budget"}
	for _, p := range w.rep.Packages {
		if p.SegmentVariable != "" || p.Kind != analysis.PackageVote {
			continue
		}
		var up, down []string
		for i, l := range p.Package {
			s := &g.Services[i]
			switch {
			case l > today[i]:
				up = append(up, s.Name)
			case l < today[i]:
				down = append(down, s.Name)
			}
		}
		sent := fmt.Sprintf("At round %d's budget of %d points (%s, today's spending is %d points), residents' package", p.Lot, p.Budget, w.money(p.Budget), todayCost)
		var changes []string
		if len(up) > 0 {
			changes = append(changes, "raises "+joinAnd(up)+" above today's level")
		}
		if len(down) > 0 {
			changes = append(changes, "cuts "+joinAnd(down)+" below it")
		}
		if len(changes) == 0 {
			changes = append(changes, "keeps every service as today")
		}
		sent += " " + strings.Join(changes, " and ") + fmt.Sprintf(". %s of residents chose exactly this package and %s chose one within a level of it on every service.", percent(p.ExactShare), percent(p.WithinOneShare))
		if p.Flat {
			sent += " Another package does almost as well (within a point of support), so this one is not clearly preferred."
		}
		f.Sentences = append(f.Sentences, sent)
	}
	for _, p := range w.rep.Packages {
		if p.SegmentVariable == "" && p.Kind == analysis.PackageMajority && p.Unspent > 0 {
			f.Sentences = append(f.Sentences, fmt.Sprintf("At round %d, the steps a majority of residents bought leave %d of the %d points unspent: residents agree on less than the whole budget.", p.Lot, p.Unspent, p.Budget))
		}
	}
	if opt.ProposedBudget > 0 {
		for _, cp := range w.rep.Curve {
			if cp.SegmentVariable != "" || cp.Budget != opt.ProposedBudget {
				continue
			}
			basis := "residents' own choices at a round with this budget"
			switch cp.Basis {
			case analysis.BasisInterpolation:
				basis = "interpolation between the rounds' budgets, not a budget residents were asked about"
			case analysis.BasisExtrapolation:
				basis = "extrapolation beyond the highest round's budget, which residents were not asked about"
			}
			f.Sentences = append(f.Sentences, fmt.Sprintf("At the council's proposed budget of %d points (%s, against today's %d points), the preferred package costs %d points; it comes from %s.",
				opt.ProposedBudget, w.money(opt.ProposedBudget), todayCost, cp.Cost, basis))
		}
	}
	if len(f.Sentences) == 0 {
		return nil
	}
	return []Finding{f}
}

// moreMoney says what residents bought with a budget above today's, and
// how many spent above today's (the council-tax rise they accept).
func (w *writer) moreMoney() (Finding, bool) {
	g := w.c.Grid
	todayCost := g.AsNowCost()
	plan := w.in.Plan
	last := -1
	for k, b := range plan.Budgets {
		if b > todayCost && (last < 0 || b > plan.Budgets[last]) {
			last = k
		}
	}
	if last < 0 {
		return Finding{}, false
	}
	f := Finding{Heading: "What residents would buy with more money"}
	var above []analysis.ServiceLot
	for _, sl := range w.rep.ServiceLots {
		if sl.SegmentVariable == "" && sl.Lot == last+1 {
			above = append(above, sl)
		}
	}
	sort.SliceStable(above, func(i, j int) bool { return above[i].Above > above[j].Above })
	var parts []string
	for _, sl := range above[:min(3, len(above))] {
		parts = append(parts, fmt.Sprintf("%s, which %s chose above today's level", w.service(sl.Service).Name, percent(sl.Above)))
	}
	f.Sentences = append(f.Sentences, fmt.Sprintf("With round %d's budget of %d points, %d more than today's spending, residents most often improved %s.", last+1, plan.Budgets[last], plan.Budgets[last]-todayCost, joinList(parts)))
	// The share who spent above today's spending at that round.
	weights := w.rep.Weighting.Weights
	var spent, total float64
	for i, r := range w.in.Records {
		wt := 1.0
		if i < len(weights) {
			wt = weights[i]
		}
		if last < len(r.Lots) {
			if cost, err := g.Cost(r.Lots[last]); err == nil && cost > todayCost {
				spent += wt
			}
		}
		total += wt
	}
	if total > 0 {
		share := spent / total
		lo, hi := wilson(share, w.rep.Weighting.NEff, len(w.in.Records))
		rise := w.c.Money.BandDPence(plan.Budgets[last] - todayCost)
		sent := fmt.Sprintf("%s of residents (between %s and %s) spent more than today's spending at that round", percent(share), percent(lo), percent(hi))
		if rise > 0 {
			sent += fmt.Sprintf(", which at the full budget means %s a year more on a Band D bill", grid.FormatPence(rise))
		}
		f.Sentences = append(f.Sentences, sent+".")
	}
	return f, true
}

// wilson is the Wilson 95% interval of a share on the effective n (or n
// when the analysis is unweighted).
func wilson(p, neff float64, n int) (float64, float64) {
	if neff <= 0 || math.IsNaN(neff) {
		neff = float64(n)
	}
	z := 1.959963984540054
	den := 1 + z*z/neff
	centre := (p + z*z/(2*neff)) / den
	half := z * math.Sqrt(p*(1-p)/neff+z*z/(4*neff*neff)) / den
	return math.Max(0, centre-half), math.Min(1, centre+half)
}

// segmentFindings states a segment difference only where the family-wise
// test supports it, and says so where no difference was found.
func (w *writer) segmentFindings() []Finding {
	var fs []Finding
	for _, v := range w.rep.By {
		f := Finding{Heading: "Differences by " + w.variableName(v)}
		var sig []analysis.VariableTest
		tested := 0
		for _, t := range w.rep.Tests {
			if t.SegmentVariable != v || math.IsNaN(t.P) {
				continue
			}
			tested++
			if t.Significant {
				sig = append(sig, t)
			}
		}
		switch {
		case tested == 0:
			f.Sentences = append(f.Sentences, fmt.Sprintf("Differences by %s could not be tested: the segments are too small.", w.variableName(v)))
		case len(sig) == 0:
			f.Sentences = append(f.Sentences, fmt.Sprintf("No service's choices differ significantly by %s at any round (%d tests, Rao–Scott).", w.variableName(v), tested))
		default:
			if w.rep.Adjust == analysis.AdjustNone && tested > 1 {
				f.Sentences = append(f.Sentences, fmt.Sprintf("These %d tests are not adjusted for testing many services and rounds at once: about %.0f of them would show a difference by chance alone. Read single differences with care (analyse with --adjust holm to control this).", tested, float64(tested)*(1-w.rep.Level)))
			}
			for _, t := range sig {
				f.Sentences = append(f.Sentences, fmt.Sprintf("Choices for %s at round %s differ by %s (Rao–Scott F = %.2f, p = %s%s).",
					w.service(t.Service).Name, strings.TrimPrefix(t.Stage, "lot"), w.variableName(v), t.F, pValue(t.PAdjusted), adjustWords(w.rep.Adjust)))
			}
		}
		for _, s := range w.rep.Shares {
			if s.SegmentVariable == v && s.LowBase && s.Stage == "lot1" && s.Level == 1 && s.Service == w.c.Grid.Services[0].Key {
				f.Sentences = append(f.Sentences, fmt.Sprintf("The %s segment has fewer than %d respondents; its figures are shown without intervals and are not tested.", s.Segment, w.rep.MinBase))
			}
		}
		fs = append(fs, f)
	}
	return fs
}

func adjustWords(adjust string) string {
	switch adjust {
	case analysis.AdjustHolm:
		return ", Holm-adjusted"
	case analysis.AdjustBH:
		return ", Benjamini–Hochberg-adjusted"
	}
	return ""
}

func pValue(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return fmt.Sprintf("%.3f", p)
}

// variableName names a segment variable in a sentence: its key in words
// ("age band").
func (w *writer) variableName(v string) string { return strings.ReplaceAll(v, "_", " ") }

// joinAnd joins words as English does: "a", "a and b", "a, b and c".
func joinAnd(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// joinList joins phrases that hold commas: "a; b; and c".
func joinList(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], "; ") + "; and " + ws[len(ws)-1]
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
