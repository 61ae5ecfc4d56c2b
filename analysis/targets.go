package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Targets are weighting targets: for each variable, the population share of
// each of its categories. Variables keep the order in which they first appear
// in the file; categories keep file order.
type Targets struct {
	Variables []TargetVariable
}

// TargetVariable is one raking margin: a respondent variable (an about-you
// question key or "channel") and the population share of each category.
// Shares sum to 1.
type TargetVariable struct {
	Name       string
	Categories []string
	Shares     []float64
	// Sum is the sum of the targets as given (0 when not read from a
	// file: then the sum of Shares); Counts is true when any target is
	// above 1, so the targets are counts and are scaled.
	Sum    float64
	Counts bool
}

// TargetsError is a problem at one place in a targets file. Row counts file
// lines from 1 (the header is row 1); Column is 1-based, 0 when the problem
// is about a whole row or variable.
type TargetsError struct {
	Row    int
	Column int
	Msg    string
}

// Error says where the problem is and what it is.
func (e *TargetsError) Error() string {
	switch {
	case e.Row == 0:
		return "targets: " + e.Msg
	case e.Column == 0:
		return fmt.Sprintf("targets: row %d: %s", e.Row, e.Msg)
	default:
		return fmt.Sprintf("targets: row %d, column %d: %s", e.Row, e.Column, e.Msg)
	}
}

// ReadTargets reads a weighting targets CSV with the header
// variable,category,target. The targets of one variable are shares
// (summing to 1) or counts; either way they are divided by their sum. Every problem found is returned, joined, each as a *TargetsError
// with its row and column.
func ReadTargets(r io.Reader) (Targets, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var t Targets
	var errs []error
	index := map[string]int{}
	seen := map[[2]string]int{}
	firstRow := map[string]int{}
	row := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		row++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Targets{}, &TargetsError{Row: pe.Line, Column: pe.Column, Msg: pe.Err.Error()}
			}
			return Targets{}, fmt.Errorf("targets: %w", err)
		}
		if row == 1 {
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			}
			want := []string{"variable", "category", "target"}
			if len(rec) != 3 {
				return Targets{}, &TargetsError{Row: 1, Msg: fmt.Sprintf("header has %d columns, want variable,category,target", len(rec))}
			}
			for i, w := range want {
				if strings.TrimSpace(rec[i]) != w {
					return Targets{}, &TargetsError{Row: 1, Column: i + 1, Msg: fmt.Sprintf("header is %q, want %q", rec[i], w)}
				}
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != 3 {
			errs = append(errs, &TargetsError{Row: row, Msg: fmt.Sprintf("has %d columns, want 3", len(rec))})
			continue
		}
		v, c, s := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		bad := false
		if v == "" {
			errs = append(errs, &TargetsError{Row: row, Column: 1, Msg: "variable is empty"})
			bad = true
		}
		if c == "" {
			errs = append(errs, &TargetsError{Row: row, Column: 2, Msg: "category is empty"})
			bad = true
		}
		x, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil:
			errs = append(errs, &TargetsError{Row: row, Column: 3, Msg: fmt.Sprintf("target %q is not a number", s)})
			bad = true
		case math.IsNaN(x) || math.IsInf(x, 0) || x <= 0:
			errs = append(errs, &TargetsError{Row: row, Column: 3, Msg: fmt.Sprintf("target %q must be positive", s)})
			bad = true
		}
		if bad {
			continue
		}
		if prev, ok := seen[[2]string{v, c}]; ok {
			errs = append(errs, &TargetsError{Row: row, Column: 2, Msg: fmt.Sprintf("category %q of %q repeats row %d", c, v, prev)})
			continue
		}
		seen[[2]string{v, c}] = row
		k, ok := index[v]
		if !ok {
			k = len(t.Variables)
			index[v] = k
			firstRow[v] = row
			t.Variables = append(t.Variables, TargetVariable{Name: v})
		}
		t.Variables[k].Categories = append(t.Variables[k].Categories, c)
		t.Variables[k].Shares = append(t.Variables[k].Shares, x)
	}
	if row == 0 {
		return Targets{}, &TargetsError{Msg: "file is empty"}
	}
	for k := range t.Variables {
		tv := &t.Variables[k]
		if len(tv.Categories) < 2 {
			errs = append(errs, &TargetsError{Row: firstRow[tv.Name], Msg: fmt.Sprintf("variable %q has one category; a margin needs at least two", tv.Name)})
		}
		sum := 0.0
		for _, x := range tv.Shares {
			sum += x
		}
		if math.IsInf(sum, 0) {
			errs = append(errs, &TargetsError{Row: firstRow[tv.Name], Msg: fmt.Sprintf("targets of %q are too large to add up", tv.Name)})
			continue
		}
		// Shares are divided by their sum (Analyse refuses shares that
		// do not sum to 1 unless asked to renormalise); counts are scaled
		// to shares the same way.
		tv.Sum = sum
		for _, x := range tv.Shares {
			tv.Counts = tv.Counts || x > 1
		}
		for i := range tv.Shares {
			tv.Shares[i] /= sum
		}
	}
	if len(errs) > 0 {
		return Targets{}, errors.Join(errs...)
	}
	if len(t.Variables) == 0 {
		return Targets{}, &TargetsError{Msg: "no targets after the header"}
	}
	return t, nil
}
