package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/postgres"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
)

// connectTimeout bounds how long a command waits for a database server.
const connectTimeout = 30 * time.Second

// openStore opens the store that --db names: a postgres:// or
// postgresql:// URL opens PostgreSQL, anything else is a SQLite file.
// Either applies the migrations it has not seen and refuses a schema newer
// than this build knows. Every command opens its store here, so that each
// works on every store the product supports.
func openStore(db string) (consult.Store, error) {
	if postgres.IsURL(db) {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(db)
}

// displayDB names a --db value for messages, without a password.
func displayDB(db string) string {
	if !postgres.IsURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "(a PostgreSQL URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.Redacted()
}

// schemaStore is what a store says about its schema.
type schemaStore interface {
	Applied() []string
	SchemaVersion(ctx context.Context) (int, error)
}

// knownSchema returns the newest schema version this build knows for the
// store that db names.
func knownSchema(db string) int {
	if postgres.IsURL(db) {
		return postgres.KnownSchema()
	}
	return sqlite.KnownSchema()
}

// runMigrate applies the migrations the database has not seen and says
// what it did. Every command migrates when it opens the store; migrate
// does only that, so an upgrade can be a step of its own before the app
// servers are replaced.
func runMigrate(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "migrate", "migrate [--db FILE|URL]")
	dbPath := dbFlag(fs, env)
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	s, ok := store.(schemaStore)
	if !ok {
		return fmt.Errorf("migrate: the store for %s does not report its schema", displayDB(*dbPath))
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	for _, name := range s.Applied() {
		fmt.Fprintf(env.Stdout, "applied %s\n", name)
	}
	if len(s.Applied()) == 0 {
		fmt.Fprintf(env.Stdout, "%s is up to date at schema version %d.\n", displayDB(*dbPath), v)
	} else {
		fmt.Fprintf(env.Stdout, "%s is now at schema version %d.\n", displayDB(*dbPath), v)
	}
	if v != knownSchema(*dbPath) {
		return fmt.Errorf("migrate: the schema is at version %d, this budgetgrid knows %d", v, knownSchema(*dbPath))
	}
	return store.Close()
}
