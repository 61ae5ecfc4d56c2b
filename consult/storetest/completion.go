package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

func (su *suite) testCompletion(t *testing.T) {
	t.Run("parallel completions of one response: exactly one wins", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "race")
		r := createResponse(t, s, c)
		var wg sync.WaitGroup
		errs := make([]error, Parallel)
		copies := make([]*consult.Response, Parallel)
		for i := range copies {
			cp := *r
			cp.Answers = testAnswers("north")
			cp.Answers.Comments = string(rune('A' + i))
			copies[i] = &cp
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.CompleteResponse(ctx, copies[i])
			}()
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch consult.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Fatalf("completions %d and %d both succeeded", winner, i)
				}
				winner = i
			case consult.ESUBMITTED:
			default:
				t.Fatalf("completion %d: %v", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no completion succeeded")
		}
		got := mustResponse(t, s, r.ID)
		if got.Answers.Comments != copies[winner].Answers.Comments || got.Reference != copies[winner].Reference {
			t.Errorf("stored %q/%s, winner wrote %q/%s", got.Answers.Comments, got.Reference,
				copies[winner].Answers.Comments, copies[winner].Reference)
		}
	})
	t.Run("parallel completions of many: each its own outcome, distinct references", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "mixed")
		var rs []*consult.Response
		for range Parallel + 10 {
			rs = append(rs, createResponse(t, s, c))
		}
		for _, r := range rs[:10] {
			if err := s.CompleteResponse(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		calls := make([]*consult.Response, 0, len(rs)+2)
		for _, r := range rs {
			cp := *r
			cp.Version = 1
			cp.Answers = testAnswers("south")
			calls = append(calls, &cp)
		}
		calls = append(calls, &consult.Response{ID: "unknown-1", Version: 1}, &consult.Response{ID: "unknown-2", Version: 1})
		errs := make([]error, len(calls))
		var wg sync.WaitGroup
		for i := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.CompleteResponse(ctx, calls[i])
			}()
		}
		wg.Wait()
		refs := map[string]bool{}
		for i, err := range errs {
			want := ""
			switch {
			case i < 10:
				want = consult.ESUBMITTED
			case i >= len(rs):
				want = consult.ENOTFOUND
			}
			if got := consult.ErrorCode(err); got != want {
				t.Errorf("completion %d: %v, want code %q", i, err, want)
			}
			if want == "" {
				if calls[i].Reference == "" || refs[calls[i].Reference] {
					t.Errorf("completion %d: reference %q missing or repeated", i, calls[i].Reference)
				}
				refs[calls[i].Reference] = true
				if got := mustResponse(t, s, calls[i].ID); got.Reference != calls[i].Reference || !got.Completed() {
					t.Errorf("completion %d reads back as %+v", i, got)
				}
			}
		}
		if _, completed, err := s.CountResponses(ctx, c.ID); err != nil || completed != len(rs) {
			t.Errorf("completed = %d, %v; want %d", completed, err, len(rs))
		}
	})
	t.Run("a cancelled context stores nothing", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "cancelled")
		r := createResponse(t, s, c)
		cancelled, cancel := contextWithCancel()
		cancel()
		r.Answers = testAnswers("north")
		if err := s.CompleteResponse(cancelled, r); err == nil {
			t.Fatal("CompleteResponse with a cancelled context succeeded")
		}
		if got := mustResponse(t, s, r.ID); got.Completed() {
			t.Errorf("a cancelled completion stored %+v", got)
		}
	})
	t.Run("durable: acknowledged completions survive closing the store", func(t *testing.T) {
		if su.another == nil {
			t.Skip("the store was given no way to open its database again")
		}
		s := su.open(t)
		c := createConsultation(t, s, "durable")
		later := su.another(t, s)
		var rs []*consult.Response
		for range Parallel {
			rs = append(rs, createResponse(t, s, c))
		}
		var wg sync.WaitGroup
		errs := make([]error, len(rs))
		for i, r := range rs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.Answers = testAnswers("north")
				errs[i] = s.CompleteResponse(ctx, r)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			got, err := later.Response(ctx, r.ID)
			if err != nil || !got.Completed() || got.Reference != r.Reference || !got.CompletedAt.Equal(r.CompletedAt) {
				t.Fatalf("acknowledged %s reads back as %+v, %v", r.ID, got, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
}

func (su *suite) testListing(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "counted")
	other := createConsultation(t, s, "other")
	completeResponse(t, s, other)
	// Completion times to the second, then ids, decide the order.
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	plan := []struct {
		id     string
		offset time.Duration
	}{
		{"c", 2*time.Minute + 900*time.Millisecond},
		{"a", 3 * time.Minute},
		{"d", time.Minute + 500*time.Millisecond},
		{"b", 2*time.Minute + 100*time.Millisecond},
	}
	var rs []*consult.Response
	for _, p := range plan {
		rs = append(rs, &consult.Response{ID: p.id, Channel: consult.ChannelPaper, Reached: 7,
			Answers: testAnswers("north"), CompletedAt: base.Add(p.offset)})
	}
	if _, err := s.ImportResponses(ctx, c.ID, rs); err != nil {
		t.Fatal(err)
	}
	live := completeResponse(t, s, c) // completed now: last
	createResponse(t, s, c)           // in progress: counted, never listed

	t.Run("count", func(t *testing.T) {
		all, completed, err := s.CountResponses(ctx, c.ID)
		if err != nil || all != 6 || completed != 5 {
			t.Errorf("CountResponses = %d, %d, %v; want 6, 5", all, completed, err)
		}
		all, completed, err = s.CountResponses(ctx, 999999)
		if err != nil || all != 0 || completed != 0 {
			t.Errorf("CountResponses(unknown) = %d, %d, %v; want 0, 0", all, completed, err)
		}
	})
	t.Run("order", func(t *testing.T) {
		var got []string
		err := s.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			if !r.Completed() || r.ConsultationID != c.ID || r.Reference == "" {
				t.Errorf("listed %+v", r)
			}
			got = append(got, r.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"d", "b", "c", "a", live.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("EachCompleted order = %v, want %v", got, want)
		}
	})
	t.Run("listed as stored", func(t *testing.T) {
		err := s.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			if want := mustResponse(t, s, r.ID); !reflect.DeepEqual(r, want) {
				t.Errorf("listed  %+v\nstored %+v", r, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("stops at an error", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := s.EachCompleted(ctx, c.ID, func(*consult.Response) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("EachCompleted = %v after %d calls, want stop after 1", err, calls)
		}
	})
	t.Run("writes while streaming", func(t *testing.T) {
		var ids []string
		err := s.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			ids = append(ids, createResponse(t, s, c).ID)
			return nil
		})
		if err != nil || len(ids) != 5 {
			t.Fatalf("EachCompleted = %v after %d writes", err, len(ids))
		}
		if all, _, _ := s.CountResponses(ctx, c.ID); all != 11 {
			t.Errorf("count after writes = %d, want 11", all)
		}
	})
	t.Run("an unknown consultation lists nothing", func(t *testing.T) {
		n := 0
		if err := s.EachCompleted(ctx, 999999, func(*consult.Response) error { n++; return nil }); err != nil || n != 0 {
			t.Errorf("EachCompleted(unknown) = %v after %d", err, n)
		}
	})
}
