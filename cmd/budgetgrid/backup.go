package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/budgetgrid/budgetgrid/consult/postgres"
)

// backuper is a store that can copy itself while serving (SQLite).
type backuper interface {
	Backup(ctx context.Context, path string) error
}

func runBackup(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "backup", "backup --out FILE [--db FILE]\n\nWrites a consistent copy of a SQLite database while the server runs. For PostgreSQL use\npg_dump (see the README's \"Backups\").")
	dbPath := dbFlag(fs, env)
	out := fs.String("out", "", "the backup file to write (must not exist)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errUsage
	}
	if postgres.IsURL(*dbPath) {
		return fmt.Errorf("backup: for PostgreSQL use pg_dump --format=custom (see the README's \"Backups\"), or budgetgrid copy --from URL --to FILE")
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	b, ok := store.(backuper)
	if !ok {
		return fmt.Errorf("backup: this store cannot back itself up")
	}
	if err := b.Backup(ctx, *out); err != nil {
		return err
	}
	n := 0
	if cs, err := store.Consultations(ctx); err == nil {
		n = len(cs)
	}
	fmt.Fprintf(env.Stdout, "Backed up %s (%d %s) to %s.\n", displayDB(*dbPath), n, plural(n, "consultation", "consultations"), *out)
	return nil
}

func runRestore(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "restore", "restore --from BACKUP --db FILE\n\nPuts a backup made by \"budgetgrid backup\" in place as a new SQLite database, after\nchecking that it opens and that its schema is one this budgetgrid knows. Stop the\nserver first; an existing database file is refused (move it aside).")
	dbPath := dbFlag(fs, env)
	from := fs.String("from", "", "the backup file")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *from == "" {
		fs.Usage()
		return errUsage
	}
	if postgres.IsURL(*dbPath) {
		return fmt.Errorf("restore: for PostgreSQL use pg_restore, or budgetgrid copy --from BACKUP --to URL into an empty database")
	}
	if _, err := os.Stat(*dbPath); err == nil {
		return fmt.Errorf("restore: %s exists; move it aside first", *dbPath)
	}
	src, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp := filepath.Join(filepath.Dir(*dbPath), "."+filepath.Base(*dbPath)+".restoring")
	os.Remove(tmp)
	defer os.Remove(tmp)
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	// Open it: this checks the file and its schema, and applies any
	// migrations newer than the backup.
	check, err := openStore(tmp)
	if err != nil {
		return fmt.Errorf("restore: %s is not a budgetgrid database this version can use: %w", *from, err)
	}
	cs, err := check.Consultations(ctx)
	check.Close()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	if err := os.Rename(tmp, *dbPath); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Restored %s (%d %s) to %s.\n", *from, len(cs), plural(len(cs), "consultation", "consultations"), *dbPath)
	return nil
}
