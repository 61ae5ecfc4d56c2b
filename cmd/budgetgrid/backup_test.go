package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupWhileServingThenRestore backs up the database of a running
// server that holds responses, restores the backup as a new database and
// checks that both export the same responses and consultation.
func TestBackupWhileServingThenRestore(t *testing.T) {
	base, db := startServer(t)
	_ = base
	dir := t.TempDir()
	sim := filepath.Join(dir, "sim.csv")
	if _, stderr, err := run(t, "responses", "simulate", "fenshire-2027", "--db", db, "--n", "50", "--out", sim); err != nil {
		t.Fatalf("simulate: %v %s", err, stderr)
	}
	if _, stderr, err := run(t, "responses", "import", "fenshire-2027", sim, "--db", db); err != nil {
		t.Fatalf("import: %v %s", err, stderr)
	}
	backup := filepath.Join(dir, "backup.db")
	out, stderr, err := run(t, "backup", "--db", db, "--out", backup)
	if err != nil || !strings.Contains(out, "(1 consultation)") {
		t.Fatalf("backup while serving: %q %v %s", out, err, stderr)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, mode %v; want 0600", err, st.Mode())
	}
	if _, _, err := run(t, "backup", "--db", db, "--out", backup); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup over the first: %v", err)
	}
	restored := filepath.Join(dir, "restored.db")
	if out, stderr, err := run(t, "restore", "--from", backup, "--db", restored); err != nil || !strings.Contains(out, "Restored") {
		t.Fatalf("restore: %q %v %s", out, err, stderr)
	}
	if _, _, err := run(t, "restore", "--from", backup, "--db", restored); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("restoring over a database: %v", err)
	}
	for _, what := range [][]string{{"responses", "export", "fenshire-2027"}, {"consultation", "export", "fenshire-2027"}} {
		a, _, err1 := run(t, append(what, "--db", db)...)
		b, _, err2 := run(t, append(what, "--db", restored)...)
		if err1 != nil || err2 != nil || a != b || !strings.Contains(a, "fenshire") && what[0] == "consultation" {
			t.Fatalf("%v differs after the round trip (%v, %v)", what, err1, err2)
		}
		if what[0] == "responses" && strings.Count(a, "\n") != 51 {
			t.Fatalf("the restored export has %d lines, want 51", strings.Count(a, "\n"))
		}
	}
	notDB := filepath.Join(dir, "not.db")
	if err := os.WriteFile(notDB, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "restore", "--from", notDB, "--db", filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("a file that is not a database was restored")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("a failed restore left a database behind")
	}
}
