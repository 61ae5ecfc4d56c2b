package postgres

import (
	"context"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/postgres/pgtest"
	"github.com/budgetgrid/budgetgrid/consult/storetest"
)

// openTestDB opens a store on a fresh schema, closed at the end of the test.
func openTestDB(t *testing.T) (*DB, string) {
	t.Helper()
	u := pgtest.URL(t)
	db, err := Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, u
}

// TestConformance runs the store conformance suite, each test on its own
// schema.
func TestConformance(t *testing.T) {
	urls := map[consult.Store]string{}
	storetest.Run(t,
		func(t *testing.T) consult.Store {
			db, u := openTestDB(t)
			urls[db] = u
			return db
		},
		storetest.Another(func(t *testing.T, s consult.Store) consult.Store {
			db, err := Open(context.Background(), urls[s])
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}))
}
