package grid

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

var fenshireLayout = WideLayout{Questions: []string{"age", "tenure", "area"}, Lots: 3}

// syntheticRecords makes n valid responses to grid g, as ReadWide returns
// them: nil Current and Unacceptable when all empty, About only answered.
func syntheticRecords(g *Grid, layout WideLayout, n int) []Record {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	recs := make([]Record, n)
	for r := range recs {
		rec := Record{
			ResponseID:  fmt.Sprintf("r%06d", r+1),
			Channel:     []string{"online", "paper", "face-to-face"}[rng.IntN(3)],
			CompletedAt: start.Add(time.Duration(rng.IntN(30*24*3600)) * time.Second),
		}
		for _, q := range layout.Questions {
			if rng.IntN(4) > 0 {
				if rec.About == nil {
					rec.About = map[string]string{}
				}
				rec.About[q] = fmt.Sprintf("%s_%d", q, rng.IntN(5))
			}
		}
		ns := len(g.Services)
		if rng.IntN(3) > 0 {
			rec.Current = make([]int, ns)
			for i, s := range g.Services {
				rec.Current[i] = rng.IntN(len(s.Levels) + 1)
			}
		}
		if rng.IntN(2) == 0 {
			rec.Unacceptable = make([][]int, ns)
			for i, s := range g.Services {
				for l := 1; l <= len(s.Levels); l++ {
					if rng.IntN(5) == 0 {
						rec.Unacceptable[i] = append(rec.Unacceptable[i], l)
					}
				}
			}
		}
		for range layout.Lots {
			p := make(Package, ns)
			for i, s := range g.Services {
				p[i] = 1 + rng.IntN(len(s.Levels))
			}
			rec.Lots = append(rec.Lots, p)
		}
		recs[r] = normalizeRecord(rec)
	}
	return recs
}

// normalizeRecord sets Current and Unacceptable to nil when they hold nothing.
func normalizeRecord(rec Record) Record {
	if rec.Current != nil && !reflect.DeepEqual(rec.Current, make([]int, len(rec.Current))) {
		return normalizeUnacceptable(rec)
	}
	rec.Current = nil
	return normalizeUnacceptable(rec)
}

func normalizeUnacceptable(rec Record) Record {
	for _, u := range rec.Unacceptable {
		if len(u) > 0 {
			return rec
		}
	}
	rec.Unacceptable = nil
	return rec
}

// writeWide writes recs as a wide CSV.
func writeWide(t testing.TB, g *Grid, layout WideLayout, recs []Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	ww, err := NewWideWriter(&buf, g, layout)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := ww.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := ww.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWideRoundTrip(t *testing.T) {
	g := readFenshire(t)
	tests := []struct {
		name   string
		layout WideLayout
		n      int
	}{
		{"fenshire three lots", fenshireLayout, 500},
		{"no questions one lot", WideLayout{Lots: 1}, 50},
		{"no lots", WideLayout{Questions: []string{"age"}}, 50},
		{"header only", fenshireLayout, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := syntheticRecords(g, tt.layout, tt.n)
			first := writeWide(t, g, tt.layout, recs)
			layout, got, err := ReadWide("responses.csv", bytes.NewReader(first), g)
			if err != nil {
				t.Fatalf("ReadWide: %v", err)
			}
			if !reflect.DeepEqual(layout, tt.layout) && !(len(layout.Questions) == 0 && len(tt.layout.Questions) == 0 && layout.Lots == tt.layout.Lots) {
				t.Errorf("layout = %+v, want %+v", layout, tt.layout)
			}
			if len(got) != len(recs) {
				t.Fatalf("read %d records, wrote %d", len(got), len(recs))
			}
			for i := range recs {
				if !reflect.DeepEqual(got[i], recs[i]) {
					t.Fatalf("record %d:\n got %+v\nwant %+v", i, got[i], recs[i])
				}
			}
			if second := writeWide(t, g, layout, got); !bytes.Equal(first, second) {
				t.Errorf("export → import → export is not byte-identical")
			}
		})
	}
}

