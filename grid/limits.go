package grid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Limits on every file the product reads, so that no input can exhaust the
// server's memory or time. Each is far above what a real consultation
// needs: Fenshire's grid sheet is 10 KB and 62 rows.
const (
	// MaxSheetBytes caps a grid sheet (CSV or XLSX) and a consultation
	// definition.
	MaxSheetBytes = 16 << 20
	// MaxSheetRows caps the rows of a grid sheet.
	MaxSheetRows = 20000
	// MaxLineBytes caps one line (one record) of a CSV file: a grid sheet
	// row, a wide responses row or a targets row.
	MaxLineBytes = 1 << 20
	// MaxWideColumns caps the columns of a wide responses CSV.
	MaxWideColumns = 20000
	// MaxWideRows caps the rows of one wide responses CSV.
	MaxWideRows = 10_000_000
)

// ErrTooLarge is wrapped by the errors of the readers below when an input
// passes a limit.
var ErrTooLarge = errors.New("too large")

// ReadAllLimit reads r to its end, or fails with an error wrapping
// ErrTooLarge once it has read more than limit bytes. name is the file's
// name for the message.
func ReadAllLimit(name string, r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %s, the most this file may hold: %w", name, formatBytes(limit), ErrTooLarge)
	}
	return data, nil
}

// ReadFileLimit reads a whole file of at most limit bytes. It refuses
// anything but a regular file (a device such as /dev/zero, a folder), and
// reads at most limit+1 bytes whatever the file claims.
func ReadFileLimit(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return ReadAllLimit(path, f, limit)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// LineLimitReader passes r through, failing with an error wrapping
// ErrTooLarge as soon as one line (ended by '\n') is longer than max
// bytes, so that a CSV reader never buffers an endless line. Line counts
// lines ended so far.
type LineLimitReader struct {
	r    io.Reader
	max  int
	cur  int // bytes in the current line
	line int
}

// NewLineLimitReader returns a LineLimitReader over r.
func NewLineLimitReader(r io.Reader, max int) *LineLimitReader {
	return &LineLimitReader{r: r, max: max}
}

// Read implements io.Reader.
func (l *LineLimitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			l.cur += n - i
			break
		}
		l.cur += j
		if l.cur > l.max {
			break
		}
		l.cur = 0
		l.line++
		i += j + 1
	}
	if l.cur > l.max {
		return 0, fmt.Errorf("line %d is longer than %s: %w", l.line+1, formatBytes(int64(l.max)), ErrTooLarge)
	}
	return n, err
}

// CheckStrictJSON checks that data is exactly one JSON value with no
// object holding the same key twice (which encoding/json would silently
// resolve to the last), and nothing after it but white space.
func CheckStrictJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := checkJSONValue(dec, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the JSON value at byte %d", dec.InputOffset())
	}
	return nil
}

// checkJSONValue reads one value from dec, refusing duplicate keys; path
// names where it is, for the message.
func checkJSONValue(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return errors.New("the JSON ends early")
		}
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			if seen[k] {
				where := "the top level"
				if path != "" {
					where = path
				}
				return fmt.Errorf("key %q appears twice in %s", k, where)
			}
			seen[k] = true
			if err := checkJSONValue(dec, joinJSONPath(path, k)); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := checkJSONValue(dec, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

func joinJSONPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
