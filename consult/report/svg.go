package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are inline SVG written here, in Go: no script, no fonts or
// images from anywhere else, each with a title and a description for
// screen readers (role="img", aria-labelledby), and each shown beside its
// data table by the report. Colours are chosen so that order is carried
// by lightness and by the labels, never by hue alone, and every mark has at
// least 3:1 contrast with the white page (WCAG 2.2, 1.4.11).

// svgDoc collects SVG elements and writes the root element around them.
type svgDoc struct {
	b             strings.Builder
	width, height float64
}

func (d *svgDoc) add(format string, args ...any) {
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

// render wraps the elements in an <svg> with its accessible name.
func (d *svgDoc) render(id, title, desc string) template.HTML {
	var out strings.Builder
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" class="bg-chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMinYMin meet" font-family="Arial, Helvetica, sans-serif" font-size="14">`,
		esc(id), esc(id), num(d.width), num(d.height))
	fmt.Fprintf(&out, "\n<title id=\"%s-title\">%s</title>\n<desc id=\"%s-desc\">%s</desc>\n", esc(id), esc(title), esc(id), esc(desc))
	out.WriteString(d.b.String())
	out.WriteString("</svg>")
	return template.HTML(out.String())
}

// esc escapes text for SVG (XML) content and attributes.
func esc(s string) string { return template.HTMLEscapeString(s) }

// num writes a coordinate with at most one decimal.
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "0"
	}
	s := fmt.Sprintf("%.1f", x)
	return strings.TrimSuffix(s, ".0")
}

// Palette: a single blue hue from light to dark for ordered levels, each
// at least 3:1 against white except the lightest, which is always drawn
// with a dark outline. Text on a fill uses white or near-black, whichever
// contrasts more.
var levelFills = []string{"#c6dbef", "#6baed6", "#2171b5", "#08519c", "#08306b"}

// levelFill is the fill of level i of n, spread over the palette.
func levelFill(i, n int) string {
	if n <= 1 {
		return levelFills[2]
	}
	k := int(math.Round(float64(i) * float64(len(levelFills)-1) / float64(n-1)))
	return levelFills[k]
}

// textOn is the text colour that reads on a fill.
func textOn(fill string) string {
	if fill == levelFills[0] || fill == levelFills[1] {
		return "#0b0c0c"
	}
	return "#ffffff"
}

// percent formats a share as a whole percentage ("62%").
func percent(share float64) string { return fmt.Sprintf("%.0f%%", 100*share) }

// StackedBar is one bar of a stacked bar chart: a label and the shares of
// its parts, in order (they need not add to 1: a bar is drawn to its sum).
type StackedBar struct {
	Label  string
	Shares []float64
}

// StackedBars draws horizontal bars, one per row, each split into parts
// (levels, lowest first) shaded from light to dark, with each part's
// percentage written inside it when it is wide enough, and a legend of the
// part names. id must be unique on the page.
func StackedBars(id, title, desc string, parts []string, bars []StackedBar) template.HTML {
	const labelW, barW, rowH, gap, top = 290.0, 520.0, 26.0, 8.0, 40.0
	d := &svgDoc{width: labelW + barW + 20, height: top + float64(len(bars))*(rowH+gap) + 10}
	// Legend.
	x := labelW
	for i, p := range parts {
		fill := levelFill(i, len(parts))
		d.add(`<rect x="%s" y="8" width="14" height="14" fill="%s" stroke="#0b0c0c" stroke-width="1"/>`, num(x), fill)
		d.add(`<text x="%s" y="20">%s</text>`, num(x+18), esc(p))
		x += 18 + 8*float64(len(p)) + 16
	}
	for r, bar := range bars {
		y := top + float64(r)*(rowH+gap)
		d.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, num(labelW-8), num(y+rowH/2+5), esc(bar.Label))
		x := labelW
		for i, s := range bar.Shares {
			if s <= 0 || math.IsNaN(s) {
				continue
			}
			w := barW * math.Min(s, 1)
			fill := levelFill(i, len(bar.Shares))
			name := ""
			if i < len(parts) {
				name = parts[i]
			}
			d.add(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#0b0c0c" stroke-width="0.5"><title>%s: %s %s</title></rect>`,
				num(x), num(y), num(w), num(rowH), fill, esc(bar.Label), esc(name), percent(s))
			if w >= 34 {
				d.add(`<text x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`, num(x+w/2), num(y+rowH/2+5), textOn(fill), percent(s))
			}
			x += w
		}
	}
	return d.render(id, title, desc)
}

