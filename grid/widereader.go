package grid

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WideReader reads a wide responses CSV one response at a time, checking
// each row against the grid. It does not check budgets or about-you option
// keys; callers do that with CheckLots and their question definitions.
type WideReader struct {
	file   string
	cr     *csv.Reader
	g      *Grid
	layout WideLayout
	header []string
	ids    map[string]int // response_id → row of its first use
	texts  map[string]string
	ints   []int // spare level numbers, handed out a row at a time
	rows   int   // rows read after the header
}

// text returns a copy of s that does not hold on to the CSV reader's row,
// sharing one copy between the rows while the distinct texts are few (as
// channels and about-you options are).
func (wr *WideReader) text(s string) string {
	if t, ok := wr.texts[s]; ok {
		return t
	}
	t := strings.Clone(s)
	if len(wr.texts) < 10_000 {
		wr.texts[t] = t
	}
	return t
}

// levels returns n zeroed ints, carved from a larger block to spare the
// allocator.
func (wr *WideReader) levels(n int) []int {
	if len(wr.ints) < n {
		wr.ints = make([]int, max(n, 1<<14))
	}
	l := wr.ints[:n:n]
	wr.ints = wr.ints[n:]
	return l
}

// ReadWide reads a whole wide responses CSV written for grid g. It derives
// the layout from the header and reports every problem in the file at once,
// as SheetErrors (Column is the CSV column), returning no records then.
func ReadWide(name string, r io.Reader, g *Grid) (layout WideLayout, recs []Record, err error) {
	wr, err := NewWideReader(name, r, g)
	if err != nil {
		return WideLayout{}, nil, err
	}
	var errs SheetErrors
	for {
		rec, err := wr.Read()
		if err == io.EOF {
			break
		}
		var rowErrs SheetErrors
		if errors.As(err, &rowErrs) {
			errs = append(errs, rowErrs...)
			continue
		}
		if err != nil {
			return wr.Layout(), nil, err
		}
		if len(errs) == 0 {
			recs = append(recs, rec)
		}
	}
	if len(errs) > 0 {
		return wr.Layout(), nil, errs
	}
	return wr.Layout(), recs, nil
}

