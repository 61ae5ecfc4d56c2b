package grid

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zeros is an endless stream of NUL bytes, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.csv")
	if err := os.WriteFile(small, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFileLimit(small, 3); err != nil || string(b) != "abc" {
		t.Fatalf("ReadFileLimit at the limit = %q, %v", b, err)
	}
	if _, err := ReadFileLimit(small, 2); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFileLimit over the limit = %v, want ErrTooLarge", err)
	}
	if _, err := ReadFileLimit(dir, 1<<20); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("ReadFileLimit of a folder = %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := ReadFileLimit("/dev/zero", 1<<20); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("ReadFileLimit(/dev/zero) = %v", err)
		}
	}
	if _, err := ReadAllLimit("stream", zeros{}, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadAllLimit of an endless stream = %v, want ErrTooLarge", err)
	}
}

func TestReadCSVEndlessStream(t *testing.T) {
	_, err := ReadCSV("zero.csv", zeros{})
	var errs SheetErrors
	if !errors.As(err, &errs) || !strings.Contains(errs.Error(), "larger than 16 MiB") {
		t.Fatalf("ReadCSV of an endless stream = %v", err)
	}
}

func TestSheetTooManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Join(sheetColumns, ",") + "\n")
	for i := 0; i <= MaxSheetRows; i++ {
		b.WriteString("roads,Roads,,,1,Level,,0,x\n")
	}
	_, err := ReadSheet("big.csv", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "more than 20000 rows") {
		t.Fatalf("ReadSheet of %d rows = %.200v", MaxSheetRows+1, err)
	}
}

func TestWideReaderEndlessLine(t *testing.T) {
	g := readFenshire(t)
	_, err := NewWideReader("zero.csv", zeros{}, g)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("NewWideReader on an endless line = %v, want ErrTooLarge", err)
	}
	// A valid header, then an endless row.
	header := strings.Join(WideHeader(g, WideLayout{Lots: 1}), ",") + "\n"
	wr, err := NewWideReader("zero.csv", io.MultiReader(strings.NewReader(header), zeros{}), g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wr.Read(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read of an endless row = %v, want ErrTooLarge", err)
	}
}

func TestLineLimitReaderPassesShortLines(t *testing.T) {
	in := strings.Repeat(strings.Repeat("x", 99)+"\n", 1000)
	out, err := io.ReadAll(NewLineLimitReader(strings.NewReader(in), 100))
	if err != nil || string(out) != in {
		t.Fatalf("short lines: err %v, %d of %d bytes", err, len(out), len(in))
	}
	_, err = io.ReadAll(NewLineLimitReader(strings.NewReader("ok\n"+strings.Repeat("x", 101)+"\n"), 100))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("long second line: %v", err)
	}
}

func TestCheckStrictJSON(t *testing.T) {
	tests := []struct {
		in, want string // want "" means valid
	}{
		{`{"a": 1, "b": [1, {"c": 2}]}`, ""},
		{` {"a": 1} ` + "\n", ""},
		{`{"a": 1, "a": 2}`, `key "a" appears twice in the top level`},
		{`{"a": {"b": [{"c": 1, "c": 1}]}}`, `key "c" appears twice in a.b[0]`},
		{`{"a": 1} {"a": 2}`, "unexpected data after the JSON value"},
		{`{"a": 1} x`, "unexpected data after the JSON value"},
		{`{"a": `, "ends early"},
		{``, "ends early"},
	}
	for _, tt := range tests {
		err := CheckStrictJSON([]byte(tt.in))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckStrictJSON(%q) = %v, want nil", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckStrictJSON(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}
