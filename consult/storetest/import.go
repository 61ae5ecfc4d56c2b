package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

func (su *suite) testImport(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "imported")
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	batch := importBatch(50, base)
	original := clone(batch)
	count := func(t *testing.T) int {
		t.Helper()
		all, completed, err := s.CountResponses(ctx, c.ID)
		if err != nil || all != completed {
			t.Fatalf("CountResponses = %d, %d, %v", all, completed, err)
		}
		return all
	}

	t.Run("first import adds all", func(t *testing.T) {
		added, err := s.ImportResponses(ctx, c.ID, batch)
		if err != nil || added != 50 {
			t.Fatalf("ImportResponses = %d, %v; want 50", added, err)
		}
		if n := count(t); n != 50 {
			t.Errorf("count = %d; want 50", n)
		}
		refs := map[string]bool{}
		for _, r := range batch {
			if r.Reference == "" || refs[r.Reference] || r.GridVersion != c.GridVersion || r.ConsultationID != c.ID || r.Version != 1 {
				t.Fatalf("imported response %+v", r)
			}
			refs[r.Reference] = true
		}
		got := mustResponse(t, s, batch[7].ID)
		if !got.CompletedAt.Equal(original[7].CompletedAt) || got.Channel != consult.ChannelInterview ||
			got.Reference != batch[7].Reference || got.Version != 1 || !consult.SameRecord(got, original[7]) {
			t.Errorf("stored %+v", got)
		}
	})
	t.Run("re-import is idempotent", func(t *testing.T) {
		again := append(clone(original), importBatch(2, base.Add(time.Hour))...)
		added, err := s.ImportResponses(ctx, c.ID, again)
		if err != nil || added != 2 {
			t.Fatalf("ImportResponses = %d, %v; want 2 new", added, err)
		}
		if n := count(t); n != 52 {
			t.Errorf("count = %d, want 52", n)
		}
		if got := mustResponse(t, s, original[3].ID); got.Reference != batch[3].Reference {
			t.Errorf("re-import changed the reference to %s", got.Reference)
		}
	})
	changes := []struct {
		name   string
		change func(r *consult.Response)
	}{
		{"different lots", func(r *consult.Response) { r.Answers.Lots = []grid.Package{{1, 1, 1}, {2, 2, 2}, {3, 2, 2}} }},
		{"different about-you answer", func(r *consult.Response) { r.Answers.About = map[string]string{"area": "elsewhere"} }},
		{"different current level", func(r *consult.Response) { r.Answers.Current = []int{1, 0, 2} }},
		{"different channel", func(r *consult.Response) { r.Channel = consult.ChannelPaper }},
		{"different completion time", func(r *consult.Response) { r.CompletedAt = r.CompletedAt.Add(time.Second) }},
	}
	for _, tt := range changes {
		t.Run("all or nothing on a conflict: "+tt.name, func(t *testing.T) {
			fresh := importBatch(3, base.Add(2*time.Hour))
			conflicting := clone(original[10:11])
			tt.change(conflicting[0])
			added, err := s.ImportResponses(ctx, c.ID, append(fresh, conflicting...))
			wantCode(t, err, consult.ECONFLICT)
			if !strings.Contains(consult.ErrorMessage(err), original[10].ID) {
				t.Errorf("message %q does not name %s", consult.ErrorMessage(err), original[10].ID)
			}
			if added != 0 {
				t.Errorf("added = %d, want 0", added)
			}
			if n := count(t); n != 52 {
				t.Errorf("count = %d after a refused import, want 52", n)
			}
			for _, r := range fresh {
				if _, err := s.Response(ctx, r.ID); consult.ErrorCode(err) != consult.ENOTFOUND {
					t.Errorf("response %s of a refused import was stored (%v)", r.ID, err)
				}
				if r.Reference != "" {
					t.Errorf("response %s of a refused import got reference %s", r.ID, r.Reference)
				}
			}
		})
	}
	t.Run("what the wide CSV does not carry is no conflict", func(t *testing.T) {
		same := clone(original[20:21])
		same[0].Answers.Comments = "not in the CSV"
		same[0].Answers.About = map[string]string{"area": same[0].Answers.About["area"], "age_band": ""}
		same[0].CompletedAt = same[0].CompletedAt.Add(999 * time.Millisecond)
		if added, err := s.ImportResponses(ctx, c.ID, same); err != nil || added != 0 {
			t.Fatalf("ImportResponses = %d, %v; want 0, nil", added, err)
		}
	})
	t.Run("conflict within one batch", func(t *testing.T) {
		rs := importBatch(2, base.Add(3*time.Hour))
		dup := *rs[0]
		dup.Answers.Lots = []grid.Package{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}
		_, err := s.ImportResponses(ctx, c.ID, append(rs, &dup))
		wantCode(t, err, consult.ECONFLICT)
		if n := count(t); n != 52 {
			t.Errorf("count = %d, want 52", n)
		}
	})
	t.Run("conflict with an in-progress response", func(t *testing.T) {
		other := createConsultation(t, s, "in-progress")
		r := createResponse(t, s, other)
		in := &consult.Response{ID: r.ID, Channel: r.Channel, Answers: r.Answers, CompletedAt: time.Now()}
		_, err := s.ImportResponses(ctx, other.ID, []*consult.Response{in})
		wantCode(t, err, consult.ECONFLICT)
		if got := mustResponse(t, s, r.ID); got.Completed() {
			t.Error("the import completed an in-progress response")
		}
	})
	t.Run("conflict with another consultation's response", func(t *testing.T) {
		other := createConsultation(t, s, "elsewhere-same-id")
		_, err := s.ImportResponses(ctx, other.ID, clone(original[:1]))
		wantCode(t, err, consult.ECONFLICT)
	})
	t.Run("an empty import adds nothing", func(t *testing.T) {
		if added, err := s.ImportResponses(ctx, c.ID, nil); err != nil || added != 0 {
			t.Fatalf("ImportResponses(nil) = %d, %v", added, err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		other := createConsultation(t, s, "elsewhere")
		tests := []struct {
			name           string
			consultationID int64
			r              consult.Response
			code           string
		}{
			{"no consultation", 999999, consult.Response{ID: "x", CompletedAt: time.Now()}, consult.ENOTFOUND},
			{"no id", c.ID, consult.Response{CompletedAt: time.Now()}, consult.EINVALID},
			{"not completed", c.ID, consult.Response{ID: "y"}, consult.EINVALID},
			{"another consultation's grid", c.ID, consult.Response{ID: "z", GridVersion: other.GridVersion, CompletedAt: time.Now()}, consult.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.ImportResponses(ctx, tt.consultationID, []*consult.Response{&tt.r})
				wantCode(t, err, tt.code)
			})
		}
		if n := count(t); n != 52 {
			t.Errorf("count = %d, want 52", n)
		}
	})
	t.Run("at size, in order", func(t *testing.T) {
		if testing.Short() {
			t.Skip("large import")
		}
		s := su.open(t)
		c := createConsultation(t, s, "large")
		n := 5_000
		rs := importBatch(n, base)
		added, err := s.ImportResponses(ctx, c.ID, rs)
		if err != nil || added != n {
			t.Fatalf("ImportResponses = %d, %v; want %d", added, err, n)
		}
		if added, err := s.ImportResponses(ctx, c.ID, clone(rs)); err != nil || added != 0 {
			t.Fatalf("re-import = %d, %v; want 0", added, err)
		}
		seen := 0
		err = s.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			if r.ID != rs[seen].ID {
				return fmt.Errorf("response %d is %s, want %s", seen, r.ID, rs[seen].ID)
			}
			seen++
			return nil
		})
		if err != nil || seen != n {
			t.Fatalf("EachCompleted saw %d: %v", seen, err)
		}
	})
}

