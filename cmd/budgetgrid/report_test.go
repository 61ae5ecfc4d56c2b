package main

import (
	"encoding/csv"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult/report/pdf"
)

// demoWithResponses makes a database holding the demo and n simulated
// responses, and returns its path.
func demoWithResponses(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	if _, _, err := run(t, "consultation", "import", "--db", db, writeDemo(t, dir)); err != nil {
		t.Fatal(err)
	}
	sim := filepath.Join(dir, "sim.csv")
	if _, _, err := run(t, "responses", "simulate", "fenshire-2027", "--db", db, "--n", strconv.Itoa(n), "--out", sim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "responses", "import", "--db", db, "fenshire-2027", sim); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestReportQuotesTheAnalyseTables checks that the report's figures are
// those `analyse` writes with the same flags.
func TestReportQuotesTheAnalyseTables(t *testing.T) {
	db := demoWithResponses(t, 300)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	if _, stderr, err := run(t, "report", "fenshire-2027", "--db", db, "--out", out, "--by", "area"); err != nil {
		t.Fatalf("report: %v %s", err, stderr)
	}
	if _, stderr, err := run(t, "analyse", "fenshire-2027", "--db", db, "--out", dir, "--by", "area"); err != nil {
		t.Fatalf("analyse: %v %s", err, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := html.UnescapeString(string(b))
	f, err := os.Open(filepath.Join(dir, "packages.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	seen := 0
	for _, r := range rows[1:] {
		if r[col["segment_variable"]] != "" || r[col["kind"]] != "vote" {
			continue
		}
		exact, _ := strconv.ParseFloat(r[col["exact_share"]], 64)
		within, _ := strconv.ParseFloat(r[col["within_one_share"]], 64)
		want := "At round " + r[col["lot"]] + "'s budget of " + r[col["budget"]] + " points"
		i := strings.Index(text, want)
		if i < 0 {
			t.Fatalf("the report has no %q", want)
		}
		sentence := text[i : i+strings.Index(text[i:], "</p>")]
		for _, p := range []string{pct(exact) + " of residents chose exactly", pct(within) + " chose one within a level"} {
			if !strings.Contains(sentence, p) {
				t.Errorf("round %s: %q not in %q", r[col["lot"]], p, sentence)
			}
		}
		seen++
	}
	if seen != 4 {
		t.Fatalf("checked %d rounds, want 4", seen)
	}
}

func pct(x float64) string { return strconv.Itoa(int(100*x+0.5)) + "%" }

// TestReportPDF prints the report with Chromium and counts its pages with
// pdftoppm (from poppler-utils).
func TestReportPDF(t *testing.T) {
	_, chromeErr := pdf.FindChromium()
	_, popplerErr := exec.LookPath("pdftoppm")
	if chromeErr != nil || popplerErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs Chromium and pdftoppm for the PDF report: %v %v", chromeErr, popplerErr)
		}
		t.Skip("Chromium or pdftoppm not installed")
	}
	db := demoWithResponses(t, 200)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.pdf")
	if _, stderr, err := run(t, "report", "fenshire-2027", "--db", db, "--out", out); err != nil {
		t.Fatalf("report: %v %s", err, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("not a PDF: %v", err)
	}
	if err := exec.Command("pdftoppm", "-r", "20", "-png", out, filepath.Join(dir, "page")).Run(); err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	// A contents page, findings, a chart per round and ranks, packages and
	// the method: more than five A4 pages, fewer than forty.
	if len(pages) < 5 || len(pages) > 40 {
		t.Fatalf("the PDF has %d pages", len(pages))
	}
}

func TestReportRefusesBadOut(t *testing.T) {
	db := demoWithResponses(t, 20)
	_, _, err := run(t, "report", "fenshire-2027", "--db", db, "--out", "report.docx")
	if err == nil || !strings.Contains(err.Error(), ".html, .pdf or .xlsx") {
		t.Fatalf("report --out report.docx: %v", err)
	}
}

func TestOpendataCommand(t *testing.T) {
	db := demoWithResponses(t, 120)
	out := filepath.Join(t.TempDir(), "open")
	stdout, stderr, err := run(t, "opendata", "fenshire-2027", "--db", db, "--out", out, "--by", "area")
	if err != nil {
		t.Fatalf("opendata: %v %s", err, stderr)
	}
	if !strings.Contains(stdout, "Wrote 8 open tables on 120 responses") {
		t.Errorf("stdout %q", stdout)
	}
	for _, f := range []string{"shares.csv", "packages.csv", "dictionary.csv", "opendata.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "weights.csv")); err == nil {
		t.Error("weights.csv (response ids) was published")
	}
}
