package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRetentionRun imports responses into a consultation that closed two
// months ago with a one-month retention period: the run deletes their
// about-you answers and keeps the level choices; a second run does nothing.
func TestRetentionRun(t *testing.T) {
	dir := t.TempDir()
	d := writeDemo(t, dir)
	p := filepath.Join(d, "consultation.json")
	var def map[string]any
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &def); err != nil {
		t.Fatal(err)
	}
	def["closes_at"] = time.Now().AddDate(0, -2, 0).UTC().Format(time.RFC3339)
	def["retention_months"] = 1
	if b, err = json.Marshal(def); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "b.db")
	if _, stderr, err := run(t, "consultation", "import", "--db", db, d); err != nil {
		t.Fatalf("import: %v %s", err, stderr)
	}
	sim := filepath.Join(dir, "sim.csv")
	if _, stderr, err := run(t, "responses", "simulate", "fenshire-2027", "--db", db, "--n", "20", "--out", sim); err != nil {
		t.Fatalf("simulate: %v %s", err, stderr)
	}
	if _, stderr, err := run(t, "responses", "import", "--db", db, "fenshire-2027", sim); err != nil {
		t.Fatalf("import responses: %v %s", err, stderr)
	}
	before, _, _ := run(t, "responses", "export", "fenshire-2027", "--db", db)
	out, stderr, err := run(t, "retention", "run", "--db", db)
	if err != nil || !strings.Contains(out, "fenshire-2027: deleted the free text and about-you answers of 20 responses") {
		t.Fatalf("retention run: %q %v %s", out, err, stderr)
	}
	after, _, _ := run(t, "responses", "export", "fenshire-2027", "--db", db)
	if before == after {
		t.Fatal("the export did not change: about-you answers are still there")
	}
	// Every row keeps its id, channel, time and levels; the about-you
	// columns (from the 4th to the first current.S) are empty.
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	first := 0
	for i, col := range strings.Split(al[0], ",") {
		if strings.HasPrefix(col, "current.") {
			first = i
			break
		}
	}
	if first < 4 {
		t.Fatalf("header %q", al[0])
	}
	for i := 1; i < len(al)-1; i++ {
		a, b := strings.Split(al[i], ","), strings.Split(bl[i], ",")
		if strings.Join(a[:3], ",") != strings.Join(b[:3], ",") || strings.Join(a[first:], ",") != strings.Join(b[first:], ",") {
			t.Fatalf("row %d after retention %q, before %q", i, al[i], bl[i])
		}
		for _, v := range a[3:first] {
			if v != "" {
				t.Fatalf("row %d keeps an about-you answer: %q", i, al[i])
			}
		}
	}
	if out, _, err := run(t, "retention", "run", "--db", db); err != nil || !strings.Contains(out, "of 0 responses") {
		t.Fatalf("a second run: %q %v", out, err)
	}
}
