package analysis

import (
	"os"
	"testing"
)

func TestSmoke(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 2000, 1)
	rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: fenshireTargets(t), By: []string{"area"}, Bootstrap: 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SMOKE_OUT") != "" {
		if err := rep.WriteCSV(os.Getenv("SMOKE_OUT")); err != nil {
			t.Fatal(err)
		}
	}
}
