package grid

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	for _, path := range []string{"testdata/fenshire.csv", "testdata/translated.csv"} {
		t.Run(path, func(t *testing.T) {
			g, err := ReadSheetFile(path)
			if err != nil {
				t.Fatal(err)
			}
			data, err := g.MarshalCanonical()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(data, []byte("}\n")) || !bytes.Contains(data, []byte("\n  \"services\"")) {
				t.Errorf("not indented by two spaces with a trailing newline:\n%.80s", data)
			}
			back, err := ParseJSON(data)
			if err != nil {
				t.Fatalf("ParseJSON: %v", err)
			}
			if !reflect.DeepEqual(g, back) {
				t.Errorf("sheet → JSON → grid differs")
			}
			again, err := back.MarshalCanonical()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, again) {
				t.Errorf("JSON → grid → JSON is not byte-identical")
			}
		})
	}
}

func TestMarshalCanonicalKeepsHTMLCharacters(t *testing.T) {
	g := &Grid{Services: []Service{{Key: "a", Name: "Parks & <gardens>", Levels: []Level{{Number: 1, Label: "x", AsNow: true}, {Number: 2, Label: "y"}}}}}
	data, err := g.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"Parks & <gardens>"`)) {
		t.Errorf("HTML characters escaped: %s", data)
	}
}

// smallGridJSON is a valid grid in JSON with one placeholder to replace.
func smallGridJSON(levels string) string {
	return `{"services": [{"key": "roads", "name": "Roads", "levels": [` + levels + `]}]}`
}

func TestParseJSON(t *testing.T) {
	good := `{"level": 1, "label": "Low", "points": 0, "as_now": true}, {"level": 2, "label": "High", "points": 5}`
	tests := []struct {
		name string
		json string
		want string // the error, or "" for none
	}{
		{"valid", smallGridJSON(good), ""},
		{"unknown field", `{"services": [], "colour": "red"}`, `unknown field "colour"`},
		{"trailing data", smallGridJSON(good) + " {}", "unexpected data after the JSON value"},
		{"not JSON", `services:`, "reading grid JSON"},
		{"no services", `{"services": []}`, "the grid has no services"},
		{"one level", smallGridJSON(`{"level": 1, "label": "Low", "points": 0, "as_now": true}`), "roads: has 1 levels; a service needs at least 2"},
		{"negative points", smallGridJSON(`{"level": 1, "label": "Low", "points": -1, "as_now": true}, {"level": 2, "label": "High", "points": 5}`), "roads level 1: points must be a whole number ≥ 0, got -1"},
		{"decreasing points", smallGridJSON(`{"level": 1, "label": "Low", "points": 6, "as_now": true}, {"level": 2, "label": "High", "points": 5}`), "roads level 2: points 5 are less than 6 at level 1"},
		{"no as-now", smallGridJSON(`{"level": 1, "label": "Low", "points": 0}, {"level": 2, "label": "High", "points": 5}`), "roads: has 0 as-now levels"},
		{"two as-now", smallGridJSON(`{"level": 1, "label": "Low", "points": 0, "as_now": true}, {"level": 2, "label": "High", "points": 5, "as_now": true}`), "roads: has 2 as-now levels"},
		{"level numbers", smallGridJSON(`{"level": 1, "label": "Low", "points": 0, "as_now": true}, {"level": 3, "label": "High", "points": 5}`), "roads level 2: level number is 3"},
		{"missing label", smallGridJSON(`{"level": 1, "label": "Low", "points": 0, "as_now": true}, {"level": 2, "points": 5}`), "roads level 2: label is required"},
		{"bad key", `{"services": [{"key": "Roads", "name": "Roads", "levels": [` + good + `]}]}`, `Roads: key must be lowercase letters`},
		{"duplicate key", `{"services": [{"key": "a", "name": "A", "levels": [` + good + `]}, {"key": "a", "name": "B", "levels": [` + good + `]}]}`, "a: key is used by another service"},
		{"missing name", `{"services": [{"key": "a", "levels": [` + good + `]}]}`, "a: name is required"},
		{"bad language", `{"services": [{"key": "a", "name": "A", "translations": {"Welsh": {"name": "B"}}, "levels": [` + good + `]}]}`, `a: translation language must be 2 or 3 lowercase letters (like cy), got "Welsh"`},
		{"empty translation", smallGridJSON(`{"level": 1, "label": "Low", "points": 0, "as_now": true, "translations": {"cy": {}}}, {"level": 2, "label": "High", "points": 5}`), "roads level 1: translation into cy has no text"},
		{"default language translation", `{"services": [{"key": "a", "name": "A", "translations": {"en": {"name": "B"}}, "levels": [` + good + `]}]}`, "a: translation into en, the default language"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseJSON([]byte(tt.json))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(g.Services) != 1 || g.AsNowCost() != 0 || g.MaxCost() != 5 {
					t.Errorf("grid = %+v", g)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	g := readFenshire(t)
	g.Services[0].Levels[1].Points = -3
	g.Services[2].Levels[0].Label = ""
	g.Services[5].Key = "Bad Key"
	err := g.Validate()
	var errs SheetErrors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v is not SheetErrors", err)
	}
	want := []string{
		"roads level 2: points must be a whole number ≥ 0, got -3",
		"gritting level 1: label is required",
		`Bad Key: key must be lowercase letters, digits and _ (like school_transport), got "Bad Key"`,
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(errs), len(want), err)
	}
	for i := range want {
		if errs[i].File != "" || errs[i].Row != 0 || errs[i].Error() != want[i] {
			t.Errorf("problem %d = %+v, want %q", i, errs[i], want[i])
		}
	}
}
