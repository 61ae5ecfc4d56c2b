package static

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/demo"
	"github.com/budgetgrid/budgetgrid/grid"
)

// TestBudgetModuleAgreesWithGrid runs static/js/budget.js under Node on
// random packages of the Fenshire grid and checks every figure against
// the grid package, the server's authority: the live budget bar must
// never say something the server would contradict.
func TestBudgetModuleAgreesWithGrid(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed; CI must have it")
		}
		t.Skip("node is not installed: skipping the browser arithmetic check")
	}
	c, err := demo.Fenshire()
	if err != nil {
		t.Fatal(err)
	}
	g := c.Grid
	gridJSON, err := g.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	type testCase struct {
		Package []int `json:"package"`
		Budget  int   `json:"budget"`
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var cases []testCase
	for range 500 {
		p := make([]int, len(g.Services))
		for i, s := range g.Services {
			p[i] = 1 + rng.IntN(len(s.Levels))
		}
		cases = append(cases, testCase{p, 40 + rng.IntN(80)})
	}
	// Extreme money settings too: a tax base that makes rounding matter.
	moneys := []grid.Money{c.Money, {PointPence: 33_333_333, TaxBase: 123_457}, {PointPence: 100, TaxBase: 0}}
	input, _ := json.Marshal(map[string]any{"grid": json.RawMessage(gridJSON), "cases": cases, "moneys": moneys})

	dir := t.TempDir()
	script := `import * as b from ` + jsString("file://"+mustAbs(t, "js/budget.js")) + `;
import { readFileSync } from 'node:fs';
const input = JSON.parse(readFileSync(0, 'utf8'));
const out = [];
for (const money of input.moneys) for (const c of input.cases) {
  out.push({ ...b.budgetState(input.grid, money, c.budget, c.package), asNow: b.asNowCost(input.grid),
             tax1: b.bandDPence(money, 1), taxNeg: b.bandDPence(money, -7), fmt: b.formatPence(c.budget * 12345 + 5) });
}
process.stdout.write(JSON.stringify(out));
`
	path := filepath.Join(dir, "check.mjs")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, path)
	cmd.Stdin = strings.NewReader(string(input))
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []struct {
		Spent, Left, Over, Above int
		MoneyPence, TaxPence     int64
		AsNow                    int
		Tax1, TaxNeg             int64
		Fmt                      string
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(moneys)*len(cases) {
		t.Fatalf("node gave %d results, want %d", len(got), len(moneys)*len(cases))
	}
	for mi, m := range moneys {
		for ci, tc := range cases {
			r := got[mi*len(cases)+ci]
			cost, err := g.Cost(tc.Package)
			if err != nil {
				t.Fatal(err)
			}
			above := max(cost-g.AsNowCost(), 0)
			want := []int64{int64(cost), int64(max(tc.Budget-cost, 0)), int64(max(cost-tc.Budget, 0)), int64(above), m.Pence(cost), m.BandDPence(above), int64(g.AsNowCost()), m.BandDPence(1), m.BandDPence(-7)}
			have := []int64{int64(r.Spent), int64(r.Left), int64(r.Over), int64(r.Above), r.MoneyPence, r.TaxPence, int64(r.AsNow), r.Tax1, r.TaxNeg}
			for k := range want {
				if want[k] != have[k] {
					t.Fatalf("money %v, package %v, budget %d: figure %d is %d in the browser, %d on the server", m, tc.Package, tc.Budget, k, have[k], want[k])
				}
			}
			if wantFmt := grid.FormatPence(int64(tc.Budget*12345 + 5)); r.Fmt != wantFmt {
				t.Fatalf("formatPence: browser %q, server %q", r.Fmt, wantFmt)
			}
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
