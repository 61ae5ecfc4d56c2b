package report_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult/report"
	"github.com/xuri/excelize/v2"
)

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"roads", "roads"},
		{"12", "12"},
		{"-0.25", "-0.25"},
		{"+3", "+3"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+SUM(A1)", "'+SUM(A1)"},
		{"-2+3", "'-2+3"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"- a list", "'- a list"},
	}
	for _, tt := range tests {
		if got := report.SafeCell(tt.in); got != tt.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var table = analysis.Table{Name: "weights", Columns: []string{"response_id", "weight"},
	Rows: [][]string{{"=cmd|' /C calc'!A0", "1.5"}, {"r2", "-0.5"}}}

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, table); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "'=cmd|' /C calc'!A0" || rows[1][1] != "1.5" || rows[2][1] != "-0.5" {
		t.Fatalf("rows %q", rows)
	}
}

func TestWriteXLSXNumbersAndText(t *testing.T) {
	var buf bytes.Buffer
	method := analysis.Table{Name: "method", Columns: []string{"key", "value"}, Rows: [][]string{{"weighting", "none"}}}
	if err := report.WriteXLSX(&buf, []analysis.Table{table, method}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[0] != "Method" || sheets[1] != "Weights" {
		t.Fatalf("sheets %v, want Method first", sheets)
	}
	id, _ := f.GetCellValue("Weights", "A2")
	if id != "'=cmd|' /C calc'!A0" {
		t.Errorf("A2 = %q, want the formula made text", id)
	}
	if typ, _ := f.GetCellType("Weights", "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("B2 type %v, want a number", typ)
	}
	if v, _ := f.GetCellValue("Weights", "B3"); v != "-0.5" {
		t.Errorf("B3 = %q", v)
	}
	if formula, _ := f.GetCellFormula("Weights", "A2"); formula != "" {
		t.Errorf("A2 holds a formula %q", formula)
	}
}
