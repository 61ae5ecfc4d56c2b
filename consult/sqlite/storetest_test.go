package sqlite

import (
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/storetest"
)

// TestConformance runs the store conformance suite on temp-file databases.
func TestConformance(t *testing.T) {
	storetest.Run(t,
		func(t *testing.T) consult.Store {
			db, _ := openTestDB(t)
			return db
		},
		storetest.Another(func(t *testing.T, s consult.Store) consult.Store {
			db, err := Open(s.(*DB).path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}))
}
