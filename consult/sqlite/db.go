// Package sqlite implements consult.Store on SQLite (modernc.org/sqlite,
// pure Go). The database runs in WAL mode with synchronous=FULL, so a
// committed transaction is on disk when the commit returns. Every write goes
// through one writer connection; reads use a small pool of read-only
// connections. The schema is a series of embedded, numbered migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// ReadConns is how many connections the read pool holds.
const ReadConns = 4

// checkpointInterval is how often the writer checkpoints the WAL into the
// main file and truncates it, so that the WAL does not grow without bound
// under sustained writes while readers keep SQLite's own checkpoints from
// finishing. Tests shorten it.
var checkpointInterval = 30 * time.Second

// busyTimeout is how long a connection waits for a lock.
const busyTimeout = 10 * time.Second

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a consult.Store on one SQLite database file.
type DB struct {
	path string
	// write holds the single connection every write goes through.
	write *sql.DB
	// read is the pool of query-only connections for reads.
	read *sql.DB
	// now returns the current time and newReference a confirmation
	// reference; tests may replace them.
	now          func() time.Time
	newReference func() (string, error)

	// grids holds decoded grid versions (*grid.Grid by version), which
	// never change once stored.
	grids sync.Map
	// applied names the migrations Open applied.
	applied []string

	// completions feeds the group committer (see complete.go); quit stops it.
	completions chan *completion
	// allowCalls counts Allow calls, to sweep expired windows now and then.
	allowCalls atomic.Int64
	quit       chan struct{}
	wg         sync.WaitGroup
	closeOnce  sync.Once
	closeErr   error
}

var _ consult.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies
// any migrations it has not seen. A new file is made readable by its owner
// only (0600); SQLite gives its -wal and -shm files the same mode.
func Open(path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") || path == ":memory:" {
		return nil, fmt.Errorf("open database: %q is not a usable file path", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db := &DB{
		path:         path,
		now:          time.Now,
		newReference: newReference,
		completions:  make(chan *completion),
		quit:         make(chan struct{}),
	}
	var err error
	// _txlock=immediate takes the write lock at BEGIN, so a transaction
	// never fails midway to upgrade from reading to writing.
	db.write, err = sql.Open("sqlite", dsn(path, "_txlock=immediate",
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()), "journal_mode(WAL)", "synchronous(FULL)",
		"foreign_keys(ON)", "journal_size_limit(67108864)"))
	if err != nil {
		return nil, fmt.Errorf("open database writer: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	// Open the writer first: it switches the file to WAL before any reader
	// looks at it.
	if err := db.write.Ping(); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.migrate(context.Background()); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read, err = sql.Open("sqlite", dsn(path, "",
		"busy_timeout(10000)", "foreign_keys(ON)", "query_only(ON)"))
	if err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database readers: %w", err)
	}
	db.read.SetMaxOpenConns(ReadConns)
	db.read.SetMaxIdleConns(ReadConns)
	db.read.SetConnMaxIdleTime(0)
	db.wg.Add(2)
	go db.commitCompletions()
	go db.checkpointer()
	return db, nil
}

// createPrivate creates the database file with mode 0600 unless it exists,
// before SQLite opens it (SQLite would create it 0644).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return nil
}

// checkpointer checkpoints the WAL every checkpointInterval until Close.
func (db *DB) checkpointer() {
	defer db.wg.Done()
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			// A checkpoint blocked by a long read is retried next time.
			_ = db.checkpoint(context.Background())
		case <-db.quit:
			return
		}
	}
}

// checkpointWait is how long a checkpoint waits for readers to move to
// the newest snapshot before giving up until next time: the writer is busy
// meanwhile, so it is short.
const checkpointWait = 100 * time.Millisecond

// checkpoint copies the WAL into the main file and truncates it to zero
// bytes, through the writer connection so it waits its turn behind writes.
func (db *DB) checkpoint(ctx context.Context) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, checkpointWait.Milliseconds())); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var busy, logPages, done int
	err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done)
	if _, rerr := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeout.Milliseconds())); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	} else if busy != 0 {
		return fmt.Errorf("checkpoint: readers kept %d of %d pages in the log", logPages-done, logPages)
	}
	return nil
}

// dsn builds a modernc.org/sqlite data source name: the file path, then
// each pragma as a _pragma parameter, then extra ("k=v") if any.
func dsn(path, extra string, pragmas ...string) string {
	q := make([]string, 0, len(pragmas)+1)
	for _, p := range pragmas {
		q = append(q, "_pragma="+url.QueryEscape(p))
	}
	if extra != "" {
		q = append(q, extra)
	}
	return path + "?" + strings.Join(q, "&")
}

// Close stops the committer, after the batch in hand, and closes both
// connection pools. The writer closes last, so SQLite checkpoints the WAL
// into the main file. Completions after Close fail; calling Close again
// returns the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.quit)
		db.wg.Wait()
		var errs []error
		if err := db.read.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database readers: %w", err))
		}
		// With the readers gone, the log is copied in and truncated.
		if err := db.checkpoint(context.Background()); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
		if err := db.write.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database writer: %w", err))
		}
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
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

// Applied names the migrations that Open applied to the file, in order;
// none if its schema was up to date.
func (db *DB) Applied() []string { return db.applied }

// SchemaVersion returns the newest migration recorded in the file.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate applies, in order, each migration not yet recorded in
// schema_migrations, each in its own transaction. It refuses a file whose
// schema is newer than this build knows: an older budgetgrid must not
// write to it.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at TEXT NOT NULL
		)`)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if known := ms[len(ms)-1].version; v > known {
		return fmt.Errorf("the database schema is version %d, newer than this budgetgrid knows (%d): run a newer budgetgrid", v, known)
	}
	for _, m := range ms {
		applied, err := db.applyMigration(ctx, m)
		if err != nil {
			return err
		}
		if applied {
			db.applied = append(db.applied, m.name)
		}
	}
	return nil
}

// applyMigration runs m unless it is recorded, and reports whether it ran.
// The check sits inside the write transaction, so two processes opening
// the file at once apply it once.
func (db *DB) applyMigration(ctx context.Context, m migration) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migration %s: begin: %w", m.name, err)
	}
	defer tx.Rollback()
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("migration %s: check: %w", m.name, err)
	} else if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, formatTime(db.now()))
	if err != nil {
		return false, fmt.Errorf("migration %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return true, nil
}

// timeLayout is RFC 3339 in UTC with a fixed nine fraction digits, so that
// stored times sort as text in time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime renders t for storage.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a stored time back, in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// parseNullTime reads a nullable stored time; NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// sqliteCode returns the extended SQLite result code of err, or 0.
func sqliteCode(err error) int {
	var e *sqlite3.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isUnique reports whether err is a UNIQUE constraint failure on column
// ("table.column") of a unique index.
func isUnique(err error, column string) bool {
	return sqliteCode(err) == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE && strings.Contains(err.Error(), column)
}

// isPrimaryKey reports whether err is a PRIMARY KEY constraint failure.
func isPrimaryKey(err error) bool {
	return sqliteCode(err) == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err is a FOREIGN KEY constraint failure.
func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY
}

// isNotNull reports whether err is a NOT NULL constraint failure.
func isNotNull(err error) bool {
	return sqliteCode(err) == sqlite3lib.SQLITE_CONSTRAINT_NOTNULL
}
