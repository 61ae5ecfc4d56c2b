package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAnalyse(t *testing.T) {
	dir := t.TempDir()
	def := writeDemo(t, dir)
	db := filepath.Join(dir, "t.db")
	sim := filepath.Join(dir, "sim.csv")
	targets := filepath.Join(def, "targets.csv")
	if _, _, err := run(t, "consultation", "import", "--db", db, def); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "responses", "simulate", "fenshire-2027", "--db", db, "--n", "400", "--out", sim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "responses", "import", "fenshire-2027", sim, "--db", db); err != nil {
		t.Fatal(err)
	}

	t.Run("from the database, CSV tables", func(t *testing.T) {
		out := filepath.Join(dir, "db-out")
		stdout, _, err := run(t, "analyse", "fenshire-2027", "--db", db, "--targets", targets, "--renormalise-targets", "--by", "area", "--bootstrap", "20", "--out", out)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, "Analysed 400 responses (raked in") {
			t.Errorf("stdout: %q", stdout)
		}
		wantHeaders := map[string][]string{
			"weights.csv":    {"response_id", "weight"},
			"shares.csv":     {"segment_variable", "segment", "stage", "service", "level", "share", "se", "ci_low", "ci_high", "n", "n_eff"},
			"priorities.csv": {"segment_variable", "segment", "service", "rank", "rank_low", "rank_high", "purchase_lot", "never_bought", "pain", "unacceptable"},
			"optimum.csv":    {"segment_variable", "segment", "lot", "budget", "kind", "service", "level", "chose_share", "at_least_share", "selected_share"},
			"packages.csv":   {"segment_variable", "segment", "lot", "budget", "kind", "cost", "unspent", "support"},
		}
		for file, want := range wantHeaders {
			f, err := os.Open(filepath.Join(out, file))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0][:len(want)], want) {
				t.Errorf("%s header %v, want it to start %v", file, rows[0], want)
			}
			if file == "weights.csv" && len(rows) != 401 {
				t.Errorf("weights.csv has %d rows, want 401", len(rows))
			}
		}
	})
	t.Run("from files with a bare sheet and unknown lots", func(t *testing.T) {
		out := filepath.Join(dir, "file-out")
		stdout, _, err := run(t, "analyse", "--grid", filepath.Join(def, "grid.csv"), "--responses", sim, "--out", out, "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, "unweighted") || !strings.Contains(stdout, "Note:") {
			t.Errorf("stdout does not say it is unweighted and what is missing: %q", stdout)
		}
		b, err := os.ReadFile(filepath.Join(out, "analysis.json"))
		if err != nil {
			t.Fatal(err)
		}
		var tables []struct {
			Name string     `json:"name"`
			Rows [][]string `json:"rows"`
		}
		if err := json.Unmarshal(b, &tables); err != nil {
			t.Fatal(err)
		}
		names := map[string]int{}
		for _, tb := range tables {
			names[tb.Name] = len(tb.Rows)
		}
		if names["shares"] == 0 || names["weights"] != 400 {
			t.Errorf("tables: %v", names)
		}
	})
	t.Run("an XLSX workbook with the method first", func(t *testing.T) {
		out := filepath.Join(dir, "xlsx-out")
		if _, _, err := run(t, "analyse", "--grid", filepath.Join(def, "consultation.json"), "--responses", sim, "--targets", targets, "--renormalise-targets", "--trim", "0.3,3", "--out", out, "--format", "xlsx"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(filepath.Join(out, "analysis.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) < 5 || sheets[0] != "Method" || !slices.Contains(sheets, "Shares") {
			t.Fatalf("sheets %v", sheets)
		}
		rows, err := f.GetRows("Method")
		if err != nil || len(rows) < 5 {
			t.Fatalf("method sheet: %v %v", rows, err)
		}
		text := ""
		for _, r := range rows {
			text += strings.Join(r, "=") + "\n"
		}
		for _, want := range []string{"trimming", "design_effect", "effective_n"} {
			if !strings.Contains(strings.ToLower(text), want) {
				t.Errorf("method sheet does not mention %q:\n%s", want, text)
			}
		}
	})
	t.Run("weighting refusals, segment tests and the minimum base", func(t *testing.T) {
		_, _, err := run(t, "analyse", "--grid", filepath.Join(def, "consultation.json"), "--responses", sim, "--targets", targets, "--renormalise-targets", "--trim", "1.5,3", "--out", filepath.Join(dir, "t1"))
		if err == nil || !strings.Contains(err.Error(), "below 1") {
			t.Errorf("--trim 1.5,3: err %v, want a refusal", err)
		}
		_, _, err = run(t, "analyse", "--grid", filepath.Join(def, "consultation.json"), "--responses", sim, "--targets", targets, "--out", filepath.Join(dir, "t2"))
		if err == nil || !strings.Contains(err.Error(), "renormalise-targets") {
			t.Errorf("targets omitting chosen categories: err %v, want one pointing at --renormalise-targets", err)
		}
		out := filepath.Join(dir, "t3")
		if _, _, err := run(t, "analyse", "--grid", filepath.Join(def, "consultation.json"), "--responses", sim, "--targets", targets, "--renormalise-targets",
			"--by", "area", "--adjust", "holm", "--min-base", "40", "--out", out); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(out, "tests.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) < 2 || rows[0][10] != "p_adjusted" {
			t.Fatalf("tests.csv: %v %v", rows, err)
		}
		m, err := os.ReadFile(filepath.Join(out, "method.csv"))
		if err != nil || !strings.Contains(string(m), "Holm") || !strings.Contains(string(m), `minimum_base,"40 respondents`) || !strings.Contains(string(m), "targets_renormalised") {
			t.Errorf("method.csv does not say Holm, the minimum base 40 and what renormalising did:\n%s", m)
		}
		if _, _, err := run(t, "analyse", "--grid", filepath.Join(def, "consultation.json"), "--responses", sim, "--adjust", "sidak", "--out", filepath.Join(dir, "t4")); err == nil {
			t.Error("--adjust sidak accepted")
		}
	})
	t.Run("bad targets name the row", func(t *testing.T) {
		bad := filepath.Join(dir, "bad-targets.csv")
		os.WriteFile(bad, []byte("variable,category,target\narea,fenchester,lots\n"), 0o644)
		_, _, err := run(t, "analyse", "fenshire-2027", "--db", db, "--targets", bad, "--out", filepath.Join(dir, "x"))
		if err == nil || !strings.Contains(err.Error(), "bad-targets.csv") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a bad responses file lists its errors", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.csv")
		data, _ := os.ReadFile(sim)
		lines := strings.SplitN(string(data), "\n", 3)
		os.WriteFile(bad, []byte(lines[0]+"\n"+strings.Replace(lines[1], "synthetic", "synthetic,extra", 1)+"\n"), 0o644)
		_, stderr, err := run(t, "analyse", "--grid", filepath.Join(def, "consultation.json"), "--responses", bad, "--out", filepath.Join(dir, "y"))
		if err == nil || !strings.Contains(stderr, "bad.csv:2") {
			t.Fatalf("err %v, stderr %q", err, stderr)
		}
	})
}

