package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestReferenceRetry(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "refs")
	ids := createResponses(t, db, c, 3)
	complete := func(id string) (*consult.Response, error) {
		r := &consult.Response{ID: id, Reached: 7, Version: 1, Answers: testAnswers("north")}
		return r, db.CompleteResponse(ctx, r)
	}

	fixedReferences(db, "AAAA-AAAA")
	if r, err := complete(ids[0]); err != nil || r.Reference != "AAAA-AAAA" {
		t.Fatalf("first complete: %q, %v", r.Reference, err)
	}
	t.Run("taken reference is replaced", func(t *testing.T) {
		fixedReferences(db, "AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB")
		r, err := complete(ids[1])
		if err != nil || r.Reference != "BBBB-BBBB" {
			t.Fatalf("complete = %q, %v; want BBBB-BBBB", r.Reference, err)
		}
	})
	t.Run("gives up after repeated collisions", func(t *testing.T) {
		refs := make([]string, maxReferenceTries+1)
		for i := range refs {
			refs[i] = "AAAA-AAAA"
		}
		fixedReferences(db, refs...)
		_, err := complete(ids[2])
		wantCode(t, err, consult.EINTERNAL)
		if got, _ := db.Response(ctx, ids[2]); got.Completed() {
			t.Errorf("failed complete stored %+v", got)
		}
	})
	t.Run("import retries too", func(t *testing.T) {
		fixedReferences(db, "BBBB-BBBB", "CCCC-CCCC")
		rs := importBatch(c, 1)
		if _, err := db.ImportResponses(ctx, c.ID, rs); err != nil || rs[0].Reference != "CCCC-CCCC" {
			t.Fatalf("import = %q, %v; want CCCC-CCCC", rs[0].Reference, err)
		}
	})
}

func TestCompleteAfterCloseOrCancel(t *testing.T) {
	ctx := context.Background()
	db, path := openTestDB(t)
	c := createConsultation(t, db, "closing")
	ids := createResponses(t, db, c, 2)

	t.Run("after close", func(t *testing.T) {
		other, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Close(); err != nil {
			t.Fatal(err)
		}
		if err := other.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		err = other.CompleteResponse(ctx, &consult.Response{ID: ids[1], Version: 1})
		if !errors.Is(err, errClosed) {
			t.Fatalf("CompleteResponse after Close = %v, want errClosed", err)
		}
	})
}
