package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult/report"
	"github.com/budgetgrid/budgetgrid/consult/report/pdf"
)

const reportSynopsis = `report SLUG --out report.html|report.pdf|report.xlsx [flags]

Writes the report to Cabinet: findings in plain English with their uncertainty, charts with
their data, and the method, from the consultation's completed responses. The numbers are
those of "analyse" with the same flags. .html is one self-contained file; .pdf is printed
by headless Chromium (A4, page numbers) and needs it installed; .xlsx holds the findings,
the method and every table.`

func runReport(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "report", reportSynopsis)
	dbPath := dbFlag(fs, env)
	af := addAnalysisFlags(fs)
	out := fs.String("out", "", "file to write: .html, .pdf or .xlsx")
	channel := fs.String("channel", "", "report on one channel's responses only (online, interview, paper…)")
	proposed := fs.Int("proposed-budget", 0, "the council's proposed budget in points, to set residents' package beside it")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	kind := strings.ToLower(filepath.Ext(*out))
	switch kind {
	case ".html", ".pdf", ".xlsx":
	default:
		return fmt.Errorf("--out %q: give a file ending in .html, .pdf or .xlsx", *out)
	}
	if kind == ".pdf" {
		if _, err := pdf.FindChromium(); err != nil {
			return err
		}
	}
	opt, err := af.options(env)
	if err != nil {
		return err
	}
	store, c, err := openConsultation(ctx, *dbPath, pos[0])
	if err != nil {
		return err
	}
	defer store.Close()
	cb, err := report.BuildCabinet(ctx, store, c, report.CabinetOptions{Analysis: opt, Channel: *channel, ProposedBudget: *proposed})
	if err != nil {
		return err
	}
	switch kind {
	case ".html":
		err = writeFileAtomic(*out, env, func(w *bufio.Writer) error { return cb.WriteHTML(w) })
	case ".xlsx":
		err = writeFileAtomic(*out, env, func(w *bufio.Writer) error { return cb.WriteXLSX(w) })
	case ".pdf":
		var html bytes.Buffer
		if err = cb.WriteHTML(&html); err != nil {
			return err
		}
		var doc []byte
		if doc, err = pdf.Print(ctx, html.Bytes(), c.Title); err != nil {
			return err
		}
		err = writeFileAtomic(*out, env, func(w *bufio.Writer) error { _, err := w.Write(doc); return err })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Wrote the report on %d responses to %s.\n", cb.Responses, *out)
	return nil
}
