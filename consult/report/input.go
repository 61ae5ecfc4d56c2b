// Package report carries a consultation's responses from a store to the
// analysis and the analysis back out: the analysis input, and the CSV,
// JSON and XLSX writers that the command line, the analyst's pages and the
// Cabinet report share, so that each shows the same numbers.
package report

import (
	"context"

	"github.com/budgetgrid/budgetgrid/analysis"
	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

// Questions gives the analysis the about-you questions' keys and option
// keys, in the consultation's order.
func Questions(c *consult.Consultation) []analysis.Question {
	qs := make([]analysis.Question, len(c.Questions))
	for i, q := range c.Questions {
		qs[i].Key = q.Key
		for _, o := range q.Options {
			qs[i].Options = append(qs[i].Options, o.Key)
		}
	}
	return qs
}

// Input is the analysis input for consultation c with no responses yet.
func Input(c *consult.Consultation) analysis.Input {
	return analysis.Input{Grid: c.Grid, Plan: c.Plan(), Questions: Questions(c)}
}

// ResponseReader is the part of a store the analysis input needs.
type ResponseReader interface {
	EachCompleted(ctx context.Context, consultationID int64, fn func(*consult.Response) error) error
}

// FromStore reads every completed response of consultation c into the
// analysis input, as the wide CSV export carries them, so that analysing
// the database and analysing its export give the same numbers.
func FromStore(ctx context.Context, store ResponseReader, c *consult.Consultation) (analysis.Input, error) {
	in := Input(c)
	err := store.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
		in.Records = append(in.Records, r.Record(c))
		return nil
	})
	return in, err
}

// FromRecords is the analysis input for records read from a file for
// consultation c (consult.ReadRecords).
func FromRecords(c *consult.Consultation, recs []grid.Record) analysis.Input {
	in := Input(c)
	in.Records = recs
	return in
}

// StreamFromStore is FromStore as a stream: the input's Each reads the
// completed responses from the store while the analysis codes them, so
// that they are never all held as records. The store must stay open until
// the analysis is done; count, when set, is told how many were read.
func StreamFromStore(ctx context.Context, store ResponseReader, c *consult.Consultation, count *int) analysis.Input {
	in := Input(c)
	in.Each = func(add func(*grid.Record) error) error {
		return store.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			rec := r.Record(c)
			if count != nil {
				*count++
			}
			return add(&rec)
		})
	}
	return in
}
