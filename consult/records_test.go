package consult_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

// wideFile writes n valid records of the demo as a wide CSV, with edit
// applied to record i before it is written.
func wideFile(t *testing.T, c *consult.Consultation, n int, edit func(i int, rec *grid.Record)) []byte {
	t.Helper()
	var buf bytes.Buffer
	ww, err := grid.NewWideWriter(&buf, c.Grid, c.WideLayout())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		lots := make([]grid.Package, len(c.Plan().Budgets))
		for k := range lots {
			lots[k] = c.Grid.BasePackage()
		}
		rec := grid.Record{
			ResponseID:   fmt.Sprintf("r%05d", i),
			Channel:      consult.ChannelPaper,
			CompletedAt:  time.Date(2027, 1, 12, 10, 0, i%60, 0, time.UTC),
			About:        map[string]string{},
			Current:      make([]int, len(c.Grid.Services)),
			Unacceptable: make([][]int, len(c.Grid.Services)),
			Lots:         lots,
		}
		if edit != nil {
			edit(i, &rec)
		}
		if err := ww.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := ww.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadRecords(t *testing.T) {
	c := fenshire(t)
	roads := c.Grid.ServiceIndex("roads")
	tests := []struct {
		name string
		edit func(i int, rec *grid.Record)
		want string // "" for a valid file; else a line of the error list
	}{
		{"valid", nil, ""},
		{"formula as id", func(i int, rec *grid.Record) {
			if i == 1 {
				rec.ResponseID = `=HYPERLINK("http://evil","x")`
			}
		}, "f.csv:3: response_id: must be a UUID or up to 64 letters, digits, _ or -"},
		{"over budget", func(i int, rec *grid.Record) {
			if i == 2 {
				for s := range rec.Lots[0] {
					rec.Lots[0][s] = len(c.Grid.Services[s].Levels)
				}
			}
		}, "f.csv:4: lot1: package costs"},
		{"below the floor", func(i int, rec *grid.Record) {
			if i == 0 {
				rec.Lots[0][roads] = 3
			}
		}, "f.csv:2: lot2.roads: level 1 is below level 3 chosen at the lot before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := wideFile(t, c, 5, tt.edit)
			recs, err := consult.ReadRecords(context.Background(), c, "f.csv", bytes.NewReader(data))
			if tt.want == "" {
				if err != nil || len(recs) != 5 {
					t.Fatalf("ReadRecords = %d records, %v", len(recs), err)
				}
				return
			}
			if recs != nil {
				t.Errorf("records came back with errors: %d", len(recs))
			}
			var errs grid.SheetErrors
			if !errors.As(err, &errs) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadRecords error %v, want a line %q", err, tt.want)
			}
		})
	}
}

func TestCheckRecordCodes(t *testing.T) {
	c := fenshire(t)
	f := consult.NewFlow(c)
	roads := c.Grid.ServiceIndex("roads")
	lots := make([]grid.Package, len(f.Plan.Budgets))
	for k := range lots {
		lots[k] = c.Grid.BasePackage()
	}
	lots[0][roads] = 3
	lots[2][roads] = 99
	rec := grid.Record{ResponseID: "a b", Channel: "Paper", About: map[string]string{c.Questions[0].Key: "nope"}, Lots: lots}
	got := map[string]string{}
	for _, fe := range f.CheckRecord(rec) {
		got[fe.Field] = fe.Code
	}
	want := map[string]string{
		"response_id":      "response_id.format",
		"channel":          "channel.format",
		c.Questions[0].Key: "about.option",
		"lot2.roads":       "level.below_floor",
		"lot3.roads":       "level.range",
	}
	for field, code := range want {
		if got[field] != code {
			t.Errorf("%s: code %q, want %q (all: %v)", field, got[field], code, got)
		}
	}
}

func TestReadRecordsStopsWhenCancelled(t *testing.T) {
	c := fenshire(t)
	data := wideFile(t, c, 3000, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	recs, err := consult.ReadRecords(ctx, c, "f.csv", bytes.NewReader(data))
	if !errors.Is(err, context.Canceled) || recs != nil {
		t.Fatalf("ReadRecords after cancel = %d records, %v", len(recs), err)
	}
}

func TestReadRecordsCapsTheErrorList(t *testing.T) {
	c := fenshire(t)
	data := wideFile(t, c, consult.MaxRecordErrors+50, func(i int, rec *grid.Record) { rec.Channel = "BAD" })
	_, err := consult.ReadRecords(context.Background(), c, "f.csv", bytes.NewReader(data))
	var errs grid.SheetErrors
	if !errors.As(err, &errs) || len(errs) != consult.MaxRecordErrors+1 || !strings.Contains(errs[len(errs)-1].Msg, "stopped after") {
		t.Fatalf("got %d errors, want %d and a last line saying it stopped", len(errs), consult.MaxRecordErrors+1)
	}
}