// TestAnalyseDatabaseAndFilesAgree: the analysis of a consultation from
// the database equals the analysis of its exported files, whether or not
// it asks the optional stages.
func TestAnalyseDatabaseAndFilesAgree(t *testing.T) {
	for _, asks := range []bool{true, false} {
		t.Run(fmt.Sprintf("optional stages asked: %v", asks), func(t *testing.T) {
			dir := t.TempDir()
			def := writeDemo(t, dir)
			if !asks {
				p := filepath.Join(def, "consultation.json")
				b, _ := os.ReadFile(p)
				b = bytes.Replace(b, []byte(`"ask_current": true`), []byte(`"ask_current": false`), 1)
				b = bytes.Replace(b, []byte(`"ask_unacceptable": true`), []byte(`"ask_unacceptable": false`), 1)
				os.WriteFile(p, b, 0o644)
			}
			db := filepath.Join(dir, "t.db")
			sim, exported, js := filepath.Join(dir, "sim.csv"), filepath.Join(dir, "export.csv"), filepath.Join(dir, "c.json")
			for _, args := range [][]string{
				{"consultation", "import", "--db", db, def},
				{"responses", "simulate", "fenshire-2027", "--db", db, "--n", "200", "--out", sim},
				{"responses", "import", "fenshire-2027", sim, "--db", db},
				{"responses", "export", "fenshire-2027", "--db", db, "--out", exported},
				{"consultation", "export", "fenshire-2027", "--db", db, "--out", js},
				{"analyse", "fenshire-2027", "--db", db, "--out", filepath.Join(dir, "from-db")},
				{"analyse", "--grid", js, "--responses", exported, "--out", filepath.Join(dir, "from-files")},
			} {
				if _, stderr, err := run(t, args...); err != nil {
					t.Fatalf("%v: %v %s", args, err, stderr)
				}
			}
			for _, table := range []string{"shares.csv", "priorities.csv", "optimum.csv", "service_lots.csv", "weights.csv", "method.csv"} {
				a, _ := os.ReadFile(filepath.Join(dir, "from-db", table))
				b, _ := os.ReadFile(filepath.Join(dir, "from-files", table))
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s differs between the database and the files", table)
				}
			}
			shares, _ := os.ReadFile(filepath.Join(dir, "from-db", "shares.csv"))
			if got := bytes.Contains(shares, []byte(",unacceptable,")); got != asks {
				t.Errorf("shares has an unacceptable stage: %v, want %v", got, asks)
			}
		})
	}
}
