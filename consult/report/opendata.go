package report

import (
	"sort"
	"strconv"

	"github.com/budgetgrid/budgetgrid/analysis"
)

// MinPublishedSegment is the fewest respondents a segment may have for its
// figures to be published as open data.
const MinPublishedSegment = 10

// openTables are the analysis tables published as open data, in order.
// The weights table (one row per response id) is never published.
var openTables = []string{"shares", "service_lots", "priorities", "packages", "optimum", "curve", "tests", "method"}

// OpenData is the published form of an analysis: its tables with small
// segments suppressed, no response ids and no free text, and a data
// dictionary.
type OpenData struct {
	Tables     []analysis.Table
	Dictionary analysis.Table
	// Suppressed lists the segments left out, as "variable=segment", and
	// why: too small, or hidden so that a small one cannot be worked out
	// from the whole and the rest.
	Suppressed []string
}

// NewOpenData builds the open data from an analysis of in. A segment with
// fewer than MinPublishedSegment respondents has every estimate blanked
// and its n left out; when that leaves one segment of a variable hidden,
// the next smallest is hidden too, so that the hidden one cannot be worked
// out by subtracting the others from the whole.
func NewOpenData(in analysis.Input, rep *analysis.Report) *OpenData {
	sizes := map[string]map[string]int{}
	for _, v := range rep.By {
		sizes[v] = map[string]int{}
	}
	for _, r := range in.Records {
		for _, v := range rep.By {
			val := r.About[v]
			if v == "channel" {
				val = r.Channel
			}
			sizes[v][val]++
		}
	}
	od := &OpenData{}
	hidden := map[string]bool{} // variable + "\x00" + segment
	for _, v := range rep.By {
		segs := make([]string, 0, len(sizes[v]))
		for s := range sizes[v] {
			segs = append(segs, s)
		}
		sort.Slice(segs, func(i, j int) bool {
			if sizes[v][segs[i]] != sizes[v][segs[j]] {
				return sizes[v][segs[i]] < sizes[v][segs[j]]
			}
			return segs[i] < segs[j]
		})
		small := 0
		for _, s := range segs {
			if sizes[v][s] < MinPublishedSegment {
				hidden[v+"\x00"+s] = true
				od.Suppressed = append(od.Suppressed, v+"="+s+": fewer than "+strconv.Itoa(MinPublishedSegment)+" respondents")
				small++
			}
		}
		if small == 1 && len(segs) > 2 {
			s := segs[1]
			hidden[v+"\x00"+s] = true
			od.Suppressed = append(od.Suppressed, v+"="+s+": hidden so that the smaller segment cannot be worked out from the others")
		}
	}
	for _, name := range openTables {
		for _, t := range rep.Tables() {
			if t.Name != name {
				continue
			}
			od.Tables = append(od.Tables, suppress(t, hidden))
		}
	}
	od.Dictionary = dictionary(od.Tables)
	return od
}

// suppress blanks every cell but the segment's names in rows of hidden
// segments.
func suppress(t analysis.Table, hidden map[string]bool) analysis.Table {
	vi, si := -1, -1
	for i, c := range t.Columns {
		switch c {
		case "segment_variable":
			vi = i
		case "segment":
			si = i
		}
	}
	out := analysis.Table{Name: t.Name, Columns: t.Columns}
	for _, row := range t.Rows {
		if vi >= 0 && si >= 0 && hidden[row[vi]+"\x00"+row[si]] {
			blank := make([]string, len(row))
			for i := range row {
				switch t.Columns[i] {
				case "segment_variable", "segment", "stage", "service", "level", "lot", "budget", "kind":
					blank[i] = row[i]
				}
			}
			out.Rows = append(out.Rows, blank)
			continue
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// columnMeanings says what each published column holds.
var columnMeanings = map[string]string{
	"segment_variable":     "the about-you question (or channel) the row is for; empty for all respondents",
	"segment":              "the answer to that question the row is for; empty for all respondents",
	"stage":                "current (the level residents believe they get), unacceptable, or lot1…lotK (the rounds)",
	"service":              "the service's key in the grid",
	"level":                "the level number, 1 the lowest",
	"share":                "weighted share of respondents (0 to 1)",
	"se":                   "standard error of the estimate, accounting for the weighting",
	"ci_low":               "lower end of the 95% confidence interval",
	"ci_high":              "upper end of the 95% confidence interval",
	"n":                    "respondents in the base (unweighted)",
	"n_eff":                "effective number of respondents after weighting",
	"differs":              "true when the segment differs from the rest at the 95% level; empty when it could not be tested",
	"low_base":             "true when the base is below the minimum: no interval or test is given",
	"lot":                  "the round, 1 first",
	"budget":               "the round's budget in points",
	"kind":                 "vote (the knapsack vote of the round's packages) or majority (each step a weighted majority bought)",
	"cost":                 "the package's cost in points",
	"unspent":              "budget minus cost, in points",
	"support":              "in points: the weighted mean over residents of the points of the package's steps they also bought",
	"levels":               "each service's level in grid order, joined by ;",
	"rank":                 "rank in residents' priorities, 1 protected first",
	"p_value":              "p-value of the Rao–Scott test",
	"p_adjusted":           "p-value adjusted for testing many services and rounds (when asked)",
	"significant":          "true when the adjusted p-value is below 0.05",
	"key":                  "what the value describes",
	"value":                "the value",
	"mean_level":           "weighted mean level chosen",
	"mean_points":          "weighted mean points spent on the service",
	"exact_share":          "weighted share whose own package at the round is exactly this one",
	"within_one_share":     "weighted share whose package is within one level of this one on every service",
	"mean_distance_points": "weighted mean distance in points between residents' packages and this one",
	"basis":                "lot (a round's own vote), interpolation (between rounds' budgets) or extrapolation (beyond the highest)",
}

func dictionary(tables []analysis.Table) analysis.Table {
	d := analysis.Table{Name: "dictionary", Columns: []string{"table", "column", "meaning"}}
	for _, t := range tables {
		for _, c := range t.Columns {
			m, ok := columnMeanings[c]
			if !ok {
				m = "see the README's \"Output tables\" section of budgetgrid"
			}
			d.Rows = append(d.Rows, []string{t.Name, c, m})
		}
	}
	return d
}
