package consult

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"

	"github.com/budgetgrid/budgetgrid/grid"
)

// ParseDefinition reads a consultation definition (JSON). Its "grid" is
// either the grid inline (the canonical form) or the name of a grid sheet
// (CSV or XLSX) that readFile returns, relative to the definition. Keys
// given twice and data after the definition are refused. The result is
// validated.
func ParseDefinition(name string, data []byte, readFile func(name string) ([]byte, error)) (*Consultation, error) {
	var raw struct {
		Consultation
		Grid json.RawMessage `json:"grid"`
	}
	if len(data) > grid.MaxSheetBytes {
		return nil, Errorf(EINVALID, "%s: the definition is larger than %d MiB", name, grid.MaxSheetBytes>>20)
	}
	if err := grid.CheckStrictJSON(data); err != nil {
		return nil, Errorf(EINVALID, "%s: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, Errorf(EINVALID, "%s: %v", name, err)
	}
	// A status left out stays empty: a new consultation starts as a draft
	// and a replaced one keeps the status it has.
	c := raw.Consultation
	var sheet string
	switch {
	case len(raw.Grid) == 0 || string(raw.Grid) == "null":
		return nil, Errorf(EINVALID, "%s: grid is required: a grid sheet's file name or the grid itself", name)
	case json.Unmarshal(raw.Grid, &sheet) == nil:
		if readFile == nil {
			return nil, Errorf(EINVALID, "%s: grid %q names a file; give the grid inline", name, sheet)
		}
		body, err := readFile(sheet)
		if err != nil {
			return nil, Errorf(EINVALID, "%s: grid sheet %s: %v", name, sheet, err)
		}
		g, err := grid.ReadSheet(path.Base(sheet), body)
		if err != nil {
			return nil, Errorf(EINVALID, "%v", err)
		}
		c.Grid = g
	default:
		g, err := grid.ParseJSON(raw.Grid)
		if err != nil {
			return nil, Errorf(EINVALID, "%s: grid: %v", name, err)
		}
		c.Grid = g
	}
	if err := c.Validate(); err != nil {
		return nil, &Error{Code: EINVALID, Message: name + ": " + ErrorMessage(err), Fields: ErrorFields(err)}
	}
	return &c, nil
}

// MarshalCanonical writes the consultation as canonical JSON with its grid
// inline, the form ParseDefinition reads back without any other file.
func (c *Consultation) MarshalCanonical() ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal consultation: %w", err)
	}
	return append(b, '\n'), nil
}
