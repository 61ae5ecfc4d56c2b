package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResponsesRoundTrip: simulate → import → export → import elsewhere →
// export is byte-identical, and re-importing changes nothing.
func TestResponsesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	def := writeDemo(t, dir)
	dbA, dbB := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	for _, db := range []string{dbA, dbB} {
		if _, _, err := run(t, "consultation", "import", "--db", db, def); err != nil {
			t.Fatal(err)
		}
	}
	sim, exA, exB := filepath.Join(dir, "sim.csv"), filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	if _, _, err := run(t, "responses", "simulate", "fenshire-2027", "--db", dbA, "--n", "300", "--seed", "7", "--out", sim); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "responses", "import", "fenshire-2027", sim, "--db", dbA)
	if err != nil || !strings.Contains(out, "Imported 300 responses") {
		t.Fatalf("import: %v %q", err, out)
	}
	if out, _, err = run(t, "responses", "import", "fenshire-2027", sim, "--db", dbA); err != nil || !strings.Contains(out, "Imported 0 responses") || !strings.Contains(out, "300 already there") {
		t.Fatalf("re-import: %v %q", err, out)
	}
	if _, _, err := run(t, "responses", "export", "fenshire-2027", "--db", dbA, "--out", exA); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "responses", "import", "fenshire-2027", exA, "--db", dbB); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "responses", "export", "fenshire-2027", "--db", dbB, "--out", exB); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(exA)
	b, _ := os.ReadFile(exB)
	simData, _ := os.ReadFile(sim)
	if !bytes.Equal(a, b) {
		t.Fatal("export → import → export is not byte-identical")
	}
	if len(bytes.Split(bytes.TrimSpace(a), []byte("\n"))) != 301 {
		t.Fatalf("export has %d lines, want 301", len(bytes.Split(a, []byte("\n"))))
	}
	// The simulated file is in the same form, sorted by completion time.
	if len(a) != len(simData) {
		t.Errorf("export (%d bytes) and the simulated file (%d bytes) differ in size", len(a), len(simData))
	}
}

