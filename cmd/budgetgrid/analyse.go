package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/report"
	"github.com/budgetgrid/budgetgrid/grid"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const analyseSynopsis = `analyse SLUG [flags]
   or: analyse --grid FILE --responses FILE [--lots 62,69,77,85] [flags]

Weighted level shares, priorities, the resident-preferred package at any budget and
segments, from the database (SLUG) or from files. --grid takes a grid sheet (CSV or XLSX)
or a canonical consultation JSON; with a bare sheet the lot budgets come from --lots, or
are unknown (outputs that need them say so and the rest are computed). Output tables are
written to --out as CSV (one file per table), JSON (analysis.json) or XLSX (analysis.xlsx).`

func runAnalyse(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "analyse", analyseSynopsis)
	dbPath := dbFlag(fs, env)
	gridPath := fs.String("grid", "", "grid sheet or canonical consultation JSON (file mode)")
	respPath := fs.String("responses", "", "responses wide CSV (file mode)")
	lots := fs.String("lots", "", "lot budgets in points, e.g. 62,69,77,85 (file mode with a bare sheet)")
	af := addAnalysisFlags(fs)
	outDir := fs.String("out", "analysis", "output folder")
	format := fs.String("format", "csv", "csv, json or xlsx")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch *format {
	case "csv", "json", "xlsx":
	default:
		return fmt.Errorf("--format %q: choose csv, json or xlsx", *format)
	}
	var in analysis.Input
	var source string
	switch {
	case len(pos) == 1 && *gridPath == "" && *respPath == "":
		var closeStore func() error
		if in, closeStore, err = inputFromStore(ctx, *dbPath, pos[0]); err != nil {
			return err
		}
		defer closeStore()
		source = "database " + *dbPath + ", consultation " + pos[0]
	case len(pos) == 0 && *gridPath != "" && *respPath != "":
		in, err = inputFromFiles(*gridPath, *respPath, *lots)
		if err != nil {
			return reportInputError(env, err, "")
		}
		source = "files " + *gridPath + " and " + *respPath
	default:
		fs.Usage()
		return errUsage
	}
	opt, err := af.options(env)
	if err != nil {
		return err
	}
	rep, err := analysis.Analyse(in, opt)
	if err != nil {
		return reportInputError(env, err, "")
	}
	tables := rep.Tables()
	tables = append(tables, analysis.Table{Name: "source", Columns: []string{"key", "value"}, Rows: [][]string{{"source", source}, {"responses", strconv.Itoa(len(rep.ResponseIDs))}}})
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	var written string
	switch *format {
	case "csv":
		for _, t := range tables {
			if err = writeFileAtomic(filepath.Join(*outDir, t.Name+".csv"), env, func(w *bufio.Writer) error { return report.WriteCSV(w, t) }); err != nil {
				break
			}
		}
		written = *outDir + string(filepath.Separator) + "*.csv"
	case "json":
		written = filepath.Join(*outDir, "analysis.json")
		err = writeFileAtomic(written, env, func(w *bufio.Writer) error { return report.WriteJSON(w, tables) })
	case "xlsx":
		written = filepath.Join(*outDir, "analysis.xlsx")
		err = writeFileAtomic(written, env, func(w *bufio.Writer) error { return report.WriteXLSX(w, tables) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Analysed %d responses (%s); wrote %s.\n", len(rep.ResponseIDs), weightingSummary(rep), written)
	for _, n := range rep.Notes {
		fmt.Fprintln(env.Stdout, "Note:", n)
	}
	return nil
}

func weightingSummary(rep *analysis.Report) string {
	w := rep.Weighting
	if !w.Raked {
		return "unweighted"
	}
	return fmt.Sprintf("raked in %d iterations, design effect %.3f, effective n %.0f", w.Iterations, w.Deff, w.NEff)
}

// inputFromStore streams a consultation's completed responses from the
// database into the analysis; the store stays open until close is called.
func inputFromStore(ctx context.Context, dbPath, slug string) (in analysis.Input, close func() error, err error) {
	store, c, err := openConsultation(ctx, dbPath, slug)
	if err != nil {
		return analysis.Input{}, nil, err
	}
	return report.StreamFromStore(ctx, store, c, nil), store.Close, nil
}

// inputFromFiles reads the grid (sheet or consultation JSON) and the
// responses CSV.
func inputFromFiles(gridPath, respPath, lots string) (analysis.Input, error) {
	var in analysis.Input
	var c *consult.Consultation
	if strings.EqualFold(filepath.Ext(gridPath), ".json") {
		k, err := readDefinition(gridPath)
		if err != nil {
			return in, err
		}
		c = k
		in.Grid, in.Plan, in.Questions = k.Grid, k.Plan(), report.Questions(k)
	} else {
		g, err := grid.ReadSheetFile(gridPath)
		if err != nil {
			return in, err
		}
		in.Grid = g
	}
	if lots != "" {
		if c != nil {
			return in, fmt.Errorf("--lots: the consultation JSON gives the lots already")
		}
		for _, f := range strings.Split(lots, ",") {
			b, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || b < 0 {
				return in, fmt.Errorf("--lots %q: give whole numbers of points joined by commas, e.g. 62,69,77,85", lots)
			}
			in.Plan.Budgets = append(in.Plan.Budgets, b)
		}
	}
	// The responses are streamed into the analysis row by row (Input.Each)
	// rather than held as records: the file stays open until Analyse has
	// read it.
	f, err := os.Open(respPath)
	if err != nil {
		return in, err
	}
	name := filepath.Base(respPath)
	if c != nil {
		in.Each = func(add func(*grid.Record) error) error {
			defer f.Close()
			if errs := eachResponse(c, name, f, add); len(errs) > 0 {
				return errs
			}
			return nil
		}
		return in, nil
	}
	wr, err := grid.NewWideReader(name, bufio.NewReaderSize(f, 64<<10), in.Grid)
	if err != nil {
		f.Close()
		return in, err
	}
	layout := wr.Layout()
	if in.Plan.Budgets != nil && len(in.Plan.Budgets) != layout.Lots {
		f.Close()
		return in, fmt.Errorf("--lots gives %d budgets, the responses have %d lots", len(in.Plan.Budgets), layout.Lots)
	}
	for _, q := range layout.Questions {
		in.Questions = append(in.Questions, analysis.Question{Key: q})
	}
	in.Each = func(add func(*grid.Record) error) error {
		defer f.Close()
		var errs grid.SheetErrors
		for {
			rec, err := wr.Read()
			if err == io.EOF {
				break
			}
			var rowErrs grid.SheetErrors
			if errors.As(err, &rowErrs) {
				errs = append(errs, rowErrs...)
				continue
			}
			if err != nil {
				return err
			}
			if len(errs) == 0 {
				if err := add(&rec); err != nil {
					return err
				}
			}
		}
		if len(errs) > 0 {
			return errs
		}
		return nil
	}
	return in, nil
}

// reportInputError prints row- and column-precise errors one per line,
// then their count and the suffix, or a domain error's message.
func reportInputError(env Env, err error, suffix string) error {
	var errs grid.SheetErrors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(env.Stderr, e.Error())
		}
		fmt.Fprintf(env.Stderr, "%d %s%s\n", len(errs), plural(len(errs), "error", "errors"), suffix)
		return errReported
	}
	if consult.ErrorCode(err) == consult.EINVALID {
		fmt.Fprintln(env.Stderr, consult.ErrorMessage(err))
		return errReported
	}
	return err
}

// isTerminal reports whether w is a terminal, for progress output.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
