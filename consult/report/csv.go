package report

import (
	"encoding/csv"
	"encoding/json"
	"io"

	"github.com/budgetgrid/budgetgrid/analysis"
)

// WriteCSV writes one table as CSV: a header row, then the rows, every
// text cell made safe (SafeCell).
func WriteCSV(w io.Writer, t analysis.Table) error {
	cw := csv.NewWriter(w)
	row := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		row[i] = SafeCell(c)
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for _, cells := range t.Rows {
		row = row[:0]
		for _, v := range cells {
			row = append(row, SafeCell(v))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the tables as one JSON array of {name, columns, rows}.
// JSON is not opened as a spreadsheet, so cells are written as they are.
func WriteJSON(w io.Writer, tables []analysis.Table) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(tables)
}
