package grid

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// sheetBuilder turns the rows of a grid sheet into a Grid, collecting every
// problem on the way.
type sheetBuilder struct {
	file string
	cols []sheetColumn
	errs SheetErrors
	g    Grid
	seen map[string]int // service key → row of its first appearance
	cur  *serviceRows
}

// serviceRows is the state of the service whose rows are being read.
type serviceRows struct {
	svc        *Service // the last of b.g.Services, until the next service starts
	firstRow   int
	first      []string // the service's first row, trimmed
	asNowRow   int
	duplicate  bool // the service's key was used by earlier rows
	lastPoints int  // points of the last level read, -1 if unknown
}

// buildSheet reads the header and rows of a grid sheet. errs holds problems
// already found while splitting the file into rows. Rows that are wholly
// blank are skipped; lenient (XLSX) rows may be shorter than the header.
func buildSheet(file string, rows []sheetRow, errs SheetErrors, lenient bool) (*Grid, error) {
	b := &sheetBuilder{file: file, errs: errs, seen: map[string]int{}}
	for len(rows) > 0 && isBlank(rows[0].cells) {
		rows = rows[1:]
	}
	if len(rows) == 0 {
		if len(b.errs) == 0 {
			b.errs = append(b.errs, SheetError{File: file, Msg: "the file is empty; the first row must name the columns " + strings.Join(sheetColumns, ",")})
		}
		return nil, b.errs
	}
	cols, herrs, fatal := readSheetHeader(file, rows[0].num, rows[0].cells)
	b.errs = append(b.errs, herrs...)
	if fatal {
		return nil, b.errs
	}
	b.cols = cols
	for _, r := range rows[1:] {
		if isBlank(r.cells) {
			continue
		}
		cells := r.cells
		if len(cells) != len(cols) {
			if !lenient || len(cells) > len(cols) && !isBlank(cells[len(cols):]) {
				b.add(r.num, "", fmt.Sprintf("has %d cells, the header has %d", len(cells), len(cols)))
				continue
			}
			cells = append(cells, make([]string, max(0, len(cols)-len(cells)))...)[:len(cols)]
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		b.row(r.num, cells)
	}
	b.finishService()
	if len(b.g.Services) == 0 && len(b.errs) == 0 {
		b.add(0, "", "the sheet has a header but no services")
	}
	if len(b.errs) > 0 {
		sort.SliceStable(b.errs, func(i, j int) bool { return b.errs[i].Row < b.errs[j].Row })
		return nil, b.errs
	}
	return &b.g, nil
}

func (b *sheetBuilder) add(row int, col, msg string) {
	b.errs = append(b.errs, SheetError{File: b.file, Row: row, Column: col, Msg: msg})
}

// row reads one data row, its cells trimmed.
func (b *sheetBuilder) row(num int, c []string) {
	key := c[colService]
	if key == "" {
		b.add(num, "service", "required")
		return
	}
	if b.cur == nil || key != b.cur.svc.Key {
		b.startService(num, c)
	} else {
		b.repeatedServiceCells(num, c)
	}
	s := b.cur
	want := len(s.svc.Levels) + 1
	lv := Level{Number: want, Label: c[colLevelLabel], Description: c[colLevelDescription]}
	if n, err := strconv.Atoi(c[colLevel]); err != nil {
		b.add(num, "level", fmt.Sprintf("must be a whole number, got %q", c[colLevel]))
	} else if n != want && !s.duplicate {
		b.add(num, "level", fmt.Sprintf("expected %d (levels count 1, 2, 3… within a service), got %d", want, n))
	}
	if lv.Label == "" {
		b.add(num, "level_label", "required")
	}
	if p, ok := parseWhole(c[colPoints]); !ok {
		b.add(num, "points", fmt.Sprintf("must be a whole number ≥ 0, got %q", c[colPoints]))
		s.lastPoints = -1
	} else {
		if s.lastPoints >= 0 && p < s.lastPoints {
			b.add(num, "points", fmt.Sprintf("%d is less than %d at level %d; points must not decrease within a service", p, s.lastPoints, want-1))
		}
		lv.Points, s.lastPoints = p, p
	}
	switch strings.ToLower(c[colAsNow]) {
	case "":
	case "x":
		lv.AsNow = true
		if s.asNowRow != 0 {
			b.add(num, "as_now", fmt.Sprintf("service %s already has its as-now level at row %d; mark exactly one level x", key, s.asNowRow))
		} else {
			s.asNowRow = num
		}
	default:
		b.add(num, "as_now", fmt.Sprintf("must be x or empty, got %q", c[colAsNow]))
	}
	for i, col := range b.cols {
		if col.unnamed && c[i] != "" {
			b.add(num, "", fmt.Sprintf("column %d has a value, %q, but no name in the header", i+1, c[i]))
		}
		if col.lang == "" || c[i] == "" {
			continue
		}
		switch col.base {
		case colLevelLabel, colLevelDescription:
			if lv.Translations == nil {
				lv.Translations = map[string]LevelText{}
			}
			t := lv.Translations[col.lang]
			if col.base == colLevelLabel {
				t.Label = c[i]
			} else {
				t.Description = c[i]
			}
			lv.Translations[col.lang] = t
		}
	}
	s.svc.Levels = append(s.svc.Levels, lv)
}

// startService begins a new service at the row num.
func (b *sheetBuilder) startService(num int, c []string) {
	b.finishService()
	key := c[colService]
	first, dup := b.seen[key]
	if dup {
		b.add(num, "service", fmt.Sprintf("%s appears again (first at row %d); a service's rows must be together", key, first))
	} else {
		b.seen[key] = num
		if !validKey(key) {
			b.add(num, "service", fmt.Sprintf("must be lowercase letters, digits and _ (like school_transport), got %q", key))
		}
	}
	if c[colServiceName] == "" && !dup {
		b.add(num, "service_name", "required on the first row of a service")
	}
	b.g.Services = append(b.g.Services, Service{
		Key: key, Name: c[colServiceName], Group: c[colGroup], Description: c[colServiceDescription],
	})
	svc := &b.g.Services[len(b.g.Services)-1]
	for i, col := range b.cols {
		if col.lang == "" || c[i] == "" {
			continue
		}
		switch col.base {
		case colServiceName, colGroup, colServiceDescription:
			if svc.Translations == nil {
				svc.Translations = map[string]ServiceText{}
			}
			t := svc.Translations[col.lang]
			switch col.base {
			case colServiceName:
				t.Name = c[i]
			case colGroup:
				t.Group = c[i]
			default:
				t.Description = c[i]
			}
			svc.Translations[col.lang] = t
		}
	}
	b.cur = &serviceRows{svc: svc, firstRow: num, first: c, duplicate: dup}
}

// repeatedServiceCells checks that a service's texts on a later row are
// blank or the same as on its first row.
func (b *sheetBuilder) repeatedServiceCells(num int, c []string) {
	for i, col := range b.cols {
		switch col.base {
		case colServiceName, colGroup, colServiceDescription:
			if c[i] != "" && c[i] != b.cur.first[i] {
				name := sheetColumns[col.base]
				if col.lang != "" {
					name += "_" + col.lang
				}
				b.add(num, name, fmt.Sprintf("differs from the service's first row (row %d); leave it blank or repeat it exactly", b.cur.firstRow))
			}
		}
	}
}

// finishService checks the rules on a whole service once its rows are read.
func (b *sheetBuilder) finishService() {
	s := b.cur
	if s == nil {
		return
	}
	b.cur = nil
	if s.duplicate {
		return // the rows before say what this service lacks
	}
	if n := len(s.svc.Levels); n < 2 {
		b.add(s.firstRow, "", fmt.Sprintf("service %s has only %d level; a service needs at least 2", s.svc.Key, n))
	}
	if s.asNowRow == 0 {
		b.add(s.firstRow, "as_now", fmt.Sprintf("service %s has no as-now level; mark one level x", s.svc.Key))
	}
}

// parseWhole parses a non-negative whole number written in digits.
func parseWhole(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
