package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/report"
	"github.com/budgetgrid/budgetgrid/grid"
)

func runResponsesImport(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "responses import", "responses import SLUG FILE.csv [--db FILE]\n\nLoads face-to-face, paper or agency responses from a wide CSV. Every row is checked against\nthe grid, the lot rules and the about-you options; nothing is stored unless every row is valid.\nRe-importing identical rows changes nothing.")
	dbPath := dbFlag(fs, env)
	pos, err := parseArgs(fs, args, 2)
	if err != nil {
		return err
	}
	store, c, err := openConsultation(ctx, *dbPath, pos[0])
	if err != nil {
		return err
	}
	defer store.Close()
	f, err := openInput(ctx, pos[1])
	if err != nil {
		return err
	}
	defer f.Close()
	rows, added, err := importResponses(ctx, store, c, filepath.Base(pos[1]), f)
	var errs grid.SheetErrors
	if errors.As(err, &errs) {
		return reportInputError(env, errs, "; nothing was imported.")
	}
	if err != nil {
		if code := consult.ErrorCode(err); code == consult.ECONFLICT || code == consult.EINVALID {
			fmt.Fprintf(env.Stderr, "%s: %s\nNothing was imported.\n", pos[1], consult.ErrorMessage(err))
			return errReported
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "Imported %d %s into %q (%d already there, unchanged).\n", added, plural(added, "response", "responses"), c.Slug, rows-added)
	return nil
}

// importResponses checks and stores a wide CSV's rows. On a store that
// streams imports the rows go from the file to the store one at a time,
// in one transaction that a problem anywhere in the file rolls back, so
// memory stays flat whatever the file's size; otherwise every row is read
// first. A problem in the file is a grid.SheetErrors listing them all.
func importResponses(ctx context.Context, store consult.Store, c *consult.Consultation, name string, f io.Reader) (rows, added int, err error) {
	imp, ok := store.(consult.StreamImporter)
	if !ok {
		recs, errs := readResponses(ctx, c, name, f)
		if len(errs) > 0 {
			return 0, 0, errs
		}
		rs := make([]*consult.Response, len(recs))
		for i, rec := range recs {
			rs[i] = consult.FromRecord(c, rec)
		}
		added, err := store.ImportResponses(ctx, c.ID, rs)
		return len(rs), added, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	recs := make(chan grid.Record, 64)
	readErr := make(chan error, 1)
	go func() {
		defer close(recs)
		readErr <- consult.EachRecord(ctx, c, name, f, func(rec grid.Record) error {
			select {
			case recs <- rec:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var fileErr error
	added, err = imp.ImportStream(ctx, c.ID, func() (*consult.Response, error) {
		rec, ok := <-recs
		if !ok {
			// EachRecord has returned: the file's problems, if any, abort
			// the transaction.
			if fileErr = <-readErr; fileErr != nil {
				return nil, fileErr
			}
			return nil, io.EOF
		}
		rows++
		return consult.FromRecord(c, rec), nil
	})
	cancel()
	for range recs { // let the reader finish
	}
	if fileErr == nil {
		select {
		case fileErr = <-readErr:
		default:
		}
	}
	if errs := asSheetErrors(fileErr); errs != nil {
		return rows, 0, errs
	}
	if err != nil {
		return rows, 0, err
	}
	return rows, added, nil
}

// asSheetErrors returns the file problems in err, or nil.
func asSheetErrors(err error) grid.SheetErrors {
	var errs grid.SheetErrors
	if errors.As(err, &errs) {
		return errs
	}
	return nil
}

// readResponses reads a wide CSV for consultation c, checking every row
// (consult.ReadRecords). It returns every error in the file with its row
// and column, and records only when there is none.
func readResponses(ctx context.Context, c *consult.Consultation, name string, f io.Reader) ([]grid.Record, grid.SheetErrors) {
	recs, err := consult.ReadRecords(ctx, c, name, f)
	return recs, fileErrors(name, err)
}

// eachResponse reads a wide responses CSV for c row by row, checking each
// record (consult.EachRecord), and calls fn with every normalized record
// while no error has been found. It reads to the end to report every
// problem at once. An error from fn stops reading and is returned as the
// only error.
func eachResponse(c *consult.Consultation, name string, f io.Reader, fn func(*grid.Record) error) grid.SheetErrors {
	return fileErrors(name, consult.EachRecord(context.Background(), c, name, f, func(rec grid.Record) error { return fn(&rec) }))
}

// fileErrors gives err as the list of a file's problems: its own list
// when it is one, else one line; nil for nil.
func fileErrors(name string, err error) grid.SheetErrors {
	if err == nil {
		return nil
	}
	var errs grid.SheetErrors
	if errors.As(err, &errs) {
		return errs
	}
	return grid.SheetErrors{{File: name, Msg: err.Error()}}
}

func runResponsesSimulate(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "responses simulate", "responses simulate SLUG --n N [--seed S] [--out FILE] [--db FILE]\n   or: responses simulate --definition DIR|FILE --n N ...\n\nWrites a valid wide CSV of synthetic respondents (channel \"synthetic\") for demos and\nbenchmarks. It never writes to the database: load the file with \"responses import\".")
	dbPath := dbFlag(fs, env)
	n := fs.Int("n", 1000, "number of respondents")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same file")
	out := fs.String("out", "", "file to write (default: standard output)")
	def := fs.String("definition", "", "read the consultation from a definition folder or JSON file instead of the database")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var c *consult.Consultation
	switch {
	case *def != "" && len(pos) == 0:
		if c, err = readDefinition(*def); err != nil {
			return err
		}
	case *def == "" && len(pos) == 1:
		store, k, err := openConsultation(ctx, *dbPath, pos[0])
		if err != nil {
			return err
		}
		store.Close()
		c = k
	default:
		fs.Usage()
		return errUsage
	}
	if *n < 1 {
		return fmt.Errorf("--n must be at least 1")
	}
	recs := analysis.Simulate(c.Grid, c.Plan(), report.Questions(c), *n, *seed)
	return writeFileAtomic(*out, env, func(w *bufio.Writer) error {
		ww, err := grid.NewWideWriter(w, c.Grid, c.WideLayout())
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if !c.AskCurrent {
				rec.Current = nil
			}
			if !c.AskUnacceptable {
				rec.Unacceptable = nil
			}
			if rec.CompletedAt.IsZero() {
				rec.CompletedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			if err := ww.Write(rec); err != nil {
				return err
			}
		}
		return ww.Flush()
	})
}

func runResponsesComments(ctx context.Context, args []string, env Env) error {
	return runExport(ctx, args, env, "responses comments", "Writes the comments of completed responses as CSV: response_id,reference,channel,completed_at,comments.\nA comment starting with = + - @ or a tab is written after a ' so that spreadsheets show it as text.",
		func(w *bufio.Writer, store consult.Store, c *consult.Consultation) error {
			return report.WriteComments(ctx, w, store, c)
		})
}
