package sqlite

import (
	"context"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

// TestResumeCodeStoredAsHash checks the stored form: the behaviour of
// resume codes is in the conformance suite.
func TestResumeCodeStoredAsHash(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "resume")
	r := createResponse(t, db, c)
	code := consult.NewResumeCode()
	if err := db.SetResumeCode(ctx, r.ID, consult.HashResumeCode(code), "lot-1"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM resume_codes WHERE code_hash = ? OR CAST(code_hash AS TEXT) LIKE ?`, code, "%"+code+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the plain code is stored")
	}
}