func TestResponsesImportRefusesBadRows(t *testing.T) {
	dir := t.TempDir()
	def := writeDemo(t, dir)
	db := filepath.Join(dir, "t.db")
	if _, _, err := run(t, "consultation", "import", "--db", db, def); err != nil {
		t.Fatal(err)
	}
	sim := filepath.Join(dir, "sim.csv")
	if _, _, err := run(t, "responses", "simulate", "fenshire-2027", "--db", db, "--n", "3", "--out", sim); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(sim)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	header := strings.Split(lines[0], ",")
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	set := func(line int, name, value string) {
		cells := strings.Split(lines[line], ",")
		cells[col(name)] = value
		lines[line] = strings.Join(cells, ",")
	}
	set(1, "area", "atlantis") // not an option
	set(2, "lot1.roads", "9")  // no such level
	set(3, "lot4.roads", "1")  // below lot 3 under the additive rule (unless lot 3 is 1)
	set(3, "lot3.roads", "5")  // so make lot 3 high
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")+"\n"), 0o644)

	_, stderr, err := run(t, "responses", "import", "fenshire-2027", bad, "--db", db)
	if !errors.Is(err, errReported) {
		t.Fatalf("err = %v, want errors reported", err)
	}
	for _, want := range []string{"bad.csv:2: area:", `"atlantis" is not an option`, "bad.csv:3: lot1.roads:", "bad.csv:4: lot4.roads:", "nothing was imported"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	out, _, _ := run(t, "consultation", "list", "--db", db)
	if !strings.Contains(out, "fenshire-2027  open    0") {
		t.Errorf("responses were stored after a refused import:\n%s", out)
	}
}

// TestOnlineResponsesRoundTrip: responses answered online (with comments,
// an explicit "prefer not to say", and several completed within one
// second) export, re-import into the same database as unchanged, and
// export → import elsewhere → export byte-identical.
func TestOnlineResponsesRoundTrip(t *testing.T) {
	base, db := startServer(t)
	keys := fenshireServiceKeys(t, db)
	const slug = "/c/fenshire-2027"
	for i := range 4 {
		c := newClient(t, base)
		c.get(slug, http.StatusOK)
		c.post(slug+"/start", url.Values{}, http.StatusSeeOther)
		c.post(slug+"/about-you", url.Values{"about.area": {"marshby"}, "about.sex": {""}}, http.StatusSeeOther)
		c.post(slug+"/current-service", url.Values{}, http.StatusSeeOther)
		c.post(slug+"/unacceptable-levels", url.Values{}, http.StatusSeeOther)
		for lot := 1; lot <= 4; lot++ {
			c.post(fmt.Sprintf("%s/lot-%d", slug, lot), lotForm(keys, map[string]int{keys[0]: 1 + i%3}), http.StatusSeeOther)
		}
		c.post(slug+"/comments", url.Values{"comments": {"Comment " + fmt.Sprint(i)}}, http.StatusSeeOther)
		c.get(slug+"/check-answers", http.StatusOK)
		c.post(slug+"/check-answers", url.Values{}, http.StatusSeeOther)
	}
	dir := t.TempDir()
	first, second, def := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv"), filepath.Join(dir, "c.json")
	if _, _, err := run(t, "responses", "export", "fenshire-2027", "--db", db, "--out", first); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := run(t, "responses", "import", "fenshire-2027", first, "--db", db)
	if err != nil || !strings.Contains(out, "Imported 0 responses") || !strings.Contains(out, "4 already there") {
		t.Fatalf("re-importing an export into its own database: %v %q %q", err, out, stderr)
	}
	other := filepath.Join(dir, "other.db")
	if _, _, err := run(t, "consultation", "export", "fenshire-2027", "--db", db, "--out", def); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "consultation", "import", def, "--db", other); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "responses", "import", "fenshire-2027", first, "--db", other); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "responses", "export", "fenshire-2027", "--db", other, "--out", second); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if !bytes.Equal(a, b) {
		t.Fatalf("export → import → export differs:\n%s\n---\n%s", a, b)
	}
}

func TestResponsesComments(t *testing.T) {
	base, db := startServer(t)
	keys := fenshireServiceKeys(t, db)
	const slug = "/c/fenshire-2027"
	for _, comment := range []string{"Keep the libraries open.\r\nPlease.", "=HYPERLINK(\"x\")", ""} {
		c := newClient(t, base)
		c.get(slug, http.StatusOK)
		c.post(slug+"/start", url.Values{}, http.StatusSeeOther)
		for _, st := range []string{"about-you", "current-service", "unacceptable-levels"} {
			c.post(slug+"/"+st, url.Values{}, http.StatusSeeOther)
		}
		for lot := 1; lot <= 4; lot++ {
			c.post(fmt.Sprintf("%s/lot-%d", slug, lot), lotForm(keys, nil), http.StatusSeeOther)
		}
		c.post(slug+"/comments", url.Values{"comments": {comment}}, http.StatusSeeOther)
		c.get(slug+"/check-answers", http.StatusOK)
		c.post(slug+"/check-answers", url.Values{}, http.StatusSeeOther)
	}
	out, _, err := run(t, "responses", "comments", "fenshire-2027", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "response_id,reference,channel,completed_at,comments" {
		t.Fatalf("rows %q, want the header and the 2 responses with comments", rows)
	}
	got := map[string]bool{rows[1][4]: true, rows[2][4]: true}
	if !got["Keep the libraries open.\nPlease."] || !got[`'=HYPERLINK("x")`] {
		t.Errorf("comments %v", got)
	}
	if len(rows[1][1]) != 9 || rows[1][2] != "online" {
		t.Errorf("row %q lacks a reference or channel", rows[1])
	}
}
