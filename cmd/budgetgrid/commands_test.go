package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/demo"
)

// run calls Run as the command line would and returns its output.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(context.Background(), args, Env{Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), err
}

// writeDemo copies the Fenshire demo folder into dir and returns its path.
func writeDemo(t *testing.T, dir string) string {
	t.Helper()
	d := filepath.Join(dir, "fenshire")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"consultation.json", "grid.csv", "targets.csv"} {
		b, err := demo.FS.ReadFile("fenshire/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestGridCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(writeDemo(t, dir), "grid.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("service,service_name,group,service_description,level,level_label,level_description,points,as_now\n"+
		"roads,Roads,,,1,Low,,0,x\n"+
		"roads,,,,2,High,,ten,x\n"), 0o644)
	t.Run("a good sheet", func(t *testing.T) {
		out, _, err := run(t, "grid", "check", good)
		if err != nil || !strings.Contains(out, "ok: 16 services, 61 levels") {
			t.Fatalf("err %v, out %q", err, out)
		}
	})
	t.Run("every error with its row and column", func(t *testing.T) {
		_, stderr, err := run(t, "grid", "check", bad)
		if !errors.Is(err, errReported) {
			t.Fatalf("err = %v, want errors reported (exit 1)", err)
		}
		for _, want := range []string{`bad.csv:3: points: must be a whole number ≥ 0, got "ten"`, "bad.csv:3: as_now"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
	})
	t.Run("usage", func(t *testing.T) {
		if _, _, err := run(t, "grid", "check"); !errors.Is(err, errUsage) {
			t.Fatalf("err = %v, want usage", err)
		}
	})
}

func TestConsultationImportAndList(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	def := writeDemo(t, dir)
	if out, _, err := run(t, "consultation", "import", "--db", db, def); err != nil || !strings.Contains(out, `Imported "fenshire-2027"`) {
		t.Fatalf("import: %v %q", err, out)
	}
	t.Run("a slug that exists is refused", func(t *testing.T) {
		_, stderr, err := run(t, "consultation", "import", "--db", db, def)
		if !errors.Is(err, errReported) || !strings.Contains(stderr, "--replace") {
			t.Fatalf("err %v, stderr %q", err, stderr)
		}
	})
	t.Run("--replace works while there are no responses", func(t *testing.T) {
		if _, _, err := run(t, "consultation", "import", "--replace", "--db", db, def); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("list", func(t *testing.T) {
		out, _, err := run(t, "consultation", "list", "--db", db)
		if err != nil || !strings.Contains(out, "fenshire-2027") || !strings.Contains(out, "open") {
			t.Fatalf("err %v, out %q", err, out)
		}
	})
	t.Run("export writes canonical JSON that imports back", func(t *testing.T) {
		first := filepath.Join(dir, "fenshire.json")
		if _, _, err := run(t, "consultation", "export", "--db", db, "fenshire-2027", "--out", first); err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, "other.db")
		if _, _, err := run(t, "consultation", "import", "--db", other, first); err != nil {
			t.Fatal(err)
		}
		again, _, err := run(t, "consultation", "export", "--db", other, "fenshire-2027")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(first)
		if string(b) != again {
			t.Fatal("export → import → export of the consultation is not byte-identical")
		}
		if !strings.Contains(again, `"services"`) || !strings.Contains(again, `"translations"`) {
			t.Error("the canonical JSON lacks the grid or the translations")
		}
	})
	t.Run("a definition without a status starts as a draft and keeps its status on replace", func(t *testing.T) {
		d := filepath.Join(dir, "nostatus")
		os.MkdirAll(d, 0o755)
		b, _ := os.ReadFile(filepath.Join(def, "consultation.json"))
		b = bytes.Replace(b, []byte(`"status": "open",`), nil, 1)
		b = bytes.Replace(b, []byte(`"slug": "fenshire-2027"`), []byte(`"slug": "drafty"`), 1)
		os.WriteFile(filepath.Join(d, "consultation.json"), b, 0o644)
		g, _ := os.ReadFile(filepath.Join(def, "grid.csv"))
		os.WriteFile(filepath.Join(d, "grid.csv"), g, 0o644)
		out, _, err := run(t, "consultation", "import", "--db", db, d)
		if err != nil || !strings.Contains(out, "status draft") || !strings.Contains(out, "consultation status drafty open") {
			t.Fatalf("import without status: %v %q", err, out)
		}
		if _, _, err := run(t, "consultation", "status", "--db", db, "drafty", "closed"); err != nil {
			t.Fatal(err)
		}
		if out, _, err := run(t, "consultation", "import", "--replace", "--db", db, d); err != nil || !strings.Contains(out, "status closed") {
			t.Fatalf("replace reopened a closed consultation: %v %q", err, out)
		}
	})
	t.Run("status closes and reopens", func(t *testing.T) {
		if out, _, err := run(t, "consultation", "status", "--db", db, "fenshire-2027", "closed"); err != nil || !strings.Contains(out, "now closed (was open)") {
			t.Fatalf("close: %v %q", err, out)
		}
		if out, _, _ := run(t, "consultation", "list", "--db", db); !strings.Contains(out, "closed") {
			t.Fatalf("list after close: %q", out)
		}
		if _, _, err := run(t, "consultation", "status", "--db", db, "fenshire-2027", "ajar"); !errors.Is(err, errUsage) {
			t.Fatalf("a bad status: %v", err)
		}
		if _, _, err := run(t, "consultation", "status", "--db", db, "fenshire-2027", "open"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("--replace is refused once answered", func(t *testing.T) {
		sim := filepath.Join(dir, "sim.csv")
		if _, _, err := run(t, "responses", "simulate", "fenshire-2027", "--db", db, "--n", "5", "--out", sim); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(t, "responses", "import", "fenshire-2027", sim, "--db", db); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := run(t, "consultation", "import", "--replace", "--db", db, def)
		if !errors.Is(err, errReported) || !strings.Contains(stderr, "5 responses") {
			t.Fatalf("err %v, stderr %q", err, stderr)
		}
	})
	t.Run("an invalid definition lists its problems", func(t *testing.T) {
		broken := filepath.Join(dir, "broken.json")
		os.WriteFile(broken, []byte(`{"slug": "Bad Slug", "title": "", "lots": {"points": [10]}, "money": {"point_pence": 1}, "grid": "fenshire/grid.csv"}`), 0o644)
		_, stderr, err := run(t, "consultation", "import", "--db", db, broken)
		if !errors.Is(err, errReported) {
			t.Fatalf("err = %v", err)
		}
		for _, want := range []string{"slug", "title is required"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
	})
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--help"}, {"grid", "check", "--help"}, {"consultation", "import", "--help"},
		{"consultation", "list", "--help"}, {"consultation", "status", "--help"}, {"consultation", "export", "--help"}, {"responses", "export", "--help"}, {"responses", "import", "--help"},
		{"responses", "simulate", "--help"}, {"responses", "comments", "--help"}, {"analyse", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, stderr, err := run(t, args...)
			if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage: budgetgrid") {
				t.Fatalf("err %v, stderr %q", err, stderr)
			}
		})
	}
	if _, stderr, err := run(t, "frobnicate"); !errors.Is(err, errUsage) || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("unknown command: %v %q", err, stderr)
	}
}

func TestEnvBool(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "FALSE": false, "1": true, "true": true} {
		got, err := envBool(Env{Getenv: func(string) string { return v }}, "X")
		if err != nil || got != want {
			t.Errorf("envBool(%q) = %v, %v; want %v", v, got, err, want)
		}
	}
	if _, err := envBool(Env{Getenv: func(string) string { return "yes please" }}, "X"); err == nil {
		t.Error(`envBool("yes please") is not an error`)
	}
}

// TestCommandsRefuseEndlessInput checks that a command given an endless
// file (a device such as /dev/zero) answers with an error at once instead
// of reading until memory runs out, and stores nothing.
func TestCommandsRefuseEndlessInput(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	if _, _, err := run(t, "consultation", "import", "--db", db, writeDemo(t, dir)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"grid check", []string{"grid", "check", "/dev/zero"}, "not a regular file"},
		{"consultation import", []string{"consultation", "import", "--db", db, "/dev/zero"}, "not a regular file"},
		{"responses import", []string{"responses", "import", "--db", db, "fenshire-2027", "/dev/zero"}, "longer than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := run(t, tt.args...)
			if err == nil {
				t.Fatalf("%v succeeded", tt.args)
			}
			if msg := stderr + err.Error(); !strings.Contains(msg, tt.want) {
				t.Fatalf("%v: %q, want %q", tt.args, msg, tt.want)
			}
		})
	}
	out, _, err := run(t, "consultation", "list", "--db", db)
	if err != nil || !strings.Contains(out, "fenshire-2027  open    0") {
		t.Fatalf("after the refusals: %q, %v", out, err)
	}
}

// TestImportRefusesDuplicateKeys checks that a definition holding a key
// twice is refused rather than silently taking the last.
func TestImportRefusesDuplicateKeys(t *testing.T) {
	dir := t.TempDir()
	d := writeDemo(t, dir)
	p := filepath.Join(d, "consultation.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(`"slug":`), []byte(`"title": "Twice", "slug":`), 1)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := run(t, "consultation", "import", "--db", filepath.Join(dir, "b.db"), d)
	if err == nil || !strings.Contains(stderr, `key "title" appears twice`) {
		t.Fatalf("import of a definition with a key twice: %v, %q", err, stderr)
	}
}
