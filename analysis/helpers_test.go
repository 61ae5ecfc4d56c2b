package analysis

import (
	"os"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// fenshire returns the Fenshire example grid (testdata/grid.csv), its lots
// and its about-you questions.
func fenshire(t testing.TB) (*grid.Grid, grid.LotPlan, []Question) {
	t.Helper()
	g, err := grid.ReadSheetFile("testdata/grid.csv")
	if err != nil {
		t.Fatal(err)
	}
	plan := grid.LotPlan{Budgets: []int{62, 69, 77, 85}, Additive: true}
	qs := []Question{
		{Key: "area", Options: []string{"fenchester", "marshby", "eastwold", "southfen", "wyke_vale", "outside", "prefer_not_to_say"}},
		{Key: "age_band", Options: []string{"16-34", "35-54", "55-74", "75+", "prefer_not_to_say"}},
		{Key: "sex", Options: []string{"female", "male", "prefer_not_to_say"}},
		{Key: "children", Options: []string{"yes", "no", "prefer_not_to_say"}},
		{Key: "care", Options: []string{"yes", "no", "prefer_not_to_say"}},
	}
	return g, plan, qs
}

func fenshireTargets(t testing.TB) *Targets {
	t.Helper()
	fh, err := os.Open("testdata/targets.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	tg, err := ReadTargets(fh)
	if err != nil {
		t.Fatal(err)
	}
	return &tg
}
