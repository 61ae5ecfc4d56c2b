package sqlite

import "github.com/budgetgrid/budgetgrid/consult"

// newReference returns a random confirmation reference (consult.NewReference).
func newReference() (string, error) { return consult.NewReference(), nil }
