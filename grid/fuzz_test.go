package grid

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// addSeedFiles adds every file matching the patterns as a fuzz seed.
func addSeedFiles(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		paths, err := filepath.Glob(pattern)
		if err != nil || len(paths) == 0 {
			f.Fatalf("no seed files match %s", pattern)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	addSeedFiles(f, "testdata/*.csv", "testdata/sheets/*.csv")
	f.Add([]byte(strings.Join(sheetColumns, ",") + ",level_label_cy\na,A,,,1,L,,0,x,Ll\na,,,,2,M,,1,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ReadCSV("grid.csv", bytes.NewReader(data))
		if err != nil {
			var errs SheetErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty SheetErrors", err, err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("sheet read but does not validate: %v", err)
		}
		js, err := g.MarshalCanonical()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseJSON(js)
		if err != nil {
			t.Fatalf("canonical JSON does not parse: %v", err)
		}
		if !reflect.DeepEqual(g, back) {
			t.Fatal("sheet → JSON → grid differs")
		}
	})
}

func FuzzReadWide(f *testing.F) {
	addSeedFiles(f, "testdata/wide/*.csv")
	f.Add([]byte(tinyHeader + "r1,online,2026-11-23T12:00:00Z,,1,,1,1,,,1,1\n"))
	f.Add([]byte(tinyHeader + "\"r,1\",\"a\r\nb\",2026-11-23T12:00:00.5+01:00,\" x \",3,3;1,1,2,2,2,2,2\n"))
	g := tinyGrid()
	f.Fuzz(func(t *testing.T, data []byte) {
		layout, recs, err := ReadWide("responses.csv", bytes.NewReader(data), g)
		if err != nil {
			var errs SheetErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty SheetErrors", err, err)
			}
			return
		}
		for _, rec := range recs {
			if len(rec.Lots) != layout.Lots {
				t.Fatalf("%d lots, layout has %d", len(rec.Lots), layout.Lots)
			}
			for k, p := range rec.Lots {
				if err := g.CheckPackage(p); err != nil {
					t.Fatalf("lot %d: %v", k+1, err)
				}
			}
		}
		// What is read can be written, and writing what was read is stable.
		first := writeWide(t, g, layout, recs)
		layout2, recs2, err := ReadWide("again.csv", bytes.NewReader(first), g)
		if err != nil {
			t.Fatalf("export does not read back: %v\n%q", err, first)
		}
		if second := writeWide(t, g, layout2, recs2); !bytes.Equal(first, second) {
			t.Fatalf("export → import → export differs:\n%q\n%q", first, second)
		}
	})
}
