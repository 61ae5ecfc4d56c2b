package main

import (
	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
)

// openStore opens the store that --db names. Every command opens its
// store here, so that each works on every store the product supports.
func openStore(db string) (consult.Store, error) {
	return sqlite.Open(db)
}
