package analysis

import (
	"fmt"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// BenchmarkAnalyse runs the whole analysis on 100,000 simulated Fenshire
// records raked on area × age_band × sex, without bootstrap and with 200
// replicates. Targets: ≤ 1 s and ≤ 15 s on 2 cores.
func BenchmarkAnalyse(b *testing.B) {
	g, plan, qs := fenshire(b)
	tg := fenshireTargets(b)
	recs := Simulate(g, plan, qs, 100_000, 1)
	for _, reps := range []int{0, 200} {
		b.Run(fmt.Sprintf("bootstrap=%d", reps), func(b *testing.B) {
			for b.Loop() {
				rep, err := Analyse(Input{Grid: g, Plan: plan, Questions: qs, Records: recs}, Options{Targets: tg, RenormaliseTargets: true, Bootstrap: reps, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				_ = rep.Tables()
			}
		})
	}
}

// BenchmarkSimulate measures making 100,000 records.
func BenchmarkSimulate(b *testing.B) {
	g, plan, qs := fenshire(b)
	for b.Loop() {
		_ = Simulate(g, plan, qs, 100_000, 1)
	}
}

var _ = grid.Record{}
