package sqlite

import (
	"context"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestResumeCodes(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "resume")
	r := createResponse(t, db, c)
	other := createResponse(t, db, c)

	code := consult.NewResumeCode()
	if err := db.SetResumeCode(ctx, r.ID, consult.HashResumeCode(code), "lot-1"); err != nil {
		t.Fatal(err)
	}
	t.Run("the code finds its response", func(t *testing.T) {
		got, stage, err := db.ResponseByResumeCode(ctx, consult.HashResumeCode(code))
		if err != nil || got.ID != r.ID || stage != "lot-1" {
			t.Fatalf("ResponseByResumeCode = %v, %q, %v; want %s at lot-1", got, stage, err, r.ID)
		}
	})
	t.Run("an unknown code is not found", func(t *testing.T) {
		_, _, err := db.ResponseByResumeCode(ctx, consult.HashResumeCode(consult.NewResumeCode()))
		wantCode(t, err, consult.ENOTFOUND)
	})
	t.Run("the code is stored only as its hash", func(t *testing.T) {
		var n int
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM resume_codes WHERE code_hash = ? OR CAST(code_hash AS TEXT) LIKE ?`, code, "%"+code+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("the plain code is stored")
		}
	})
	t.Run("saving again adds a code; the first still works", func(t *testing.T) {
		code2 := consult.NewResumeCode()
		if err := db.SetResumeCode(ctx, r.ID, consult.HashResumeCode(code2), "lot-2"); err != nil {
			t.Fatal(err)
		}
		for c, stage := range map[string]string{code: "lot-1", code2: "lot-2"} {
			got, gotStage, err := db.ResponseByResumeCode(ctx, consult.HashResumeCode(c))
			if err != nil || got.ID != r.ID || gotStage != stage {
				t.Fatalf("code %s: %v, %q, %v; want %s at %s", c, got, gotStage, err, r.ID, stage)
			}
		}
	})
	t.Run("a taken hash is a conflict", func(t *testing.T) {
		err := db.SetResumeCode(ctx, other.ID, consult.HashResumeCode(code), "lot-1")
		wantCode(t, err, consult.ECONFLICT)
	})
	t.Run("an unknown response", func(t *testing.T) {
		wantCode(t, db.SetResumeCode(ctx, "no-such-id", []byte("x"), "lot-1"), consult.ENOTFOUND)
	})
	t.Run("a submitted response's code stops working", func(t *testing.T) {
		r.Answers = testAnswers("north")
		if err := db.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.ResponseByResumeCode(ctx, consult.HashResumeCode(code))
		wantCode(t, err, consult.ENOTFOUND)
		wantCode(t, db.SetResumeCode(ctx, r.ID, consult.HashResumeCode(consult.NewResumeCode()), "lot-1"), consult.ESUBMITTED)
	})
}
