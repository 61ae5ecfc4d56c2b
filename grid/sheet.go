package grid

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// sheetColumns is the grid sheet's header, in order (DESIGN.md, Contracts).
var sheetColumns = []string{"service", "service_name", "group", "service_description",
	"level", "level_label", "level_description", "points", "as_now"}

// Indexes into sheetColumns.
const (
	colService = iota
	colServiceName
	colGroup
	colServiceDescription
	colLevel
	colLevelLabel
	colLevelDescription
	colPoints
	colAsNow
)

// DefaultLanguage is the language of a grid's main texts; it needs no
// translation columns.
const DefaultLanguage = "en"

var utf8BOM = []byte("\xef\xbb\xbf")

// ReadSheetFile reads a grid sheet from a .csv or .xlsx file.
func ReadSheetFile(path string) (*Grid, error) {
	data, err := ReadFileLimit(path, MaxSheetBytes)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, SheetErrors{{File: filepath.Base(path), Msg: fmt.Sprintf("the file is larger than %s, the most a grid sheet may be", formatBytes(MaxSheetBytes))}}
		}
		return nil, fmt.Errorf("reading grid sheet: %w", err)
	}
	return ReadSheet(filepath.Base(path), data)
}

// ReadSheet reads a grid sheet, choosing CSV or XLSX by the extension of
// name. Every problem in the sheet is reported at once, as SheetErrors.
func ReadSheet(name string, data []byte) (*Grid, error) {
	if len(data) > MaxSheetBytes {
		return nil, SheetErrors{{File: name, Msg: fmt.Sprintf("the file is larger than %s, the most a grid sheet may be", formatBytes(MaxSheetBytes))}}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return readCSVData(name, data)
	case ".xlsx":
		return ReadXLSX(name, bytes.NewReader(data))
	}
	return nil, SheetErrors{{File: name, Msg: "unknown kind of file: a grid sheet must be a .csv or .xlsx file"}}
}

// ReadCSV reads a grid sheet in CSV form. name is used in error messages.
// Every problem in the sheet is reported at once, as SheetErrors.
func ReadCSV(name string, r io.Reader) (*Grid, error) {
	data, err := ReadAllLimit(name, r, MaxSheetBytes)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, SheetErrors{{File: name, Msg: fmt.Sprintf("the file is larger than %s, the most a grid sheet may be", formatBytes(MaxSheetBytes))}}
		}
		return nil, err
	}
	return readCSVData(name, data)
}

// ReadXLSX reads a grid sheet from the first sheet of an XLSX workbook.
// name is used in error messages. Every problem in the sheet is reported at
// once, as SheetErrors.
func ReadXLSX(name string, r io.Reader) (*Grid, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: 64 << 20})
	if err != nil {
		return nil, SheetErrors{{File: name, Msg: "not a readable XLSX workbook (" + err.Error() + ")"}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, SheetErrors{{File: name, Msg: "the workbook has no sheets; the grid must be on the first sheet"}}
	}
	cells, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, SheetErrors{{File: name, Msg: fmt.Sprintf("reading sheet %q: %v", sheets[0], err)}}
	}
	if len(cells) > MaxSheetRows {
		return nil, tooManyRows(name)
	}
	rows := make([]sheetRow, len(cells))
	for i, c := range cells {
		rows[i] = sheetRow{num: i + 1, cells: c}
	}
	return buildSheet(name, rows, nil, true)
}

func tooManyRows(name string) error {
	return SheetErrors{{File: name, Msg: fmt.Sprintf("the sheet has more than %d rows, the most a grid sheet may have", MaxSheetRows)}}
}

// sheetRow is one row of a sheet with its 1-based row (or line) number.
type sheetRow struct {
	num   int
	cells []string
}

// binaryProblem explains why data cannot be a CSV text file, or is "".
func binaryProblem(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "this is an XLSX (or other zip) file, not CSV; save it as CSV or give it the .xlsx extension"
	case bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data):
		return "this is not a CSV text file (it holds binary data or is not UTF-8); save the sheet as \"CSV UTF-8\""
	}
	return ""
}

