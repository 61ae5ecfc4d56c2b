package postgres

import (
	"testing"

	"github.com/budgetgrid/budgetgrid/consult/postgres/pgtest"
)

// freshURL returns the URL of a new empty schema.
func freshURL(t *testing.T) string { return pgtest.URL(t) }