// RankRow is one service in a ranking: its rank and the interval of
// ranks it could hold (equal to Rank when no interval was computed).
type RankRow struct {
	Label         string
	Rank          float64
	Low, High     float64
	LowBase, Tied bool
}

// RankChart draws each service's rank as a dot with its rank interval as
// a line, best rank at the top, and the rank written beside it; a row on
// a small base is drawn hollow and labelled.
func RankChart(id, title, desc string, rows []RankRow) template.HTML {
	const labelW, plotW, rowH, top = 290.0, 420.0, 24.0, 34.0
	n := len(rows)
	d := &svgDoc{width: labelW + plotW + 120, height: top + float64(n)*rowH + 10}
	maxRank := float64(max(n, 1))
	xOf := func(rank float64) float64 { return labelW + (rank-1)/math.Max(maxRank-1, 1)*plotW }
	for k := 1; k <= n; k++ {
		if k == 1 || k == n || k%5 == 0 {
			d.add(`<text x="%s" y="20" text-anchor="middle">%d</text>`, num(xOf(float64(k))), k)
			d.add(`<line x1="%s" y1="26" x2="%s" y2="%s" stroke="#b1b4b6" stroke-width="1"/>`, num(xOf(float64(k))), num(xOf(float64(k))), num(d.height-6))
		}
	}
	for i, r := range rows {
		y := top + float64(i)*rowH + rowH/2
		d.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, num(labelW-10), num(y+5), esc(r.Label))
		lo, hi := r.Low, r.High
		if lo == 0 && hi == 0 {
			lo, hi = r.Rank, r.Rank
		}
		d.add(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#0b0c0c" stroke-width="2"/>`, num(xOf(lo)), num(y), num(xOf(hi)), num(y))
		fill := "#1d70b8"
		if r.LowBase {
			fill = "#ffffff"
		}
		d.add(`<circle cx="%s" cy="%s" r="6" fill="%s" stroke="#0b0c0c" stroke-width="2"><title>%s: rank %s (%s to %s)</title></circle>`,
			num(xOf(r.Rank)), num(y), fill, esc(r.Label), num(r.Rank), num(lo), num(hi))
		note := fmt.Sprintf("%s (%s–%s)", num(r.Rank), num(lo), num(hi))
		if lo == hi {
			note = num(r.Rank)
		}
		if r.Tied {
			note += " tied"
		}
		if r.LowBase {
			note += " small base"
		}
		d.add(`<text x="%s" y="%s">%s</text>`, num(labelW+plotW+14), num(y+5), esc(note))
	}
	return d.render(id, title, desc)
}

// PackageRow compares, for one service, today's level with a package's.
type PackageRow struct {
	Label           string
	Levels          int
	Today, Proposed int
	TodayLabel      string
	ProposedLabel   string
}

