package analysis

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

func TestTablesCSVAndJSON(t *testing.T) {
	rep, recs := analyseFenshire(t, 1000, Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"area"}, Bootstrap: 8, Seed: 2, TrimHigh: 2.5})
	tables := rep.Tables()
	dir := t.TempDir()
	if err := rep.WriteCSV(dir); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"weights": WeightsColumns, "shares": SharesColumns, "service_lots": ServiceLotsColumns,
		"priorities": PrioritiesColumns, "packages": PackagesColumns, "optimum": OptimumColumns, "curve": CurveColumns, "tests": TestsColumns, "method": MethodColumns}
	if len(tables) != len(want) {
		t.Fatalf("%d tables, want %d", len(tables), len(want))
	}
	for _, tb := range tables {
		fh, err := os.Open(filepath.Join(dir, tb.Name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", tb.Name, err)
		}
		if !reflect.DeepEqual(rows[0], want[tb.Name]) {
			t.Errorf("%s columns %v, want %v", tb.Name, rows[0], want[tb.Name])
		}
		if !reflect.DeepEqual(rows[1:], tb.Rows) || len(tb.Rows) == 0 {
			t.Errorf("%s: CSV rows differ from the table (%d rows)", tb.Name, len(tb.Rows))
		}
	}
	// Weights: one per record, in order, trimmed to 2.5 × mean.
	w := tables[0]
	if len(w.Rows) != len(recs) || w.Rows[10][0] != recs[10].ResponseID {
		t.Fatalf("weights table has %d rows", len(w.Rows))
	}
	for _, r := range w.Rows {
		if x, _ := strconv.ParseFloat(r[1], 64); x > 2.5*(1+1e-8) { // re-raked: within the bound to 1e-9
			t.Fatalf("weight %g above the trimming bound", x)
		}
	}
	if math.Abs(rep.Weighting.Weights[3]-mustFloat(t, w.Rows[3][1])) > 1e-9 {
		t.Error("weight formatting loses precision")
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back []Table
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, tables) {
		t.Error("JSON does not round-trip the tables")
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
