package grid

import (
	"strconv"
	"strings"
)

// SheetError is one problem found in a file (a grid sheet or a wide
// responses CSV) or in a grid built from JSON. File and Row are empty/zero
// when the problem has no place in a file; Column names the column, or for
// a grid built from JSON the service or level ("roads level 3").
type SheetError struct {
	File   string
	Row    int // 1-based line or row in the file; the header is row 1
	Column string
	Msg    string
}

// Error formats the problem as `grid.csv:14: points: must be …`, leaving
// out the parts that are empty.
func (e SheetError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Row > 0 {
		if e.File != "" {
			b.WriteByte(':')
		} else {
			b.WriteString("row ")
		}
		b.WriteString(strconv.Itoa(e.Row))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Column != "" {
		b.WriteString(e.Column)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// SheetErrors is every problem found in one file, in file order. It is
// returned as a whole so that a person can fix them all at once.
type SheetErrors []SheetError

// Error lists the problems, one per line.
func (es SheetErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// err returns es as an error, or nil when there are none.
func (es SheetErrors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
