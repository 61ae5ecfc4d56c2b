package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/xuri/excelize/v2"
)

//go:embed cabinet.html
var cabinetHTML string

// cabinetTemplate is parsed once, at start, and fails fast.
var cabinetTemplate = template.Must(template.New("cabinet").Parse(cabinetHTML))

// WriteHTML writes the report as one self-contained HTML file: its styles,
// charts and tables inline, nothing fetched from anywhere, printable to A4.
func (cb *Cabinet) WriteHTML(w io.Writer) error {
	if err := cabinetTemplate.Execute(w, cb); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// WriteXLSX writes the report as a workbook: the findings, the method,
// then every analysis table, numbers as numbers.
func (cb *Cabinet) WriteXLSX(w io.Writer) error {
	findings := analysis.Table{Name: "findings", Columns: []string{"section", "finding"}}
	for _, f := range cb.Findings {
		for _, s := range f.Sentences {
			findings.Rows = append(findings.Rows, []string{f.Heading, s})
		}
	}
	method := analysis.Table{Name: "report_method", Columns: []string{"key", "value"}}
	for _, m := range cb.Method {
		method.Rows = append(method.Rows, []string{m[0], m[1]})
	}
	method.Rows = append(method.Rows, []string{"Responses analysed", strconv.Itoa(cb.Responses)})
	tables := append([]analysis.Table{findings, method}, cb.Tables...)
	f := excelize.NewFile()
	defer f.Close()
	if err := writeSheets(f, tables); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("writing workbook: %w", err)
	}
	return nil
}
