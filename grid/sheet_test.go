package grid

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// readFenshire reads the example grid.
func readFenshire(t testing.TB) *Grid {
	t.Helper()
	g, err := ReadSheetFile("testdata/fenshire.csv")
	if err != nil {
		t.Fatalf("reading the Fenshire grid: %v", err)
	}
	return g
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// sheetToXLSX writes CSV rows to the first sheet of a new workbook, whole
// numbers as numbers.
func sheetToXLSX(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			if n, err := strconv.Atoi(c); err == nil && i > 0 {
				cells[j] = n
			} else {
				cells[j] = c
			}
		}
		if err := f.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &cells); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxWithoutSheets returns a workbook whose sheet list is empty.
func xlsxWithoutSheets(t testing.TB) []byte {
	t.Helper()
	in := sheetToXLSX(t, [][]string{{"service"}})
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		if f.Name == "xl/workbook.xml" {
			data = regexp.MustCompile(`<sheets>.*</sheets>`).ReplaceAll(data, []byte("<sheets></sheets>"))
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func readCSVRows(t testing.TB, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csvRows(data)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestReadSheetFenshire(t *testing.T) {
	g := readFenshire(t)
	if got := len(g.Services); got != 16 {
		t.Errorf("services = %d, want 16", got)
	}
	if got := g.LevelCount(); got != 61 {
		t.Errorf("levels = %d, want 61", got)
	}
	if got := g.AsNowCost(); got != 77 {
		t.Errorf("as-now cost = %d, want 77", got)
	}
	if got := g.MaxCost(); got != 141 {
		t.Errorf("max cost = %d, want 141", got)
	}
	roads := g.Services[0]
	want := Level{Number: 3, Label: "As now", Description: "Dangerous defects repaired within 24 hours. 100 miles resurfaced a year. Pavements inspected every year.", Points: 14, AsNow: true}
	if !reflect.DeepEqual(roads.Levels[2], want) {
		t.Errorf("roads level 3 = %+v, want %+v", roads.Levels[2], want)
	}
	if roads.Key != "roads" || roads.Name != "Road and pavement repairs" || roads.Group != "Place and transport" ||
		roads.Description != "Fixing potholes, resurfacing roads and repairing pavements on 4,500 miles of county roads." {
		t.Errorf("roads = %q %q %q %q", roads.Key, roads.Name, roads.Group, roads.Description)
	}
	if err := g.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestReadSheetXLSXEqualsCSV(t *testing.T) {
	for _, path := range []string{"testdata/fenshire.csv", "testdata/translated.csv"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			fromCSV, err := ReadSheetFile(path)
			if err != nil {
				t.Fatal(err)
			}
			xlsx := sheetToXLSX(t, readCSVRows(t, path))
			fromXLSX, err := ReadSheet("grid.XLSX", xlsx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromCSV, fromXLSX) {
				t.Errorf("XLSX read differs from CSV read")
			}
		})
	}
}

func TestReadSheetTranslations(t *testing.T) {
	g, err := ReadSheetFile("testdata/translated.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.Services[1].Translations, map[string]ServiceText{"cy": {Name: "Goleuadau stryd"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("streetlights translations = %v, want %v", got, want)
	}
	if got, want := g.Services[0].Levels[4].Translations, map[string]LevelText{"cy": {Label: "Lefel 5"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("roads level 5 translations = %v, want %v", got, want)
	}
	if g.Services[0].Levels[4].Label != "Much improved" {
		t.Errorf("default label changed: %q", g.Services[0].Levels[4].Label)
	}
}

func TestCheckLanguages(t *testing.T) {
	g, err := ReadSheetFile("testdata/translated.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		langs []string
		want  []string // first lines of the error, or none
		count int
	}{
		{"default language needs nothing", []string{"en"}, nil, 0},
		{"no languages", nil, nil, 0},
		{"welsh lacks groups and descriptions", []string{"cy"}, []string{
			"group_cy: missing for service roads",
			"service_description_cy: missing for service roads",
			"level_description_cy: missing for roads level 1",
		}, 2*2 + 9},
		{"french lacks everything", []string{"fr"}, []string{
			"service_name_fr: missing for service roads",
		}, 2*3 + 9*2},
		{"bad code", []string{"Welsh"}, []string{`language must be 2 or 3 lowercase letters (like cy), got "Welsh"`}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := g.CheckLanguages(tt.langs)
			var errs SheetErrors
			if err != nil && !errors.As(err, &errs) {
				t.Fatalf("error is %T, want SheetErrors", err)
			}
			if len(errs) != tt.count {
				t.Errorf("%d problems, want %d:\n%v", len(errs), tt.count, err)
			}
			for i, w := range tt.want {
				if i >= len(errs) || errs[i].Error() != w {
					t.Errorf("problem %d = %v, want %q", i, errs, w)
					break
				}
			}
		})
	}
}

func TestReadSheetErrors(t *testing.T) {
	fenshireRows := readCSVRows(t, "testdata/fenshire.csv")
	tests := []struct {
		name, file string
		data       func(t *testing.T) []byte
	}{
		{"missing header", "grid.csv", fileData("testdata/sheets/missing_header.csv")},
		{"wrong column order", "grid.csv", fileData("testdata/sheets/wrong_column_order.csv")},
		{"duplicate service", "grid.csv", fileData("testdata/sheets/duplicate_service.csv")},
		{"two as-now levels", "grid.csv", fileData("testdata/sheets/two_as_now.csv")},
		{"decreasing points", "grid.csv", fileData("testdata/sheets/decreasing_points.csv")},
		{"empty file", "grid.csv", fileData("testdata/sheets/empty.csv")},
		{"unknown column", "grid.csv", fileData("testdata/sheets/unknown_column.csv")},
		{"several errors", "grid.csv", fileData("testdata/sheets/several_errors.csv")},
		{"binary file renamed csv", "grid.csv", func(*testing.T) []byte { return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") }},
		{"xlsx renamed csv", "grid.csv", func(t *testing.T) []byte { return sheetToXLSX(t, fenshireRows) }},
		{"csv renamed xlsx", "grid.xlsx", fileData("testdata/fenshire.csv")},
		{"xlsx with no sheet", "grid.xlsx", func(t *testing.T) []byte { return xlsxWithoutSheets(t) }},
		{"xlsx with errors", "grid.xlsx", func(t *testing.T) []byte {
			return sheetToXLSX(t, readCSVRows(t, "testdata/sheets/several_errors.csv"))
		}},
		{"header only", "grid.csv", func(*testing.T) []byte { return []byte(strings.Join(sheetColumns, ",") + "\n") }},
		{"unknown extension", "grid.ods", fileData("testdata/fenshire.csv")},
		{"bad quoting", "grid.csv", func(*testing.T) []byte {
			return []byte(strings.Join(sheetColumns, ",") + "\nroads,\"Roads\" x,,,1,Low,,0,x\nroads,,,,2,High,,1,\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ReadSheet(tt.file, tt.data(t))
			if err == nil {
				t.Fatalf("no error; read %d services", len(g.Services))
			}
			var errs SheetErrors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, want SheetErrors: %v", err, err)
			}
			golden := "testdata/golden/" + strings.ReplaceAll(tt.name, " ", "_") + ".txt"
			checkGolden(t, golden, err.Error()+"\n")
		})
	}
}

// csvRows splits CSV data into rows.
func csvRows(data []byte) ([][]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	return cr.ReadAll()
}

func fileData(path string) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
}

func TestSheetErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  SheetError
		want string
	}{
		{"file row column", SheetError{File: "grid.csv", Row: 14, Column: "points", Msg: `must be a whole number ≥ 0, got "ten"`}, `grid.csv:14: points: must be a whole number ≥ 0, got "ten"`},
		{"no column", SheetError{File: "grid.csv", Row: 3, Msg: "has 7 cells"}, "grid.csv:3: has 7 cells"},
		{"file only", SheetError{File: "grid.csv", Msg: "the file is empty"}, "grid.csv: the file is empty"},
		{"row without file", SheetError{Row: 3, Msg: "bad"}, "row 3: bad"},
		{"grid from JSON", SheetError{Column: "roads level 3", Msg: "label is required"}, "roads level 3: label is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	both := SheetErrors{tests[0].err, tests[1].err}.Error()
	if want := tests[0].want + "\n" + tests[1].want; both != want {
		t.Errorf("SheetErrors = %q, want %q", both, want)
	}
}

func TestReadSheetLenient(t *testing.T) {
	base, err := ReadSheetFile("testdata/fenshire.csv")
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile("testdata/fenshire.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(orig), "\n"), "\n")
	tests := []struct {
		name string
		edit func(lines []string) string
	}{
		{"byte order mark", func(l []string) string { return "\ufeff" + strings.Join(l, "\n") }},
		{"CRLF line ends", func(l []string) string { return strings.Join(l, "\r\n") + "\r\n" }},
		{"blank lines", func(l []string) string { return strings.Join(l, "\n\n") }},
		{"empty rows", func(l []string) string { return strings.Join(l, "\n,,,,,,,,\n") }},
		{"trailing unnamed columns", func(l []string) string { return strings.Join(l, ",,\n") + ",," }},
		{"spaces around cells", func(l []string) string {
			out := make([]string, len(l))
			for i, line := range l {
				out[i] = strings.ReplaceAll(line, ",x", ", X ")
			}
			out[0] = strings.ReplaceAll(l[0], ",", " , ")
			return strings.Join(out, "\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ReadCSV("grid.csv", strings.NewReader(tt.edit(append([]string(nil), lines...))))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, base) {
				t.Error("grid differs from the plain read")
			}
		})
	}
}

func TestReadSheetValueInUnnamedColumn(t *testing.T) {
	data := strings.Join(sheetColumns, ",") + ",\na,A,,,1,L,,0,x,\na,,,,2,M,,1,,oops\n"
	_, err := ReadSheet("grid.csv", []byte(data))
	want := `grid.csv:3: column 10 has a value, "oops", but no name in the header`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