func readCSVData(name string, data []byte) (*Grid, error) {
	if msg := binaryProblem(data); msg != "" {
		return nil, SheetErrors{{File: name, Msg: msg}}
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	cr.FieldsPerRecord = -1
	var rows []sheetRow
	var errs SheetErrors
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("reading %s: %w", name, err)
			}
			errs = append(errs, SheetError{File: name, Row: pe.Line, Msg: "not valid CSV: " + pe.Err.Error()})
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rows) == MaxSheetRows {
			return nil, tooManyRows(name)
		}
		rows = append(rows, sheetRow{num: line, cells: rec})
	}
	return buildSheet(name, rows, errs, false)
}

// sheetColumn is what one header column holds: a base column (index into
// sheetColumns) in a language ("" for the default), or nothing (base -1):
// an unknown column, reported once, or an unnamed one (as spreadsheets
// leave after the last column), whose cells must be empty.
type sheetColumn struct {
	base    int
	lang    string
	unnamed bool // the header cell is empty
}

// readSheetHeader checks the header row. fatal means the rows cannot be
// read at all.
func readSheetHeader(file string, row int, h []string) (cols []sheetColumn, errs SheetErrors, fatal bool) {
	for i := range h {
		h[i] = strings.TrimSpace(h[i])
	}
	want := strings.Join(sheetColumns, ",")
	fail := func(msg string) ([]sheetColumn, SheetErrors, bool) {
		return nil, SheetErrors{{File: file, Row: row, Msg: msg}}, true
	}
	pos := map[string]int{}
	for i, name := range h {
		if _, dup := pos[name]; !dup {
			pos[name] = i
		}
	}
	var missing []string
	for _, c := range sheetColumns {
		if _, ok := pos[c]; !ok {
			missing = append(missing, c)
		}
	}
	switch {
	case len(missing) == len(sheetColumns):
		return fail("missing header: the first row must name the columns " + want)
	case len(missing) > 0:
		return fail(fmt.Sprintf("missing column %s: the header must start %s", strings.Join(missing, ", "), want))
	case len(h) < len(sheetColumns) || strings.Join(h[:len(sheetColumns)], ",") != want:
		n := min(len(h), len(sheetColumns))
		return fail(fmt.Sprintf("columns in the wrong order: the header must start %s, got %s", want, strings.Join(h[:n], ",")))
	}
	cols = make([]sheetColumn, len(h))
	seen := map[string]bool{}
	for i, name := range h {
		if i < len(sheetColumns) {
			cols[i] = sheetColumn{base: i}
			seen[name] = true
			continue
		}
		cols[i] = sheetColumn{base: -1}
		base, lang, ok := splitTranslationColumn(name)
		switch {
		case name == "":
			cols[i].unnamed = true // allowed while its cells are empty
		case seen[name]:
			errs = append(errs, SheetError{File: file, Row: row, Column: name, Msg: "column appears twice"})
		case !ok:
			errs = append(errs, SheetError{File: file, Row: row, Column: name, Msg: "unknown column; after as_now only translations such as service_name_cy or level_label_cy may follow"})
		case lang == DefaultLanguage:
			errs = append(errs, SheetError{File: file, Row: row, Column: name, Msg: fmt.Sprintf("%s is the default language; its text goes in %s", lang, sheetColumns[base])})
		default:
			cols[i] = sheetColumn{base: base, lang: lang}
		}
		seen[name] = true
	}
	return cols, errs, false
}

// splitTranslationColumn splits "level_label_cy" into the index of
// level_label and "cy". Only texts (not keys or numbers) are translatable.
func splitTranslationColumn(name string) (base int, lang string, ok bool) {
	i := strings.LastIndexByte(name, '_')
	if i < 0 || !validLanguage(name[i+1:]) {
		return 0, "", false
	}
	switch name[:i] {
	case "service_name":
		return colServiceName, name[i+1:], true
	case "group":
		return colGroup, name[i+1:], true
	case "service_description":
		return colServiceDescription, name[i+1:], true
	case "level_label":
		return colLevelLabel, name[i+1:], true
	case "level_description":
		return colLevelDescription, name[i+1:], true
	}
	return 0, "", false
}

// validLanguage reports whether s looks like a language code: 2 or 3
// lowercase letters.
func validLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := range len(s) {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// validKey reports whether s is a service key: [a-z0-9_]+.
func validKey(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// isBlank reports whether every cell is empty or spaces.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
