package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// parallel runs fn(i) for i in [0, Parallel) at once and returns the
// errors by i.
func parallel(fn func(i int) error) []error {
	errs := make([]error, Parallel)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// wantOneWinner fails unless exactly one error is nil and every other has
// the code.
func wantOneWinner(t *testing.T, errs []error, code string) {
	t.Helper()
	won := 0
	for i, err := range errs {
		switch consult.ErrorCode(err) {
		case "":
			won++
		case code:
		default:
			t.Errorf("writer %d: %v, want nil or %s", i, err, code)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d writers succeeded, want 1", won, len(errs))
	}
}

func (su *suite) testParallelWriters(t *testing.T) {
	s := su.open(t)
	t.Run("one slug", func(t *testing.T) {
		errs := parallel(func(int) error { return s.CreateConsultation(ctx, testConsultation("one-slug")) })
		wantOneWinner(t, errs, consult.ECONFLICT)
		cs, err := s.Consultations(ctx)
		if err != nil || len(cs) != 1 {
			t.Fatalf("Consultations = %d, %v; want 1", len(cs), err)
		}
	})
	c, err := s.Consultation(ctx, "one-slug")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("one response id", func(t *testing.T) {
		errs := parallel(func(i int) error {
			return s.CreateResponse(ctx, &consult.Response{ID: "same-id", ConsultationID: c.ID,
				Channel: consult.ChannelOnline, Answers: consult.Answers{Comments: fmt.Sprint(i)}})
		})
		wantOneWinner(t, errs, consult.ECONFLICT)
		if all, _, _ := s.CountResponses(ctx, c.ID); all != 1 {
			t.Errorf("%d responses stored, want 1", all)
		}
	})
	t.Run("distinct responses all stored", func(t *testing.T) {
		errs := parallel(func(i int) error {
			return s.CreateResponse(ctx, &consult.Response{ID: fmt.Sprintf("distinct-%d", i), ConsultationID: c.ID, Channel: consult.ChannelOnline})
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		}
		if all, _, _ := s.CountResponses(ctx, c.ID); all != 1+Parallel {
			t.Errorf("%d responses stored, want %d", all, 1+Parallel)
		}
	})
	t.Run("one resume code hash", func(t *testing.T) {
		hash := consult.HashResumeCode(consult.NewResumeCode())
		errs := parallel(func(i int) error { return s.SetResumeCode(ctx, fmt.Sprintf("distinct-%d", i), hash, "lot-1") })
		wantOneWinner(t, errs, consult.ECONFLICT)
	})
	t.Run("one setting", func(t *testing.T) {
		got := make([][]byte, Parallel)
		errs := parallel(func(i int) error {
			v, err := s.SetSettingIfAbsent(ctx, "session_keys", []byte(fmt.Sprintf("key-%d", i)))
			got[i] = v
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("writer %d: %v", i, err)
			}
			if !bytes.Equal(got[i], got[0]) {
				t.Fatalf("writers got %q and %q", got[0], got[i])
			}
		}
		if stored, err := s.Setting(ctx, "session_keys"); err != nil || !bytes.Equal(stored, got[0]) {
			t.Fatalf("stored %q, %v; writers got %q", stored, err, got[0])
		}
	})
	t.Run("one import, many times at once", func(t *testing.T) {
		batch := importBatch(20, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
		var added atomic.Int64
		errs := parallel(func(int) error {
			n, err := s.ImportResponses(ctx, c.ID, clone(batch))
			added.Add(int64(n))
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("importer %d: %v", i, err)
			}
		}
		if added.Load() != 20 {
			t.Errorf("importers added %d in all, want 20", added.Load())
		}
		if _, completed, _ := s.CountResponses(ctx, c.ID); completed != 20 {
			t.Errorf("%d completed stored, want 20", completed)
		}
	})
}

func (su *suite) testSharedDatabase(t *testing.T) {
	if su.another == nil {
		t.Skip("the store was given no way to open its database again")
	}
	a := su.open(t)
	b := su.another(t, a)
	t0 := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	t.Run("rate limits count across servers", func(t *testing.T) {
		var allowed atomic.Int32
		parallel(func(i int) error {
			s := a
			if i%2 == 1 {
				s = b
			}
			ok, _, err := s.Allow(ctx, "shared", 10, time.Minute, t0)
			if ok {
				allowed.Add(1)
			}
			return err
		})
		if allowed.Load() != 10 {
			t.Errorf("%d allowed across two servers, want 10", allowed.Load())
		}
	})
	t.Run("settings agree across servers", func(t *testing.T) {
		va, err := a.SetSettingIfAbsent(ctx, "session_keys", []byte("from-a"))
		if err != nil {
			t.Fatal(err)
		}
		vb, err := b.SetSettingIfAbsent(ctx, "session_keys", []byte("from-b"))
		if err != nil || !bytes.Equal(va, vb) {
			t.Fatalf("servers hold %q and %q (%v)", va, vb, err)
		}
	})
	t.Run("a completion on one is seen by the other at once", func(t *testing.T) {
		c := createConsultation(t, a, "shared")
		r := createResponse(t, a, c)
		if err := b.SetResumeCode(ctx, r.ID, consult.HashResumeCode("SHAREDCODE"), "lot-1"); err != nil {
			t.Fatal(err)
		}
		r.Answers = testAnswers("north")
		if err := a.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := b.Response(ctx, r.ID)
		if err != nil || !got.Completed() || got.Reference != r.Reference {
			t.Fatalf("the other server reads %+v, %v", got, err)
		}
		stale := *r
		stale.Version = 1
		wantCode(t, b.CompleteResponse(ctx, &stale), consult.ESUBMITTED)
		_, _, err = b.ResponseByResumeCode(ctx, consult.HashResumeCode("SHAREDCODE"))
		wantCode(t, err, consult.ENOTFOUND)
	})
	t.Run("a save on one makes the other's copy stale", func(t *testing.T) {
		c, err := b.Consultation(ctx, "shared")
		if err != nil {
			t.Fatal(err)
		}
		r := createResponse(t, b, c)
		onA := mustResponse(t, a, r.ID)
		r.Answers.Comments = "saved on b"
		if err := b.SaveResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		onA.Answers.Comments = "saved on a"
		wantCode(t, a.SaveResponse(ctx, onA), consult.ECONFLICT)
	})
}
