package grid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MarshalCanonical returns the canonical JSON form of the grid: indented by
// two spaces, fields in declaration order, translation languages sorted,
// HTML characters unescaped, ending in a newline. Equal grids give equal
// bytes.
func (g *Grid) MarshalCanonical() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return nil, fmt.Errorf("encoding grid: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseJSON reads a grid from JSON, rejecting unknown fields, keys given
// twice and trailing data, and validates it (see Validate).
func ParseJSON(data []byte) (*Grid, error) {
	if err := CheckStrictJSON(data); err != nil {
		return nil, fmt.Errorf("reading grid JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var g Grid
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("reading grid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("reading grid JSON: unexpected data after the grid")
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}
