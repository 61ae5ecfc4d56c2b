package report

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

// WriteWide writes every completed response of c as the wide CSV, as
// "budgetgrid responses export" does.
func WriteWide(ctx context.Context, w io.Writer, store ResponseReader, c *consult.Consultation) error {
	ww, err := grid.NewWideWriter(w, c.Grid, c.WideLayout())
	if err != nil {
		return err
	}
	if err := store.EachCompleted(ctx, c.ID, func(r *consult.Response) error { return ww.Write(r.Record(c)) }); err != nil {
		return err
	}
	return ww.Flush()
}

// WriteComments writes the comments of c's completed responses as CSV
// (response_id,reference,channel,completed_at,comments), as "budgetgrid
// responses comments" does, each comment made safe for spreadsheets.
func WriteComments(ctx context.Context, w io.Writer, store ResponseReader, c *consult.Consultation) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"response_id", "reference", "channel", "completed_at", "comments"}); err != nil {
		return err
	}
	err := store.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
		if r.Answers.Comments == "" {
			return nil
		}
		return cw.Write([]string{r.ID, r.Reference, r.Channel, r.CompletedAt.UTC().Format(grid.WideTimeFormat), SafeCell(r.Answers.Comments)})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// DefaultOptions are the analysis options of "budgetgrid analyse" with no
// flags: unweighted, no segments, no bootstrap, Korn–Graubard intervals.
func DefaultOptions() analysis.Options {
	return analysis.Options{Seed: 1, Interval: "kg"}
}

// Tables analyses c's completed responses with DefaultOptions and returns
// the tables "budgetgrid analyse" writes, the last naming source.
func Tables(ctx context.Context, store ResponseReader, c *consult.Consultation, source string) ([]analysis.Table, error) {
	in, err := FromStore(ctx, store, c)
	if err != nil {
		return nil, err
	}
	rep, err := analysis.Analyse(in, DefaultOptions())
	if err != nil {
		return nil, err
	}
	tables := rep.Tables()
	return append(tables, analysis.Table{Name: "source", Columns: []string{"key", "value"},
		Rows: [][]string{{"source", source}, {"responses", strconv.Itoa(len(in.Records))}}}), nil
}
