package report

import (
	"encoding/xml"
	"flag"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func checkGolden(t *testing.T, name string, got template.HTML) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to make it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file; run go test ./consult/report -update and check the diff", name)
	}
}

// checkSVG parses the chart as XML and checks that it names itself for
// screen readers and refers to nothing outside itself.
func checkSVG(t *testing.T, svg template.HTML) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(svg)))
	var title, desc bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("chart is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "script", "image", "foreignObject", "use":
				t.Errorf("chart holds a <%s>", se.Name.Local)
			case "title":
				title = true
			case "desc":
				desc = true
			}
			for _, a := range se.Attr {
				if a.Name.Local == "href" || strings.Contains(a.Value, "url(") || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("attribute %s=%q refers outside the chart or runs script", a.Name.Local, a.Value)
				}
			}
		}
	}
	if !title || !desc || !strings.Contains(string(svg), `role="img"`) {
		t.Errorf("chart has no title, desc or role=img")
	}
}

func TestStackedBars(t *testing.T) {
	svg := StackedBars("shares-lot1", "Levels chosen at round 1", "Share choosing each level of each service",
		[]string{"Level 1", "Level 2", "Level 3 (as now)", "Level 4"},
		[]StackedBar{
			{Label: "Roads <& potholes>", Shares: []float64{0.1, 0.25, 0.5, 0.15}},
			{Label: "Libraries", Shares: []float64{0.6, 0.4, 0, 0}},
		})
	checkSVG(t, svg)
	if !strings.Contains(string(svg), "Roads &lt;&amp; potholes&gt;") || strings.Contains(string(svg), "<& potholes>") {
		t.Error("a label was not escaped")
	}
	for _, p := range []string{">50%<", ">60%<", ">40%<"} {
		if !strings.Contains(string(svg), p) {
			t.Errorf("no %s label in the bars", p)
		}
	}
	checkGolden(t, "stacked.svg", svg)
}

func TestRankChart(t *testing.T) {
	svg := RankChart("ranks", "Which services residents protect first", "Rank with its 95% interval",
		[]RankRow{{Label: "Social care", Rank: 1, Low: 1, High: 2}, {Label: "Roads", Rank: 2.5, Low: 1, High: 4, Tied: true}, {Label: "Parks", Rank: 2.5, Low: 2, High: 4, Tied: true, LowBase: true}, {Label: "Libraries", Rank: 4}})
	checkSVG(t, svg)
	for _, want := range []string{"2.5 (1–4) tied", "small base", ">4<"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("no %q", want)
		}
	}
	checkGolden(t, "ranks.svg", svg)
}

func TestPackageChart(t *testing.T) {
	svg := PackageChart("package", "Residents' package at 77 points against today", "",
		[]PackageRow{{Label: "Roads", Levels: 4, Today: 3, Proposed: 4, ProposedLabel: "Improved"}, {Label: "Libraries", Levels: 3, Today: 2, Proposed: 1, ProposedLabel: "Reduced"}, {Label: "Parks", Levels: 3, Today: 2, Proposed: 2}})
	checkSVG(t, svg)
	for _, want := range []string{"up to Improved", "down to Reduced", "as today"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("no %q", want)
		}
	}
	checkGolden(t, "package.svg", svg)
}

func TestSampleChart(t *testing.T) {
	svg := SampleChart("sample", "The sample against the targets", "",
		[]SampleRow{{Label: "16 to 34", Achieved: 0.12, Target: 0.28, HasTarget: true, Short: true}, {Label: "35 to 54", Achieved: 0.4, Target: 0.33, HasTarget: true}, {Label: "Outside", Achieved: 0.02}})
	checkSVG(t, svg)
	if !strings.Contains(string(svg), "12% (target 28%) short") {
		t.Error("the short category is not said in words")
	}
	checkGolden(t, "sample.svg", svg)
}

// luminance is the WCAG relative luminance of a #rrggbb colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	ch := func(c uint64) float64 {
		x := float64(c) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(v>>16) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// TestPaletteContrast checks the colours against WCAG 2.2: text on every
// fill at 4.5:1, a fill under 3:1 against the white page only where every
// bar is outlined in near-black (so its edge has the contrast), and
// neighbouring fills told apart by lightness.
func TestPaletteContrast(t *testing.T) {
	bars := string(StackedBars("x", "t", "d", []string{"a", "b", "c", "d", "e"}, []StackedBar{{Label: "s", Shares: []float64{0.2, 0.2, 0.2, 0.2, 0.2}}}))
	for i, f := range levelFills {
		if c := contrast(t, f, textOn(f)); c < 4.5 {
			t.Errorf("text on %s: contrast %.2f", f, c)
		}
		if contrast(t, f, "#ffffff") < 3 {
			for _, rect := range strings.Split(bars, "<rect")[1:] {
				if strings.Contains(rect, `fill="`+f+`"`) && !strings.Contains(rect, `stroke="#0b0c0c"`) {
					t.Errorf("fill %s (%.2f:1 on white) drawn without an outline", f, contrast(t, f, "#ffffff"))
				}
			}
		}
		if i > 0 && luminance(t, levelFills[i-1]) <= luminance(t, f) {
			t.Errorf("fills %s and %s are not ordered by lightness", levelFills[i-1], f)
		}
	}
	for _, mark := range []string{"#1d70b8", "#0b0c0c", "#505a5f"} {
		if c := contrast(t, mark, "#ffffff"); c < 3 {
			t.Errorf("mark %s against white: %.2f", mark, c)
		}
	}
}
