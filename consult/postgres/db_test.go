package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"
)

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	db, u := openTestDB(t)
	ms, err := migrations()
	if err != nil || len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("migrations = %v, %v; want 0001 first", ms, err)
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != KnownSchema() {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, KnownSchema())
	}
	t.Run("reopen applies nothing", func(t *testing.T) {
		again, err := Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		applied, err := again.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("Migrate = %v, %v; want nothing applied", applied, err)
		}
	})
	t.Run("servers starting at once apply each migration once", func(t *testing.T) {
		u := freshURL(t)
		var wg sync.WaitGroup
		applied := make([][]string, 8)
		errs := make([]error, len(applied))
		for i := range applied {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := connect(ctx, u)
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				applied[i], errs[i] = db.Migrate(ctx)
			}()
		}
		wg.Wait()
		total := 0
		for i := range applied {
			if errs[i] != nil {
				t.Fatalf("server %d: %v", i, errs[i])
			}
			total += len(applied[i])
		}
		if total != len(ms) {
			t.Fatalf("%d migrations applied in all, want %d", total, len(ms))
		}
	})
	t.Run("a newer schema is refused", func(t *testing.T) {
		if _, err := db.pool.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, KnownSchema()+1); err != nil {
			t.Fatal(err)
		}
		_, err := Open(ctx, u)
		if err == nil || !strings.Contains(err.Error(), "newer than this budgetgrid knows") {
			t.Fatalf("Open on a newer schema = %v", err)
		}
	})
}

func TestSynchronousCommit(t *testing.T) {
	db, _ := openTestDB(t)
	// Every connection of the pool, not just the first.
	ctx := context.Background()
	conns := make([]interface{ Release() }, 0, 4)
	for range 4 {
		c, err := db.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := c.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&v); err != nil || v != "on" {
			t.Fatalf("synchronous_commit = %q, %v; want on", v, err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://budgetgrid:s3cret-pw@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Fatalf("the error shows the password: %v", err)
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://h/db": true, "postgresql://h/db": true, "budgetgrid.db": false,
		"/var/lib/budgetgrid/postgres.db": false, "postgres.db": false,
	} {
		if IsURL(s) != want {
			t.Errorf("IsURL(%q) = %v", s, !want)
		}
	}
}

// TestExportNeedsNoSort checks that the export query can read the
// responses_export index in order instead of sorting (the planner is told
// to avoid sorts; with no index in that order it would have to sort).
func TestExportNeedsNoSort(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL enable_sort = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `EXPLAIN `+eachCompletedQuery, 1)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	rows.Close()
	got := strings.Join(plan, "\n")
	if !strings.Contains(got, "responses_export") || strings.Contains(got, "Sort") {
		t.Fatalf("export plan:\n%s\nwant the responses_export index and no sort", got)
	}
}