// tinyGrid has service a with 3 levels and b with 2.
func tinyGrid() *Grid {
	lv := func(n int) []Level {
		ls := make([]Level, n)
		for i := range ls {
			ls[i] = Level{Number: i + 1, Label: fmt.Sprint(i + 1), Points: i, AsNow: i == 0}
		}
		return ls
	}
	return &Grid{Services: []Service{{Key: "a", Name: "A", Levels: lv(3)}, {Key: "b", Name: "B", Levels: lv(2)}}}
}

const tinyHeader = "response_id,channel,completed_at,age,current.a,unacceptable.a,lot1.a,lot2.a,current.b,unacceptable.b,lot1.b,lot2.b\n"

func TestWideHeader(t *testing.T) {
	got := strings.Join(WideHeader(tinyGrid(), WideLayout{Questions: []string{"age"}, Lots: 2}), ",") + "\n"
	if got != tinyHeader {
		t.Errorf("header = %q, want %q", got, tinyHeader)
	}
}

func TestWideWriterFormats(t *testing.T) {
	g := tinyGrid()
	rec := Record{
		ResponseID: " p-1 ", Channel: "paper", CompletedAt: time.Date(2026, 11, 23, 13, 0, 0, 5e8, time.FixedZone("CET", 3600)),
		About:        map[string]string{"age": "over_65,"},
		Current:      []int{0, 2},
		Unacceptable: [][]int{{1, 3}, nil},
		Lots:         []Package{{1, 1}, {3, 2}},
	}
	got := string(writeWide(t, g, WideLayout{Questions: []string{"age"}, Lots: 2}, []Record{rec}))
	want := tinyHeader + `p-1,paper,2026-11-23T12:00:00Z,"over_65,",,1;3,1,3,2,,1,2` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWideWriterRefuses(t *testing.T) {
	g := tinyGrid()
	layout := WideLayout{Questions: []string{"age"}, Lots: 2}
	ok := Record{ResponseID: "r1", Lots: []Package{{1, 1}, {1, 1}}}
	tests := []struct {
		name string
		edit func(*Record)
		want string
	}{
		{"no id", func(r *Record) { r.ResponseID = " " }, "no response_id"},
		{"repeated id", func(r *Record) {}, "already written"},
		{"too few lots", func(r *Record) { r.ResponseID = "r2"; r.Lots = r.Lots[:1] }, "1 lots, the layout has 2"},
		{"short lot", func(r *Record) { r.ResponseID = "r2"; r.Lots = []Package{{1}, {1, 1}} }, "lot 1 has 1 levels"},
		{"level too high", func(r *Record) { r.ResponseID = "r2"; r.Lots = []Package{{1, 3}, {1, 1}} }, "lot 1: b: level 3 does not exist"},
		{"current out of range", func(r *Record) { r.ResponseID = "r2"; r.Current = []int{4, 0} }, "a: current level 4"},
		{"current wrong length", func(r *Record) { r.ResponseID = "r2"; r.Current = []int{1} }, "1 current levels"},
		{"unacceptable not ascending", func(r *Record) { r.ResponseID = "r2"; r.Unacceptable = [][]int{{2, 1}, nil} }, "ascending"},
		{"unacceptable repeated", func(r *Record) { r.ResponseID = "r2"; r.Unacceptable = [][]int{{2, 2}, nil} }, "ascending"},
		{"year out of range", func(r *Record) { r.ResponseID = "r2"; r.CompletedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "cannot be written"},
	}
	var buf bytes.Buffer
	ww, err := NewWideWriter(&buf, g, layout)
	if err != nil {
		t.Fatal(err)
	}
	if err := ww.Write(ok); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := ok
			tt.edit(&rec)
			err := ww.Write(rec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	for _, q := range [][]string{{""}, {"channel"}, {"a.b"}, {"age", "age"}, {" age"}} {
		if _, err := NewWideWriter(&buf, g, WideLayout{Questions: q}); err == nil {
			t.Errorf("NewWideWriter accepted questions %q", q)
		}
	}
}

func TestReadWideAccepts(t *testing.T) {
	g := tinyGrid()
	tests := []struct {
		name, data string
		want       Record
	}{
		{"bom crlf and spaces", "\ufeff" + strings.ReplaceAll(tinyHeader, "\n", "\r\n") + " r1 , online ,2026-11-23T13:00:00+01:00, 18_24 , 2 , 3;1 ,1,2,,,2, 2 \r\n",
			Record{ResponseID: "r1", Channel: "online", CompletedAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
				About: map[string]string{"age": "18_24"}, Current: []int{2, 0}, Unacceptable: [][]int{{1, 3}, nil}, Lots: []Package{{1, 2}, {2, 2}}}},
		{"nothing optional", tinyHeader + "r1,,2026-11-23T12:00:00Z,,,,1,1,,,1,1\n",
			Record{ResponseID: "r1", CompletedAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), Lots: []Package{{1, 1}, {1, 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, recs, err := ReadWide("r.csv", strings.NewReader(tt.data), g)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || !reflect.DeepEqual(recs[0], tt.want) {
				t.Errorf("got %+v\nwant %+v", recs, tt.want)
			}
		})
	}
}

func TestReadWideErrors(t *testing.T) {
	g := tinyGrid()
	tests := []struct{ name, data string }{
		{"empty file", ""},
		{"wrong fixed columns", "id,channel,completed_at\n"},
		{"service out of order", "response_id,channel,completed_at,current.b,unacceptable.b,lot1.b,current.a,unacceptable.a,lot1.a\n"},
		{"uneven lots", "response_id,channel,completed_at,current.a,unacceptable.a,lot1.a,lot2.a,current.b,unacceptable.b,lot1.b\n"},
		{"extra column", strings.TrimSuffix(tinyHeader, "\n") + ",notes\n"},
		{"repeated question", "response_id,channel,completed_at,age,age,current.a,unacceptable.a,current.b,unacceptable.b\n"},
		{"binary", "response_id,channel,completed_at\x00\n"},
		{"every row problem", tinyHeader +
			"r1,online,2026-11-23T12:00:00Z,,1,,1,1,,,1,1\n" +
			",online,2026-11-23T12:00:00Z,,4,x,1,1,,,1,1\n" +
			"r1,online,23/11/2026,,0,1;1,,1,,3;0,9,one\n" +
			"r3,online,2026-11-23T12:00:00Z,,1\n" +
			"r4,online,2026-11-23T12:00:00Z,\"bad\"quote,1,,1,1,,,1,1\n" +
			"r5,online,2026-11-23T12:00:00Z,,1,1;2;3,1,1,,2,1,1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, recs, err := ReadWide("responses.csv", strings.NewReader(tt.data), g)
			var errs SheetErrors
			if !errors.As(err, &errs) {
				t.Fatalf("error = %v (%T), want SheetErrors", err, err)
			}
			if recs != nil {
				t.Errorf("returned %d records with errors", len(recs))
			}
			checkGolden(t, "testdata/golden/wide_"+strings.ReplaceAll(tt.name, " ", "_")+".txt", err.Error()+"\n")
		})
	}
}

func BenchmarkReadWide(b *testing.B) {
	g := readFenshire(b)
	data := writeWide(b, g, fenshireLayout, syntheticRecords(g, fenshireLayout, 100_000))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		_, recs, err := ReadWide("responses.csv", bytes.NewReader(data), g)
		if err != nil || len(recs) != 100_000 {
			b.Fatalf("read %d records: %v", len(recs), err)
		}
	}
}

func TestWideTestdata(t *testing.T) {
	g := tinyGrid()
	layout := WideLayout{Questions: []string{"age"}, Lots: 2}
	data := writeWide(t, g, layout, syntheticRecords(g, layout, 8))
	checkGolden(t, "testdata/wide/tiny.csv", string(data))
}
