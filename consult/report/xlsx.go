package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/xuri/excelize/v2"
)

// textColumns stay text in XLSX even when they look like numbers.
var textColumns = map[string]bool{"response_id": true, "segment": true, "segment_variable": true, "service": true, "levels": true, "key": true, "value": true, "stage": true}

// WriteXLSX writes the analysis tables as a workbook: a "Method" sheet
// first (what was done), then a sheet per table, numbers as numbers and
// every text cell made safe (SafeCell).
func WriteXLSX(w io.Writer, tables []analysis.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	ordered := make([]analysis.Table, 0, len(tables))
	for _, t := range tables {
		if t.Name == "method" {
			ordered = append([]analysis.Table{t}, ordered...)
		} else {
			ordered = append(ordered, t)
		}
	}
	if err := writeSheets(f, ordered); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("writing workbook: %w", err)
	}
	return nil
}

// sheetName turns a table name into a sheet name: "method" -> "Method".
func sheetName(table string) string {
	if table == "" {
		return "Sheet"
	}
	b := []byte(table)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	if len(b) > 31 {
		b = b[:31]
	}
	return string(b)
}

// writeSheets writes each table as a sheet, in order: a bold header, then
// the rows, numbers as numbers and every text cell made safe.
func writeSheets(f *excelize.File, tables []analysis.Table) error {
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, t := range tables {
		name := sheetName(t.Name)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		header := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			header[j] = excelize.Cell{Value: SafeCell(c), StyleID: bold}
		}
		if err := sw.SetRow("A1", header, excelize.RowOpts{}); err != nil {
			return err
		}
		row := make([]any, len(t.Columns))
		for r, cells := range t.Rows {
			for j, v := range cells {
				row[j] = SafeCell(v)
				if !textColumns[t.Columns[j]] {
					if x, err := strconv.ParseFloat(v, 64); err == nil {
						row[j] = x
					}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
