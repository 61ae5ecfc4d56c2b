package grid

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Fixed columns of the wide responses CSV, before the about-you questions.
const (
	wideResponseID  = "response_id"
	wideChannel     = "channel"
	wideCompletedAt = "completed_at"
)

// WideTimeFormat is how completed_at is written: RFC 3339, UTC, whole
// seconds (2026-11-23T12:00:00Z).
const WideTimeFormat = "2006-01-02T15:04:05Z"

// WideHeader returns the columns of the wide responses CSV for grid g and
// the layout (DESIGN.md, Contracts).
func WideHeader(g *Grid, layout WideLayout) []string {
	h := make([]string, 0, 3+len(layout.Questions)+len(g.Services)*(2+layout.Lots))
	h = append(h, wideResponseID, wideChannel, wideCompletedAt)
	h = append(h, layout.Questions...)
	for _, s := range g.Services {
		h = append(h, "current."+s.Key, "unacceptable."+s.Key)
		for k := 1; k <= layout.Lots; k++ {
			h = append(h, "lot"+strconv.Itoa(k)+"."+s.Key)
		}
	}
	return h
}

// CheckQuestionKey explains why key cannot name an about-you column of
// the wide CSV (a fixed column's name, a dot, a line break), or is "".
func CheckQuestionKey(key string) string {
	switch {
	case key == "":
		return "an about-you question key is empty"
	case key == wideResponseID || key == wideChannel || key == wideCompletedAt:
		return fmt.Sprintf("about-you question key %q is the name of a fixed column", key)
	case strings.ContainsAny(key, ".\r\n") || strings.TrimSpace(key) != key:
		return fmt.Sprintf("about-you question key %q must not contain a dot, a line break or surrounding spaces", key)
	}
	return ""
}

// WideWriter writes responses as the wide CSV, one row at a time.
type WideWriter struct {
	cw     *csv.Writer
	g      *Grid
	layout WideLayout
	ids    map[string]bool
	row    []string
}

// NewWideWriter checks the layout and writes the header of a wide
// responses CSV for grid g to w.
func NewWideWriter(w io.Writer, g *Grid, layout WideLayout) (*WideWriter, error) {
	if layout.Lots < 0 {
		return nil, fmt.Errorf("wide CSV: %d lots", layout.Lots)
	}
	seen := map[string]bool{}
	for _, q := range layout.Questions {
		if msg := CheckQuestionKey(q); msg != "" {
			return nil, fmt.Errorf("wide CSV: %s", msg)
		}
		if seen[q] {
			return nil, fmt.Errorf("wide CSV: about-you question key %q appears twice", q)
		}
		seen[q] = true
	}
	ww := &WideWriter{cw: csv.NewWriter(w), g: g, layout: layout, ids: map[string]bool{}}
	header := WideHeader(g, layout)
	if err := ww.cw.Write(header); err != nil {
		return nil, fmt.Errorf("writing wide CSV header: %w", err)
	}
	ww.row = make([]string, len(header))
	return ww, nil
}

// Write writes one response. It refuses a record that the wide CSV reader
// would not read back: no response_id or one already written, a time
// outside years 0–9999, levels that do not exist, or the wrong number of
// services or lots. Text is written with surrounding spaces trimmed and
// CRLF line breaks as LF, as the reader returns it; About answers to
// questions not in the layout are left out.
func (ww *WideWriter) Write(rec Record) error {
	g, n := ww.g, len(ww.g.Services)
	id := cleanText(rec.ResponseID)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("response %q: %s", id, fmt.Sprintf(format, args...))
	}
	switch {
	case id == "":
		return fail("no response_id")
	case ww.ids[id]:
		return fail("response_id already written")
	case rec.Current != nil && len(rec.Current) != n:
		return fail("%d current levels, grid has %d services", len(rec.Current), n)
	case rec.Unacceptable != nil && len(rec.Unacceptable) != n:
		return fail("%d unacceptable lists, grid has %d services", len(rec.Unacceptable), n)
	case len(rec.Lots) != ww.layout.Lots:
		return fail("%d lots, the layout has %d", len(rec.Lots), ww.layout.Lots)
	}
	t := rec.CompletedAt.UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return fail("completed_at %v cannot be written as RFC 3339", t)
	}
	row := ww.row
	row[0], row[1], row[2] = id, cleanText(rec.Channel), t.Format(WideTimeFormat)
	c := 3
	for _, q := range ww.layout.Questions {
		row[c] = cleanText(rec.About[q])
		c++
	}
	var sb strings.Builder
	for i := range g.Services {
		s := &g.Services[i]
		levels := len(s.Levels)
		row[c] = ""
		if rec.Current != nil && rec.Current[i] != 0 {
			if v := rec.Current[i]; v < 1 || v > levels {
				return fail("%s: current level %d does not exist", s.Key, v)
			}
			row[c] = strconv.Itoa(rec.Current[i])
		}
		sb.Reset()
		if rec.Unacceptable != nil {
			prev := 0
			for _, v := range rec.Unacceptable[i] {
				if v <= prev || v > levels {
					return fail("%s: unacceptable levels %v must exist and be ascending without repeats", s.Key, rec.Unacceptable[i])
				}
				if prev > 0 {
					sb.WriteByte(';')
				}
				sb.WriteString(strconv.Itoa(v))
				prev = v
			}
		}
		row[c+1] = sb.String()
		c += 2
		for k, p := range rec.Lots {
			if len(p) != n {
				return fail("lot %d has %d levels, grid has %d services", k+1, len(p), n)
			}
			if p[i] < 1 || p[i] > levels {
				return fail("lot %d: %s: level %d does not exist", k+1, s.Key, p[i])
			}
			row[c] = strconv.Itoa(p[i])
			c++
		}
	}
	if err := ww.cw.Write(row); err != nil {
		return fmt.Errorf("writing wide CSV: %w", err)
	}
	ww.ids[id] = true
	return nil
}

// cleanText trims surrounding spaces and writes line breaks as \n, as the
// reader will see them.
func cleanText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// Flush writes any buffered rows to the underlying writer.
func (ww *WideWriter) Flush() error {
	ww.cw.Flush()
	if err := ww.cw.Error(); err != nil {
		return fmt.Errorf("writing wide CSV: %w", err)
	}
	return nil
}
