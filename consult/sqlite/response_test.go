package sqlite

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

func TestCreateResponse(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "answers")
	r := createResponse(t, db, c)

	t.Run("get returns what was stored", func(t *testing.T) {
		got, err := db.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("got  %+v\nwant %+v", got, r)
		}
		if got.Completed() || got.Reference != "" {
			t.Errorf("new response is complete: %+v", got)
		}
	})
	t.Run("zero grid version means the current one", func(t *testing.T) {
		r := &consult.Response{ID: "6f1c2a9e-0000-4000-8000-000000000001", ConsultationID: c.ID, Channel: consult.ChannelInterview}
		if err := db.CreateResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.GridVersion != c.GridVersion {
			t.Errorf("GridVersion = %d, want %d", r.GridVersion, c.GridVersion)
		}
	})
	t.Run("errors", func(t *testing.T) {
		other := createConsultation(t, db, "other")
		tests := []struct {
			name string
			r    consult.Response
			code string
		}{
			{"id exists", consult.Response{ID: r.ID, ConsultationID: c.ID, GridVersion: c.GridVersion}, consult.ECONFLICT},
			{"no id", consult.Response{ConsultationID: c.ID}, consult.EINVALID},
			{"no consultation", consult.Response{ID: "a", ConsultationID: 999}, consult.ENOTFOUND},
			{"no grid version", consult.Response{ID: "b", ConsultationID: c.ID, GridVersion: 999}, consult.ENOTFOUND},
			{"another consultation's grid", consult.Response{ID: "c", ConsultationID: c.ID, GridVersion: other.GridVersion}, consult.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.CreateResponse(ctx, &tt.r), tt.code)
			})
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		_, err := db.Response(ctx, "nobody")
		wantCode(t, err, consult.ENOTFOUND)
	})
}

func TestSaveAndCompleteResponse(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "journey")
	r := createResponse(t, db, c)

	t.Run("save", func(t *testing.T) {
		r.Reached = 3
		r.Answers.Current = []int{2, 2, 0}
		r.Answers.Lots = []grid.Package{{2, 1, 2}}
		if err := db.SaveResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reached != 3 || !reflect.DeepEqual(got.Answers, r.Answers) || got.Completed() {
			t.Errorf("saved response reads back as %+v", got)
		}
	})
	t.Run("complete", func(t *testing.T) {
		r.Reached = 7
		r.Answers = testAnswers("north")
		r.Answers.Comments = "Keep the libraries open."
		if err := db.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.Reference == "" || r.CompletedAt.IsZero() {
			t.Fatalf("CompleteResponse left Reference=%q CompletedAt=%v", r.Reference, r.CompletedAt)
		}
		got, err := db.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("got  %+v\nwant %+v", got, r)
		}
	})
	t.Run("refused after completion", func(t *testing.T) {
		tests := []struct {
			name string
			op   func(*consult.Response) error
		}{
			{"complete again", func(r *consult.Response) error { return db.CompleteResponse(ctx, r) }},
			{"save", func(r *consult.Response) error { return db.SaveResponse(ctx, r) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, err := db.Response(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				changed := *before
				changed.Answers = testAnswers("south")
				changed.Reached = 1
				wantCode(t, tt.op(&changed), consult.ESUBMITTED)
				after, err := db.Response(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(after, before) {
					t.Errorf("refused %s changed the response:\nbefore %+v\nafter  %+v", tt.name, before, after)
				}
			})
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		missing := &consult.Response{ID: "missing"}
		wantCode(t, db.SaveResponse(ctx, missing), consult.ENOTFOUND)
		wantCode(t, db.CompleteResponse(ctx, missing), consult.ENOTFOUND)
	})
}

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

func TestCountAndEachCompleted(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "counted")
	other := createConsultation(t, db, "other")
	completeResponse(t, db, other)

	// Completion times out of id order, with a tie broken by id.
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	plan := []struct {
		id     string
		offset time.Duration
	}{
		{"c", 2 * time.Minute},
		{"a", 3 * time.Minute},
		{"d", time.Minute},
		{"b", 2 * time.Minute},
	}
	for _, p := range plan {
		db.now = func() time.Time { return base.Add(p.offset) }
		r := &consult.Response{ID: p.id, ConsultationID: c.ID, GridVersion: c.GridVersion, Channel: consult.ChannelOnline}
		if err := db.CreateResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	db.now = time.Now
	createResponse(t, db, c) // in progress: counted, never listed

	t.Run("count", func(t *testing.T) {
		all, completed, err := db.CountResponses(ctx, c.ID)
		if err != nil || all != 5 || completed != 4 {
			t.Errorf("CountResponses = %d, %d, %v; want 5, 4", all, completed, err)
		}
	})
	t.Run("order", func(t *testing.T) {
		var got []string
		err := db.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			if !r.Completed() || r.ConsultationID != c.ID {
				t.Errorf("listed %+v", r)
			}
			got = append(got, r.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"d", "b", "c", "a"}; !reflect.DeepEqual(got, want) {
			t.Errorf("EachCompleted order = %v, want %v", got, want)
		}
	})
	t.Run("stops at an error", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := db.EachCompleted(ctx, c.ID, func(*consult.Response) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("EachCompleted = %v after %d calls, want stop after 1", err, calls)
		}
	})
	t.Run("writes while streaming", func(t *testing.T) {
		// The stream holds a reader; the writer must not wait for it.
		err := db.EachCompleted(ctx, c.ID, func(*consult.Response) error {
			createResponse(t, db, c)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	_, err := db.Setting(ctx, "session_key")
	wantCode(t, err, consult.ENOTFOUND)
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"first set stores", "secret-1", "secret-1"},
		{"second set keeps the first", "secret-2", "secret-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.SetSettingIfAbsent(ctx, "session_key", []byte(tt.value))
			if err != nil || string(got) != tt.want {
				t.Errorf("SetSettingIfAbsent = %q, %v; want %q", got, err, tt.want)
			}
			stored, err := db.Setting(ctx, "session_key")
			if err != nil || string(stored) != tt.want {
				t.Errorf("Setting = %q, %v; want %q", stored, err, tt.want)
			}
		})
	}
	t.Run("binary value", func(t *testing.T) {
		value := []byte{0, 1, 2, 255}
		got, err := db.SetSettingIfAbsent(ctx, "raw", value)
		if err != nil || !reflect.DeepEqual(got, value) {
			t.Errorf("SetSettingIfAbsent = %v, %v; want %v", got, err, value)
		}
	})
}

func TestReferenceRetry(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "refs")
	ids := createResponses(t, db, c, 3)
	complete := func(id string) (*consult.Response, error) {
		r := &consult.Response{ID: id, Reached: 7, Answers: testAnswers("north")}
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
		err := db.CompleteResponse(cancelled, &consult.Response{ID: ids[0]})
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
		err = other.CompleteResponse(ctx, &consult.Response{ID: ids[1]})
		if !errors.Is(err, errClosed) {
			t.Fatalf("CompleteResponse after Close = %v, want errClosed", err)
		}
	})
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
		if err := db.CompleteResponse(ctx, &consult.Response{ID: id, Reached: 7}); err != nil {
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
		rs[i] = &consult.Response{ID: id, Reached: 7, Answers: testAnswers("south")}
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
