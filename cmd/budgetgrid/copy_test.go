package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/postgres/pgtest"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
)

// loadDeployment fills a new SQLite file with the demo consultation, 150
// imported responses, one in progress with a resume code, and a setting.
func loadDeployment(t *testing.T, db string) {
	t.Helper()
	dir := t.TempDir()
	if _, stderr, err := run(t, "consultation", "import", writeDemo(t, dir), "--db", db); err != nil {
		t.Fatalf("consultation import: %v %s", err, stderr)
	}
	csv := filepath.Join(dir, "responses.csv")
	if _, stderr, err := run(t, "responses", "simulate", "fenshire-2027", "--n", "150", "--out", csv, "--db", db); err != nil {
		t.Fatalf("simulate: %v %s", err, stderr)
	}
	if _, stderr, err := run(t, "responses", "import", "fenshire-2027", csv, "--db", db); err != nil {
		t.Fatalf("responses import: %v %s", err, stderr)
	}
	ctx := context.Background()
	s, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Consultation(ctx, "fenshire-2027")
	if err != nil {
		t.Fatal(err)
	}
	r := &consult.Response{ID: "8e0f5c1e-0000-4000-8000-00000000c0de", ConsultationID: c.ID, Channel: consult.ChannelOnline, Reached: 2,
		Answers: consult.Answers{About: map[string]string{"area": "fenland"}, Comments: "half way"}}
	if err := s.CreateResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.SetResumeCode(ctx, r.ID, consult.HashResumeCode("COPYCODE1"), "lot-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSettingIfAbsent(ctx, "session_keys", []byte("keys kept across the copy")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := run(t, "user", "add", "--role", "editor", "--consultation", "fenshire-2027", "--db", db, "ann@fenshire.gov.uk"); err != nil {
		t.Fatalf("user add: %v %s", err, stderr)
	}
}

// exports returns what the export commands write for the demo consultation.
func exports(t *testing.T, db string) string {
	t.Helper()
	var all strings.Builder
	for _, cmd := range [][]string{
		{"consultation", "export", "fenshire-2027"},
		{"responses", "export", "fenshire-2027"},
		{"responses", "comments", "fenshire-2027"},
		{"consultation", "list"},
	} {
		out, stderr, err := run(t, append(cmd, "--db", db)...)
		if err != nil {
			t.Fatalf("%v: %v %s", cmd, err, stderr)
		}
		all.WriteString(out)
	}
	return all.String()
}

// checkCopy checks that a copy carries what the exports do not show: the
// in-progress response's resume code and the setting.
func checkCopy(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	s, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, stage, err := s.ResponseByResumeCode(ctx, consult.HashResumeCode("COPYCODE1"))
	if err != nil || stage != "lot-1" || r.Answers.Comments != "half way" {
		t.Fatalf("resume code in the copy: %+v, %q, %v", r, stage, err)
	}
	if v, err := s.Setting(ctx, "session_keys"); err != nil || string(v) != "keys kept across the copy" {
		t.Fatalf("setting in the copy: %q, %v", v, err)
	}
	c, err := s.Consultation(ctx, "fenshire-2027")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.UserByEmail(ctx, "ann@fenshire.gov.uk")
	if err != nil || !u.Can(consult.ActEditConsultation, c.ID) {
		t.Fatalf("user in the copy: %+v, %v", u, err)
	}
	if es, err := s.Audit(ctx, consult.AuditFilter{}); err != nil || len(es) == 0 || es[len(es)-1].Actor != "command line" {
		t.Fatalf("audit log in the copy: %+v, %v", es, err)
	}
}

func TestCopySQLiteToSQLite(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	loadDeployment(t, a)
	out, stderr, err := run(t, "copy", "--from", a, "--to", b)
	if err != nil {
		t.Fatalf("copy: %v %s", err, stderr)
	}
	if !strings.Contains(out, "1 consultation") || !strings.Contains(out, "151 responses") || !strings.Contains(out, "1 user") || !strings.Contains(out, "every export matches") {
		t.Errorf("copy said %q", out)
	}
	if exports(t, a) != exports(t, b) {
		t.Fatal("the copy's exports differ")
	}
	checkCopy(t, b)
	t.Run("only into an empty database", func(t *testing.T) {
		_, _, err := run(t, "copy", "--from", a, "--to", b)
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("copy into a full database = %v", err)
		}
	})
	t.Run("not onto itself", func(t *testing.T) {
		if _, _, err := run(t, "copy", "--from", a, "--to", a); err == nil {
			t.Fatal("copy onto itself succeeded")
		}
	})
	t.Run("both flags are needed", func(t *testing.T) {
		if _, _, err := run(t, "copy", "--from", a); err != errUsage {
			t.Fatalf("copy without --to = %v, want usage", err)
		}
	})
}

