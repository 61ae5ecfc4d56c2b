package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	stdhtml "html"
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/demo"
	"github.com/budgetgrid/budgetgrid/grid"
)

func demoConsultation(t *testing.T) *consult.Consultation {
	t.Helper()
	c, err := demo.Fenshire()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// simulated is a fixed synthetic data set: 400 demo respondents.
func simulated(t *testing.T, c *consult.Consultation) analysis.Input {
	t.Helper()
	in := Input(c)
	in.Records = analysis.Simulate(c.Grid, c.Plan(), in.Questions, 400, 7)
	return in
}

var reportTime = time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC)

func TestCabinetHTMLGolden(t *testing.T) {
	c := demoConsultation(t)
	cb, err := NewCabinet(c, simulated(t, c), CabinetOptions{Analysis: analysis.Options{By: []string{"area"}, Adjust: analysis.AdjustHolm}, ProposedBudget: 72, Now: reportTime})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cb.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, banned := range []string{"<script", "src=", `href="http`, "url(", "<link", "@import", "<img"} {
		if strings.Contains(html, banned) {
			t.Errorf("the report holds %q: it must be self-contained and script-free", banned)
		}
	}
	for _, want := range []string{"What residents protect first", "The package residents prefer at each round", "At the council's proposed budget of 72 points", "Differences by area", "Method"} {
		if !strings.Contains(stdhtml.UnescapeString(html), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// The charts are well-formed XML inside the HTML.
	for _, ch := range cb.Charts {
		if err := xml.Unmarshal([]byte(ch.SVG), new(struct{})); err != nil {
			t.Errorf("chart %s: %v", ch.ID, err)
		}
	}
	checkGolden(t, "cabinet.html", template.HTML(html))
}

// TestCabinetNumbersAreTheTables checks that the package findings quote
// the analysis tables' own figures.
func TestCabinetNumbersAreTheTables(t *testing.T) {
	c := demoConsultation(t)
	cb, err := NewCabinet(c, simulated(t, c), CabinetOptions{Now: reportTime})
	if err != nil {
		t.Fatal(err)
	}
	var pk analysis.Table
	for _, tb := range cb.Tables {
		if tb.Name == "packages" {
			pk = tb
		}
	}
	col := func(name string) int {
		for i, c := range pk.Columns {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s in packages", name)
		return -1
	}
	text := ""
	for _, f := range cb.Findings {
		text += strings.Join(f.Sentences, "\n") + "\n"
	}
	checked := 0
	for _, row := range pk.Rows {
		if row[col("segment_variable")] != "" || row[col("kind")] != analysis.PackageVote {
			continue
		}
		var exact float64
		if _, err := fmtSscan(row[col("exact_share")], &exact); err != nil {
			t.Fatal(err)
		}
		want := "At round " + row[col("lot")] + "'s budget of " + row[col("budget")] + " points"
		if !strings.Contains(text, want) || !strings.Contains(text, percent(exact)+" of residents chose exactly this package") {
			t.Errorf("round %s: findings do not quote %q with %s exact", row[col("lot")], want, percent(exact))
		}
		checked++
	}
	if checked != len(c.Plan().Budgets) {
		t.Fatalf("checked %d rounds, want %d", checked, len(c.Plan().Budgets))
	}
}

// segmented makes n records where half live in "fenchester" and half in
// "marshby"; with clear, Marshby's residents keep roads at the lowest level
// at every round (Fenchester's choose as simulated), else areas are drawn
// independently of the choices.
func segmented(t *testing.T, c *consult.Consultation, n int, clear bool) analysis.Input {
	in := simulated(t, c)
	in.Records = analysis.Simulate(c.Grid, c.Plan(), in.Questions, n, 11)
	roads := c.Grid.ServiceIndex("roads")
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range in.Records {
		r := &in.Records[i]
		about := map[string]string{}
		for k, v := range r.About {
			about[k] = v
		}
		area := "fenchester"
		if (clear && i%2 == 1) || (!clear && rng.IntN(2) == 1) {
			area = "marshby"
		}
		about["area"] = area
		r.About = about
		if clear {
			lots := make([]grid.Package, len(r.Lots))
			for k, p := range r.Lots {
				lots[k] = append(grid.Package(nil), p...)
				if area == "marshby" {
					lots[k][roads] = 1
				}
			}
			r.Lots = lots
		}
	}
	return in
}

func TestCabinetStatesOnlyTestedDifferences(t *testing.T) {
	c := demoConsultation(t)
	opt := CabinetOptions{Analysis: analysis.Options{By: []string{"area"}, Adjust: analysis.AdjustHolm}, Now: reportTime}
	finding := func(in analysis.Input) string {
		cb, err := NewCabinet(c, in, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range cb.Findings {
			if f.Heading == "Differences by area" {
				return strings.Join(f.Sentences, "\n")
			}
		}
		t.Fatal("no finding on area")
		return ""
	}
	clear := finding(segmented(t, c, 300, true))
	if !strings.Contains(clear, "Choices for Road and pavement repairs at round 1 differ by area") {
		t.Errorf("a clear difference is not stated:\n%s", clear)
	}
	none := finding(segmented(t, c, 300, false))
	if strings.Contains(none, "differ by area (") || !strings.Contains(none, "No service's choices differ significantly by area") {
		t.Errorf("a difference the test does not support is stated:\n%s", none)
	}
}

func TestCabinetXLSX(t *testing.T) {
	c := demoConsultation(t)
	cb, err := NewCabinet(c, simulated(t, c), CabinetOptions{Now: reportTime})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cb.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("PK")) {
		t.Fatal("not a workbook")
	}
}

func TestCabinetNeedsResponses(t *testing.T) {
	c := demoConsultation(t)
	_, err := NewCabinet(c, simulated(t, c), CabinetOptions{Channel: "paper"})
	if consult.ErrorCode(err) != consult.EINVALID || !strings.Contains(consult.ErrorMessage(err), "paper") {
		t.Fatalf("report on no responses: %v", err)
	}
}

func fmtSscan(s string, x *float64) (int, error) { return fmt.Sscan(s, x) }
