package consult

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"

	"github.com/budgetgrid/budgetgrid/grid"
)

// responseIDPattern is what a response id may be: a UUID, as the browser
// and tablets make, or a short key from another system. Nothing else, so
// that no id can be read as a formula by a spreadsheet.
var responseIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// MaxRecordErrors caps the errors listed for one file: past it, reading
// stops and the list says that more may follow.
const MaxRecordErrors = 10000

// ReadRecords reads a wide CSV for consultation c and checks every row
// against it: its columns, the response ids, the about-you options, the
// optional stages and the lot rules (CheckRecord). The error is
// grid.SheetErrors listing every problem with its row and column, and
// records come back only when there is none. Reading stops when ctx is
// done.
func ReadRecords(ctx context.Context, c *Consultation, name string, r io.Reader) ([]grid.Record, error) {
	var recs []grid.Record
	err := EachRecord(ctx, c, name, r, func(rec grid.Record) error {
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// EachRecord is ReadRecords as a stream: it checks every row and calls fn
// for each valid one, in file order, until the first problem; after it, it
// goes on only to list further problems. A caller that must store nothing
// unless every row is valid keeps what fn gets until EachRecord returns
// nil.
func EachRecord(ctx context.Context, c *Consultation, name string, r io.Reader, fn func(grid.Record) error) error {
	wr, err := grid.NewWideReader(name, bufio.NewReaderSize(r, 64<<10), c.Grid)
	if err != nil {
		return asSheetErrors(name, err)
	}
	var errs grid.SheetErrors
	layout := wr.Layout()
	if want := c.QuestionKeys(); !slices.Equal(layout.Questions, want) {
		errs = append(errs, grid.SheetError{File: name, Row: 1, Msg: fmt.Sprintf("about-you columns are %v, this consultation asks %v (in that order)", layout.Questions, want)})
	}
	if want := len(c.Plan().Budgets); layout.Lots != want {
		errs = append(errs, grid.SheetError{File: name, Row: 1, Msg: fmt.Sprintf("the file has %d lots, this consultation has %d", layout.Lots, want)})
	}
	if len(errs) > 0 {
		return errs
	}
	flow := NewFlow(c)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("reading %s: %w", name, err)
			}
		}
		if len(errs) >= MaxRecordErrors {
			errs = append(errs, grid.SheetError{File: name, Msg: fmt.Sprintf("stopped after %d errors; fix these and check the file again", MaxRecordErrors)})
			return errs
		}
		rec, err := wr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			rowErrs := asSheetErrors(name, err)
			if len(rowErrs) == 1 && rowErrs[0].Row == 0 {
				// Not a row's problem: reading failed.
				if errors.Is(err, grid.ErrTooLarge) {
					return append(errs, rowErrs...)
				}
				return err
			}
			errs = append(errs, rowErrs...)
			continue
		}
		for _, fe := range flow.CheckRecord(rec) {
			errs = append(errs, grid.SheetError{File: name, Row: wr.Line(), Column: fe.Field, Msg: fe.Msg})
		}
		if len(errs) == 0 {
			c.NormalizeRecord(&rec)
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func asSheetErrors(name string, err error) grid.SheetErrors {
	var errs grid.SheetErrors
	if errors.As(err, &errs) {
		return errs
	}
	return grid.SheetErrors{{File: name, Msg: err.Error()}}
}

// ValidResponseID reports whether id may be a response id: a UUID or up to
// 64 letters, digits, _ or -.
func ValidResponseID(id string) bool { return responseIDPattern.MatchString(id) }
