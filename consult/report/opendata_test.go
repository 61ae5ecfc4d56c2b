package report

import (
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/analysis"
)

func TestOpenDataSuppressesSmallSegments(t *testing.T) {
	c := demoConsultation(t)
	in := simulated(t, c)
	for i := range in.Records {
		about := map[string]string{}
		for k, v := range in.Records[i].About {
			about[k] = v
		}
		switch {
		case i < 5:
			about["area"] = "eastwold" // too small to publish
		case i < 100:
			about["area"] = "marshby" // would reveal eastwold: whole − fenchester − marshby
		default:
			about["area"] = "fenchester"
		}
		in.Records[i].About = about
	}
	rep, err := analysis.Analyse(in, analysis.Options{By: []string{"area"}})
	if err != nil {
		t.Fatal(err)
	}
	od := NewOpenData(in, rep)
	if len(od.Suppressed) != 2 || !strings.HasPrefix(od.Suppressed[0], "area=eastwold") || !strings.HasPrefix(od.Suppressed[1], "area=marshby") {
		t.Fatalf("suppressed %q, want eastwold then marshby", od.Suppressed)
	}
	var names []string
	for _, tb := range od.Tables {
		names = append(names, tb.Name)
		if tb.Name == "weights" {
			t.Fatal("the weights table (response ids) is published")
		}
		col := map[string]int{}
		for i, c := range tb.Columns {
			col[c] = i
		}
		for _, row := range tb.Rows {
			for _, cell := range row {
				for _, r := range in.Records[:20] {
					if strings.Contains(cell, r.ResponseID) {
						t.Fatalf("%s publishes a response id", tb.Name)
					}
				}
			}
			si, ok := col["segment"]
			if !ok {
				continue
			}
			seg := row[si]
			for _, numeric := range []string{"share", "n", "mean_level", "support", "level"} {
				i, ok := col[numeric]
				if !ok || numeric == "level" {
					continue
				}
				if (seg == "eastwold" || seg == "marshby") && row[i] != "" {
					t.Fatalf("%s: %s=%q published for hidden segment %s", tb.Name, numeric, row[i], seg)
				}
				if seg == "fenchester" && numeric == "n" && row[i] == "" {
					t.Fatalf("%s: fenchester's n was hidden", tb.Name)
				}
			}
		}
	}
	if strings.Join(names, " ") != "shares service_lots priorities packages optimum curve tests method" {
		t.Fatalf("tables %v", names)
	}
	if len(od.Dictionary.Rows) == 0 {
		t.Fatal("no data dictionary")
	}
	for _, r := range od.Dictionary.Rows {
		if r[2] == "" {
			t.Fatalf("column %s.%s has no meaning", r[0], r[1])
		}
	}
}
