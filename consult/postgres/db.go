// Package postgres implements consult.Store on PostgreSQL (pgx v5). Every
// connection runs with synchronous_commit=on, so a commit is on disk when
// it returns; statements are prepared and cached per connection. The
// schema is a series of embedded, numbered migrations recorded in
// schema_migrations, each applied in its own transaction under an advisory
// lock, so several servers starting at once apply each one once.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MaxConns is the largest pool a DB opens unless the URL sets
// pool_max_conns.
const MaxConns = 16

// migrationLock is the advisory lock key migrations hold.
const migrationLock = 0x62756467 // "budg"

// DB is a consult.Store on one PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool
	// now returns the current time; newReference a confirmation reference.
	now          func() time.Time
	newReference func() string

	// grids holds decoded grid versions (*grid.Grid by version), which
	// never change once stored.
	grids sync.Map
	// allowCalls counts Allow calls, to sweep expired windows now and then.
	allowCalls atomic.Int64

	// applied names the migrations Open applied.
	applied []string

	closeOnce sync.Once
}

var _ consult.Store = (*DB)(nil)

// IsURL reports whether s names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url (postgres://user@host:port/db?...),
// checks that its schema is not newer than this build knows, and applies
// the migrations it has not seen. Query parameters that pgx does not know
// are sent as run-time parameters (search_path=…).
func Open(ctx context.Context, url string) (*DB, error) {
	db, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if db.applied, err = db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// connect opens the pool without migrating.
func connect(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %s", redact(err))
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = MaxConns
	}
	// An acknowledged write is on disk, whatever the server's default.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %s", redact(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database: %s", redact(err))
	}
	return &DB{pool: pool, now: time.Now, newReference: consult.NewReference}, nil
}

// redact returns err's text without a password that pgx may quote from the
// URL.
func redact(err error) string {
	s := err.Error()
	if i := strings.Index(s, "password="); i >= 0 {
		j := strings.IndexAny(s[i:], " &")
		if j < 0 {
			j = len(s) - i
		}
		s = s[:i] + "password=xxxxx" + s[i+j:]
	}
	return s
}

// Close closes the pool. Calling it again does nothing.
func (db *DB) Close() error {
	db.closeOnce.Do(db.pool.Close)
	return nil
}

// Applied names the migrations that Open applied, in order; none if the
// schema was up to date.
func (db *DB) Applied() []string { return db.applied }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations in version order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and _", base)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// KnownSchema returns the newest schema version this build knows.
func KnownSchema() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate applies, in order, each migration not yet recorded, each in its
// own transaction, and returns the names of those it applied. It refuses a
// database whose schema is newer than this build knows.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	var applied []string
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			CREATE TABLE IF NOT EXISTS schema_migrations (
				version    integer PRIMARY KEY,
				applied_at timestamptz NOT NULL
			)`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := db.checkSchema(ctx, ms[len(ms)-1].version); err != nil {
		return nil, err
	}
	for _, m := range ms {
		done, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// SchemaVersion returns the newest migration recorded in the database (0
// for none).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// checkSchema refuses a database migrated past known.
func (db *DB) checkSchema(ctx context.Context, known int) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v > known {
		return fmt.Errorf("the database schema is version %d, newer than this budgetgrid knows (%d): run a newer budgetgrid", v, known)
	}
	return nil
}

// applyMigration runs m unless it is recorded, holding the advisory lock
// so that two servers starting at once apply it once.
func (db *DB) applyMigration(ctx context.Context, m migration) (applied bool, err error) {
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			m.version, db.now()); err != nil {
			return err
		}
		applied = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	return applied, nil
}

// inTx runs fn in a transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stamp returns the time to store now: PostgreSQL keeps microseconds, so
// the value handed back to callers is the one stored.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// pgCode returns err's SQLSTATE and constraint name, or "".
func pgCode(err error) (code, constraint string) {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code, e.ConstraintName
	}
	return "", ""
}

// SQLSTATE codes the store turns into domain errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	notNullViolation    = "23502"
)