// PackageChart draws, per service, its levels as a scale with today's
// level as a hollow square and the package's as a filled circle, joined by
// an arrow when they differ, and says the change in words at the end.
func PackageChart(id, title, desc string, rows []PackageRow) template.HTML {
	const labelW, plotW, rowH, top = 290.0, 300.0, 26.0, 34.0
	d := &svgDoc{width: labelW + plotW + 260, height: top + float64(len(rows))*rowH + 10}
	d.add(`<rect x="%s" y="8" width="12" height="12" fill="#ffffff" stroke="#0b0c0c" stroke-width="2"/><text x="%s" y="19">Today</text>`, num(labelW), num(labelW+18))
	d.add(`<circle cx="%s" cy="14" r="6" fill="#1d70b8" stroke="#0b0c0c" stroke-width="2"/><text x="%s" y="19">Residents' package</text>`, num(labelW+90), num(labelW+100))
	for i, r := range rows {
		y := top + float64(i)*rowH + rowH/2
		d.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, num(labelW-10), num(y+5), esc(r.Label))
		span := float64(max(r.Levels-1, 1))
		xOf := func(l int) float64 { return labelW + float64(l-1)/span*plotW }
		d.add(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#b1b4b6" stroke-width="2"/>`, num(xOf(1)), num(y), num(xOf(r.Levels)), num(y))
		for l := 1; l <= r.Levels; l++ {
			d.add(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#505a5f" stroke-width="1"/>`, num(xOf(l)), num(y-5), num(xOf(l)), num(y+5))
		}
		if r.Today != r.Proposed {
			d.add(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#0b0c0c" stroke-width="2"/>`, num(xOf(r.Today)), num(y), num(xOf(r.Proposed)), num(y))
		}
		d.add(`<rect x="%s" y="%s" width="12" height="12" fill="#ffffff" stroke="#0b0c0c" stroke-width="2"/>`, num(xOf(r.Today)-6), num(y-6))
		d.add(`<circle cx="%s" cy="%s" r="6" fill="#1d70b8" stroke="#0b0c0c" stroke-width="2"/>`, num(xOf(r.Proposed)), num(y))
		var words string
		switch {
		case r.Proposed > r.Today:
			words = "up to " + r.ProposedLabel
		case r.Proposed < r.Today:
			words = "down to " + r.ProposedLabel
		default:
			words = "as today"
		}
		d.add(`<text x="%s" y="%s">%s</text>`, num(labelW+plotW+14), num(y+5), esc(words))
	}
	return d.render(id, title, desc)
}

// SampleRow is one category of a weighting variable: its share of the
// sample and its target share.
type SampleRow struct {
	Label     string
	Achieved  float64
	Target    float64
	HasTarget bool
	Short     bool // the sample falls short of the target by more than the tolerance
}

// SampleChart draws the achieved share of each category as a bar and the
// target as a black tick across it, and marks short categories in words.
func SampleChart(id, title, desc string, rows []SampleRow) template.HTML {
	const labelW, barW, rowH, top = 290.0, 400.0, 24.0, 30.0
	d := &svgDoc{width: labelW + barW + 200, height: top + float64(len(rows))*rowH + 10}
	scale := 0.0
	for _, r := range rows {
		scale = math.Max(scale, math.Max(r.Achieved, r.Target))
	}
	if scale == 0 {
		scale = 1
	}
	d.add(`<rect x="%s" y="8" width="14" height="12" fill="#1d70b8"/><text x="%s" y="19">Sample</text>`, num(labelW), num(labelW+18))
	d.add(`<line x1="%s" y1="6" x2="%s" y2="22" stroke="#0b0c0c" stroke-width="3"/><text x="%s" y="19">Target</text>`, num(labelW+100), num(labelW+100), num(labelW+108))
	for i, r := range rows {
		y := top + float64(i)*rowH
		d.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, num(labelW-10), num(y+rowH/2+4), esc(r.Label))
		w := barW * r.Achieved / scale
		d.add(`<rect x="%s" y="%s" width="%s" height="%s" fill="#1d70b8"/>`, num(labelW), num(y+3), num(w), num(rowH-8))
		note := percent(r.Achieved)
		if r.HasTarget {
			tx := labelW + barW*r.Target/scale
			d.add(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#0b0c0c" stroke-width="3"/>`, num(tx), num(y), num(tx), num(y+rowH-2))
			note += " (target " + percent(r.Target) + ")"
			if r.Short {
				note += " short"
			}
		}
		d.add(`<text x="%s" y="%s">%s</text>`, num(labelW+barW+14), num(y+rowH/2+4), esc(note))
	}
	return d.render(id, title, desc)
}
