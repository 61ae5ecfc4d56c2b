package sqlite

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("migrations = %v, want 0001 first", ms)
	}
	db, path := openTestDB(t)
	applied := func(db *DB) (versions []int) {
		t.Helper()
		rows, err := db.read.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			versions = append(versions, v)
		}
		return versions
	}
	first := applied(db)
	if len(first) != len(ms) {
		t.Fatalf("applied %v, want %d migrations", first, len(ms))
	}
	c := createConsultation(t, db, "kept")

	t.Run("reopen applies nothing twice", func(t *testing.T) {
		for range 2 {
			again, err := Open(path)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			got := applied(again)
			if len(got) != len(first) {
				t.Errorf("after reopen applied %v, want %v", got, first)
			}
			if _, err := again.Consultation(ctx, c.Slug); err != nil {
				t.Errorf("data lost on reopen: %v", err)
			}
			if err := again.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("pragmas", func(t *testing.T) {
		tests := []struct {
			pragma string
			want   string
		}{
			{"journal_mode", "wal"},
			{"synchronous", "2"}, // FULL
			{"foreign_keys", "1"},
			{"busy_timeout", "10000"},
		}
		for _, tt := range tests {
			t.Run(tt.pragma, func(t *testing.T) {
				var got string
				if err := db.write.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
				}
			})
		}
	})
	t.Run("readers cannot write", func(t *testing.T) {
		_, err := db.read.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('x', 'y')`)
		if err == nil {
			t.Fatal("insert through the read pool succeeded")
		}
	})
}

func TestOpenRejectsNonFiles(t *testing.T) {
	for _, path := range []string{"", ":memory:", "a.db?mode=memory"} {
		t.Run(path, func(t *testing.T) {
			if db, err := Open(path); err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", path)
			}
		})
	}
}

func TestTimeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
	}{
		{"utc nanos", time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC)},
		{"whole second", time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)},
		{"other zone", time.Date(2026, 6, 1, 9, 30, 0, 5, time.FixedZone("BST", 3600))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := formatTime(tt.in)
			if len(s) != len("2006-01-02T15:04:05.000000000Z") {
				t.Errorf("formatTime = %q, want fixed width", s)
			}
			got, err := parseTime(s)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.in) || got.Location() != time.UTC {
				t.Errorf("round trip of %v = %v", tt.in, got)
			}
		})
	}
	// Fixed width makes text order time order.
	if a, b := formatTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), formatTime(time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC)); a >= b {
		t.Errorf("%s sorts at or after %s", a, b)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	db, path := openTestDB(t)
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Applied()) != len(all) {
		t.Fatalf("a new file applied %v, want all %d migrations", db.Applied(), len(all))
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != KnownSchema() {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, KnownSchema())
	}
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Applied()) != 0 {
		t.Errorf("reopening applied %v", again.Applied())
	}
	again.Close()
	if _, err := db.write.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'x')`, KnownSchema()+1); err != nil {
		t.Fatal(err)
	}
	newer, err := Open(path)
	if err == nil {
		newer.Close()
		t.Fatal("Open on a newer schema succeeded")
	}
	if !strings.Contains(err.Error(), "newer than this budgetgrid knows") {
		t.Fatalf("Open on a newer schema = %v", err)
	}
}

func TestCheckpointAtClose(t *testing.T) {
	db, path := openTestDB(t)
	completeResponse(t, db, createConsultation(t, db, "closed"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("the log is %d bytes after Close", fi.Size())
	}
}

// TestExportNeedsNoSort checks that the export query reads the
// responses_export index in order instead of sorting.
func TestExportNeedsNoSort(t *testing.T) {
	db, _ := openTestDB(t)
	rows, err := db.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+eachCompletedQuery, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "responses_export") || strings.Contains(got, "TEMP B-TREE") {
		t.Fatalf("export plan = %s; want the responses_export index and no sort", got)
	}
}
