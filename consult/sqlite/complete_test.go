package sqlite

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestConcurrentCompletes(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "race")
	r := createResponse(t, db, c)

	const n = 16
	var (
		wg     sync.WaitGroup
		errs   = make([]error, n)
		copies = make([]*consult.Response, n)
	)
	for i := range n {
		cp := *r
		cp.Answers = testAnswers("north")
		cp.Answers.Comments = string(rune('a' + i))
		copies[i] = &cp
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.CompleteResponse(ctx, copies[i])
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch consult.ErrorCode(err) {
		case "":
			if winner >= 0 {
				t.Fatalf("completes %d and %d both succeeded", winner, i)
			}
			winner = i
		case consult.ESUBMITTED:
		default:
			t.Fatalf("complete %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no complete succeeded")
	}
	got, err := db.Response(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answers.Comments != copies[winner].Answers.Comments || got.Reference != copies[winner].Reference {
		t.Errorf("stored %q/%s, winner wrote %q/%s", got.Answers.Comments, got.Reference,
			copies[winner].Answers.Comments, copies[winner].Reference)
	}
}

func TestConcurrentCompletesMixed(t *testing.T) {
	// Many completions at once share commits; each caller still gets its
	// own outcome: the already-complete and unknown ones fail, the rest
	// are stored with distinct references.
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "mixed")
	ids := createResponses(t, db, c, 60)
	for _, id := range ids[:10] {
		if err := db.CompleteResponse(ctx, &consult.Response{ID: id, Reached: 7, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}
	calls := append(slices.Clone(ids), "unknown-1", "unknown-2")
	want := func(i int) string {
		switch {
		case i < 10:
			return consult.ESUBMITTED
		case i >= len(ids):
			return consult.ENOTFOUND
		}
		return ""
	}
	var (
		wg   sync.WaitGroup
		errs = make([]error, len(calls))
		rs   = make([]*consult.Response, len(calls))
	)
	for i, id := range calls {
		rs[i] = &consult.Response{ID: id, Reached: 7, Version: 1, Answers: testAnswers("south")}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.CompleteResponse(ctx, rs[i])
		}()
	}
	wg.Wait()
	refs := map[string]bool{}
	for i, err := range errs {
		if got := consult.ErrorCode(err); got != want(i) {
			t.Errorf("complete %s: code %q (%v), want %q", calls[i], got, err, want(i))
		}
		if want(i) == "" {
			if refs[rs[i].Reference] {
				t.Errorf("reference %s handed out twice", rs[i].Reference)
			}
			refs[rs[i].Reference] = true
		}
	}
	if _, completed, err := db.CountResponses(ctx, c.ID); err != nil || completed != 60 {
		t.Errorf("completed = %d, %v; want 60", completed, err)
	}
}

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

	t.Run("cancelled context", func(t *testing.T) {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		err := db.CompleteResponse(cancelled, &consult.Response{ID: ids[0], Version: 1})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("CompleteResponse = %v, want context.Canceled", err)
		}
		if got, _ := db.Response(ctx, ids[0]); got.Completed() {
			t.Errorf("cancelled complete stored %+v", got)
		}
	})
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