func TestCopyBetweenSQLiteAndPostgres(t *testing.T) {
	pg := pgtest.URL(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	loadDeployment(t, a)
	want := exports(t, a)
	if _, stderr, err := run(t, "copy", "--from", a, "--to", pg); err != nil {
		t.Fatalf("copy to PostgreSQL: %v %s", err, stderr)
	}
	if got := exports(t, pg); got != want {
		t.Fatal("the PostgreSQL copy's exports differ")
	}
	checkCopy(t, pg)
	if _, stderr, err := run(t, "copy", "--from", pg, "--to", b); err != nil {
		t.Fatalf("copy back to SQLite: %v %s", err, stderr)
	}
	if got := exports(t, b); got != want {
		t.Fatal("the copy back to SQLite differs")
	}
	checkCopy(t, b)
	t.Run("every command works on PostgreSQL", func(t *testing.T) {
		dir := t.TempDir() // not the package folder
		out, stderr, err := run(t, "analyse", "fenshire-2027", "--db", pg, "--out", dir)
		if err != nil || out == "" {
			t.Fatalf("analyse: %v %s", err, stderr)
		}
		outSQLite, _, _ := run(t, "analyse", "fenshire-2027", "--db", a, "--out", dir)
		if out != outSQLite {
			t.Error("analyse gives different results on the two stores")
		}
		if _, stderr, err := run(t, "consultation", "status", "fenshire-2027", "closed", "--db", pg); err != nil {
			t.Fatalf("status: %v %s", err, stderr)
		}
	})
}

func TestMigrate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "budgetgrid.db")
	out, stderr, err := run(t, "migrate", "--db", db)
	if err != nil || !strings.Contains(out, "applied 0001_init.sql") || !strings.Contains(out, "now at schema version") {
		t.Fatalf("first migrate: %v %q %s", err, out, stderr)
	}
	out, _, err = run(t, "migrate", "--db", db)
	if err != nil || !strings.Contains(out, "up to date") || strings.Contains(out, "applied") {
		t.Fatalf("second migrate: %v %q", err, out)
	}
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the new database file: %v, %v; want mode 600", fi.Mode(), err)
	}
	t.Run("serve and every command refuse a newer schema", func(t *testing.T) {
		markNewer(t, db)
		for _, args := range [][]string{
			{"serve", "--addr", "127.0.0.1:0", "--db", db},
			{"migrate", "--db", db},
			{"consultation", "list", "--db", db},
		} {
			_, _, err := run(t, args...)
			if err == nil || !strings.Contains(err.Error(), "newer than this budgetgrid knows") {
				t.Errorf("%v on a newer schema = %v", args[0], err)
			}
		}
	})
}

func TestMigratePostgres(t *testing.T) {
	pg := pgtest.URL(t)
	out, stderr, err := run(t, "migrate", "--db", pg)
	if err != nil || !strings.Contains(out, "applied 0001_init.sql") {
		t.Fatalf("migrate: %v %q %s", err, out, stderr)
	}
	if strings.Contains(out, "password") {
		t.Errorf("migrate shows the URL's password: %q", out)
	}
	out, _, err = run(t, "migrate", "--db", pg)
	if err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %v %q", err, out)
	}
}

// markNewer records a migration this build does not know, as a newer
// budgetgrid would have, straight in the file.
func markNewer(t *testing.T, db string) {
	t.Helper()
	f, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'later')`, sqlite.KnownSchema()+1); err != nil {
		t.Fatal(err)
	}
}

func TestDisplayDB(t *testing.T) {
	for in, want := range map[string]string{
		"budgetgrid.db": "budgetgrid.db",
		"postgres://app:s3cret@db.example:5432/budgetgrid?sslmode=require": "postgres://app:xxxxx@db.example:5432/budgetgrid?sslmode=require",
		"postgresql://db.example/budgetgrid":                               "postgresql://db.example/budgetgrid",
	} {
		if got := displayDB(in); got != want {
			t.Errorf("displayDB(%q) = %q, want %q", in, got, want)
		}
	}
}