// NewWideReader reads and checks the header of a wide responses CSV for
// grid g: the fixed columns, then the about-you questions (every column up
// to the first current.*), then current.S, unacceptable.S and lot1.S …
// lotK.S for each service S in grid order, with the same K for all.
func NewWideReader(name string, r io.Reader, g *Grid) (*WideReader, error) {
	br := bufio.NewReader(NewLineLimitReader(r, MaxLineBytes))
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	wr := &WideReader{file: name, cr: cr, g: g, ids: map[string]int{}, texts: map[string]string{}}
	fail := func(col, format string, args ...any) (*WideReader, error) {
		return nil, SheetErrors{{File: name, Row: 1, Column: col, Msg: fmt.Sprintf(format, args...)}}
	}
	h, err := cr.Read()
	if err == io.EOF {
		return nil, SheetErrors{{File: name, Msg: "the file is empty; the first row must name the columns"}}
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fail("", "not valid CSV: %v", pe.Err)
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(h) > MaxWideColumns {
		return fail("", "the header has %d columns, more than the %d this file may have", len(h), MaxWideColumns)
	}
	wr.header = make([]string, len(h))
	for i, c := range h {
		wr.header[i] = strings.TrimSpace(c)
		if strings.IndexByte(c, 0) >= 0 || !utf8.ValidString(c) {
			return fail("", "this is not a CSV text file (it holds binary data or is not UTF-8)")
		}
	}
	h = wr.header
	fixed := []string{wideResponseID, wideChannel, wideCompletedAt}
	if len(h) < 3 || h[0] != fixed[0] || h[1] != fixed[1] || h[2] != fixed[2] {
		return fail("", "the first columns must be %s, got %s", strings.Join(fixed, ","), strings.Join(h[:min(3, len(h))], ","))
	}
	i := 3
	seen := map[string]bool{}
	for ; i < len(h) && !strings.HasPrefix(h[i], "current."); i++ {
		if msg := CheckQuestionKey(h[i]); msg != "" {
			return fail(h[i], "column %d: %s", i+1, msg)
		}
		if seen[h[i]] {
			return fail(h[i], "column %d: the column appears twice", i+1)
		}
		seen[h[i]] = true
		wr.layout.Questions = append(wr.layout.Questions, h[i])
	}
	if len(g.Services) > 0 {
		for k := 1; i+1+k < len(h) && h[i+1+k] == "lot"+strconv.Itoa(k)+"."+g.Services[0].Key; k++ {
			wr.layout.Lots = k
		}
	}
	want := WideHeader(g, wr.layout)
	rule := "each service needs current.S and unacceptable.S, in grid order"
	if wr.layout.Lots > 0 {
		rule = fmt.Sprintf("each service needs current.S, unacceptable.S and lot1.S … lot%d.S, in grid order", wr.layout.Lots)
	}
	for c := i; c < max(len(h), len(want)); c++ {
		switch {
		case c >= len(h):
			return fail("", "the header ends at column %d; expected %q next (%s)", len(h), want[c], rule)
		case c >= len(want):
			return fail(h[c], "column %d is not expected after the columns of the last service", c+1)
		case h[c] != want[c]:
			return fail(h[c], "column %d should be %q (%s)", c+1, want[c], rule)
		}
	}
	return wr, nil
}

// Layout is the about-you questions and the number of lots read from the
// header.
func (wr *WideReader) Layout() WideLayout { return wr.layout }

// Line is the line in the file where the row last read starts, for
// callers that check records further and report errors by row.
func (wr *WideReader) Line() int {
	line, _ := wr.cr.FieldPos(0)
	return line
}

// Read returns the next response, or io.EOF after the last. A row with
// problems gives SheetErrors listing them all; reading may go on after it.
func (wr *WideReader) Read() (Record, error) {
	rec, err := wr.cr.Read()
	if err == io.EOF {
		return Record{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Record{}, SheetErrors{{File: wr.file, Row: pe.Line, Msg: "not valid CSV: " + pe.Err.Error()}}
		}
		return Record{}, fmt.Errorf("reading %s: %w", wr.file, err)
	}
	line, _ := wr.cr.FieldPos(0)
	if wr.rows++; wr.rows > MaxWideRows {
		return Record{}, fmt.Errorf("%s has more than %d rows, the most one file may hold; split it: %w", wr.file, MaxWideRows, ErrTooLarge)
	}
	if len(rec) != len(wr.header) {
		return Record{}, SheetErrors{{File: wr.file, Row: line, Msg: fmt.Sprintf("has %d cells, the header has %d", len(rec), len(wr.header))}}
	}
	var errs SheetErrors
	bad := func(c int, format string, args ...any) {
		errs = append(errs, SheetError{File: wr.file, Row: line, Column: wr.header[c], Msg: fmt.Sprintf(format, args...)})
	}
	var out Record
	switch id := strings.TrimSpace(rec[0]); {
	case id == "":
		bad(0, "required")
	case wr.ids[id] != 0:
		bad(0, "%q is already used on row %d", id, wr.ids[id])
	default:
		out.ResponseID = strings.Clone(id)
		wr.ids[out.ResponseID] = line
	}
	out.Channel = wr.text(strings.TrimSpace(rec[1]))
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(rec[2])); err != nil || t.UTC().Year() < 0 || t.UTC().Year() > 9999 {
		bad(2, "must be a date and time like 2026-11-23T12:00:00Z, got %q", rec[2])
	} else {
		out.CompletedAt = t.UTC()
	}
	c := 3
	for _, q := range wr.layout.Questions {
		if v := strings.TrimSpace(rec[c]); v != "" {
			if out.About == nil {
				out.About = make(map[string]string, len(wr.layout.Questions))
			}
			out.About[q] = wr.text(v)
		}
		c++
	}
	n, lots := len(wr.g.Services), wr.layout.Lots
	levels := wr.levels(n * (1 + lots))
	current := levels[:n:n]
	if lots > 0 {
		out.Lots = make([]Package, lots)
		for k := range out.Lots {
			out.Lots[k] = Package(levels[n*(k+1) : n*(k+2) : n*(k+2)])
		}
	}
	anyCurrent := false
	for i := range wr.g.Services {
		top := len(wr.g.Services[i].Levels)
		if v := strings.TrimSpace(rec[c]); v != "" {
			anyCurrent = true
			if current[i] = parseLevel(v, top); current[i] == 0 {
				bad(c, "must be empty or a level from 1 to %d, got %q", top, v)
			}
		}
		if v := strings.TrimSpace(rec[c+1]); v != "" {
			if out.Unacceptable == nil {
				out.Unacceptable = make([][]int, n)
			}
			var msg string
			out.Unacceptable[i], msg = parseLevelList(v, top)
			if msg != "" {
				bad(c+1, "%s", msg)
			}
		}
		c += 2
		for k := range lots {
			v := strings.TrimSpace(rec[c])
			if out.Lots[k][i] = parseLevel(v, top); out.Lots[k][i] == 0 {
				if v == "" {
					bad(c, "required: the level chosen at lot %d", k+1)
				} else {
					bad(c, "must be a level from 1 to %d, got %q", top, v)
				}
			}
			c++
		}
	}
	if anyCurrent {
		out.Current = current
	}
	if len(errs) > 0 {
		return Record{}, errs
	}
	return out, nil
}

// parseLevel parses a level number from 1 to top, or returns 0.
func parseLevel(s string, top int) int {
	if n, ok := parseWhole(s); ok && n >= 1 && n <= top {
		return n
	}
	return 0
}

// parseLevelList parses levels joined by ";" into ascending order, or
// explains what is wrong.
func parseLevelList(s string, top int) ([]int, string) {
	var out []int
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		n := parseLevel(part, top)
		if n == 0 {
			return nil, fmt.Sprintf("must be levels from 1 to %d joined by ;, got %q", top, s)
		}
		at := len(out)
		for at > 0 && out[at-1] >= n {
			at--
		}
		if at < len(out) && out[at] == n {
			return nil, fmt.Sprintf("level %d is listed twice in %q", n, s)
		}
		out = append(out, 0)
		copy(out[at+1:], out[at:])
		out[at] = n
	}
	return out, ""
}