func (su *suite) testPurge(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "purge")
	old := createResponse(t, s, c)
	if err := s.SetResumeCode(ctx, old.ID, consult.HashResumeCode("OLDCODE1"), "lot-1"); err != nil {
		t.Fatal(err)
	}
	oldDone := completeResponse(t, s, c)
	imported := importBatch(1, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	if _, err := s.ImportResponses(ctx, c.ID, imported); err != nil {
		t.Fatal(err)
	}
	// The cut-off lies between the old responses' last update and the
	// recent one's.
	time.Sleep(20 * time.Millisecond)
	cutoff := time.Now()
	time.Sleep(20 * time.Millisecond)
	recent := createResponse(t, s, c)
	saved := createResponse(t, s, c)
	if n, err := s.PurgeAbandoned(ctx, old.UpdatedAt); err != nil || n != 0 {
		t.Fatalf("PurgeAbandoned(before anything) = %d, %v; want 0", n, err)
	}
	n, err := s.PurgeAbandoned(ctx, cutoff)
	if err != nil || n != 1 {
		t.Fatalf("PurgeAbandoned = %d, %v; want 1", n, err)
	}
	_, err = s.Response(ctx, old.ID)
	wantCode(t, err, consult.ENOTFOUND)
	_, _, err = s.ResponseByResumeCode(ctx, consult.HashResumeCode("OLDCODE1"))
	wantCode(t, err, consult.ENOTFOUND)
	for _, r := range []*consult.Response{oldDone, imported[0], recent, saved} {
		if _, err := s.Response(ctx, r.ID); err != nil {
			t.Fatalf("response %s was purged: %v", r.ID, err)
		}
	}
	if all, completed, _ := s.CountResponses(ctx, c.ID); all != 4 || completed != 2 {
		t.Errorf("count after purge = %d, %d; want 4, 2", all, completed)
	}
	// A purged code's hash may be given again.
	if err := s.SetResumeCode(ctx, recent.ID, consult.HashResumeCode("OLDCODE1"), "lot-2"); err != nil {
		t.Errorf("reusing a purged code's hash: %v", err)
	}
	if n, err := s.PurgeAbandoned(ctx, cutoff); err != nil || n != 0 {
		t.Fatalf("second PurgeAbandoned = %d, %v; want 0", n, err)
	}
}
