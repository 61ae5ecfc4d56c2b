package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult/report"
)

const opendataSynopsis = `opendata SLUG --out DIR [flags]

Writes the consultation's published tables as open data: one CSV per table, opendata.json
(every table and the dictionary) and dictionary.csv (what each column means). Segments of
fewer than 10 respondents are suppressed, with a second segment where one alone would be
revealed by subtraction; nothing holds a response id or free text. Takes the analysis
flags of "analyse".`

func runOpendata(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "opendata", opendataSynopsis)
	dbPath := dbFlag(fs, env)
	af := addAnalysisFlags(fs)
	out := fs.String("out", "opendata", "output folder")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
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
	in, err := report.FromStore(ctx, store, c)
	if err != nil {
		return err
	}
	if len(in.Records) == 0 {
		return fmt.Errorf("%s has no completed responses to publish", c.Slug)
	}
	rep, err := analysis.Analyse(in, opt)
	if err != nil {
		return err
	}
	od := report.NewOpenData(in, rep)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	tables := append(append([]analysis.Table(nil), od.Tables...), od.Dictionary)
	for _, t := range tables {
		if err := writeFileAtomic(filepath.Join(*out, t.Name+".csv"), env, func(w *bufio.Writer) error { return report.WriteCSV(w, t) }); err != nil {
			return err
		}
	}
	doc := struct {
		Consultation string           `json:"consultation"`
		Title        string           `json:"title"`
		Responses    int              `json:"responses"`
		Suppressed   []string         `json:"suppressed"`
		Tables       []analysis.Table `json:"tables"`
	}{c.Slug, c.Title, len(in.Records), od.Suppressed, tables}
	if err := writeFileAtomic(filepath.Join(*out, "opendata.json"), env, func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(doc)
	}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Wrote %d open tables on %d responses to %s (%d segments suppressed).\n", len(od.Tables), len(in.Records), *out, len(od.Suppressed))
	return nil
}
