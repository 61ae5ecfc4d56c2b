package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/google/uuid"
)

// importBatch makes n completed interview responses to c.
func importBatch(c *consult.Consultation, n int) []*consult.Response {
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	rs := make([]*consult.Response, n)
	for i := range rs {
		rs[i] = &consult.Response{
			ID:          uuid.NewString(),
			Channel:     consult.ChannelInterview,
			Reached:     7,
			Answers:     testAnswers([]string{"north", "south"}[i%2]),
			CompletedAt: base.Add(time.Duration(i) * time.Second),
		}
	}
	return rs
}

// clone copies responses so a re-import starts from the caller's values.
func clone(rs []*consult.Response) []*consult.Response {
	out := make([]*consult.Response, len(rs))
	for i, r := range rs {
		cp := *r
		out[i] = &cp
	}
	return out
}

func TestImportResponses(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "imported")
	batch := importBatch(c, 50)
	original := clone(batch)

	count := func(t *testing.T) (all, completed int) {
		t.Helper()
		all, completed, err := db.CountResponses(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return all, completed
	}

	t.Run("first import adds all", func(t *testing.T) {
		added, err := db.ImportResponses(ctx, c.ID, batch)
		if err != nil || added != 50 {
			t.Fatalf("ImportResponses = %d, %v; want 50", added, err)
		}
		if all, completed := count(t); all != 50 || completed != 50 {
			t.Errorf("count = %d, %d; want 50, 50", all, completed)
		}
		refs := map[string]bool{}
		for _, r := range batch {
			if r.Reference == "" || refs[r.Reference] || r.GridVersion != c.GridVersion || r.ConsultationID != c.ID {
				t.Fatalf("imported response %+v", r)
			}
			refs[r.Reference] = true
		}
		got, err := db.Response(ctx, batch[7].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CompletedAt.Equal(original[7].CompletedAt) || got.Channel != consult.ChannelInterview || got.Reference != batch[7].Reference {
			t.Errorf("stored %+v", got)
		}
	})
	t.Run("re-import is idempotent", func(t *testing.T) {
		again := append(clone(original), importBatch(c, 2)...)
		added, err := db.ImportResponses(ctx, c.ID, again)
		if err != nil || added != 2 {
			t.Fatalf("ImportResponses = %d, %v; want 2 new", added, err)
		}
		if all, _ := count(t); all != 52 {
			t.Errorf("count = %d, want 52", all)
		}
	})
	tests := []struct {
		name   string
		change func(r *consult.Response)
	}{
		{"different lots", func(r *consult.Response) { r.Answers.Lots = []grid.Package{{1, 1, 1}, {2, 2, 2}, {3, 2, 2}} }},
		{"different about-you answer", func(r *consult.Response) { r.Answers.About = map[string]string{"area": "elsewhere"} }},
		{"different current level", func(r *consult.Response) { r.Answers.Current = []int{1, 0, 2} }},
		{"different channel", func(r *consult.Response) { r.Channel = consult.ChannelPaper }},
		{"different completion time", func(r *consult.Response) { r.CompletedAt = r.CompletedAt.Add(time.Second) }},
	}
	for _, tt := range tests {
		t.Run("conflict: "+tt.name, func(t *testing.T) {
			fresh := importBatch(c, 3)
			conflicting := clone(original[10:11])
			tt.change(conflicting[0])
			rs := append(fresh, conflicting...)
			added, err := db.ImportResponses(ctx, c.ID, rs)
			wantCode(t, err, consult.ECONFLICT)
			if !strings.Contains(consult.ErrorMessage(err), original[10].ID) {
				t.Errorf("message %q does not name %s", consult.ErrorMessage(err), original[10].ID)
			}
			if added != 0 {
				t.Errorf("added = %d, want 0", added)
			}
			if all, _ := count(t); all != 52 {
				t.Errorf("count = %d after a refused import, want 52 (all or nothing)", all)
			}
			for _, r := range fresh {
				if _, err := db.Response(ctx, r.ID); consult.ErrorCode(err) != consult.ENOTFOUND {
					t.Errorf("response %s of a refused import was stored (%v)", r.ID, err)
				}
				if r.Reference != "" {
					t.Errorf("response %s of a refused import got reference %s", r.ID, r.Reference)
				}
			}
		})
	}
	t.Run("what the wide CSV does not carry is no conflict", func(t *testing.T) {
		// An online response holds comments, an explicit "prefer not to
		// say", unanswered current levels and a nanosecond completion
		// time; its export re-imports as the same record.
		same := clone(original[20:21])
		same[0].Answers.Comments = "not in the CSV"
		same[0].Answers.About["age_band"] = ""
		same[0].CompletedAt = same[0].CompletedAt.Add(999 * time.Millisecond)
		if added, err := db.ImportResponses(ctx, c.ID, same); err != nil || added != 0 {
			t.Fatalf("ImportResponses = %d, %v; want 0, nil", added, err)
		}
	})
	t.Run("conflict within one batch", func(t *testing.T) {
		rs := importBatch(c, 2)
		dup := *rs[0]
		dup.Answers.Lots = []grid.Package{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}
		_, err := db.ImportResponses(ctx, c.ID, append(rs, &dup))
		wantCode(t, err, consult.ECONFLICT)
	})
	t.Run("conflict with an in-progress response", func(t *testing.T) {
		r := createResponse(t, db, c)
		in := &consult.Response{ID: r.ID, Channel: r.Channel, Answers: r.Answers, CompletedAt: time.Now()}
		_, err := db.ImportResponses(ctx, c.ID, []*consult.Response{in})
		wantCode(t, err, consult.ECONFLICT)
	})
	t.Run("errors", func(t *testing.T) {
		other := createConsultation(t, db, "elsewhere")
		tests := []struct {
			name           string
			consultationID int64
			r              consult.Response
			code           string
		}{
			{"no consultation", 999, consult.Response{ID: "x", CompletedAt: time.Now()}, consult.ENOTFOUND},
			{"no id", c.ID, consult.Response{CompletedAt: time.Now()}, consult.EINVALID},
			{"not completed", c.ID, consult.Response{ID: "y"}, consult.EINVALID},
			{"another consultation's grid", c.ID, consult.Response{ID: "z", GridVersion: other.GridVersion, CompletedAt: time.Now()}, consult.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.ImportResponses(ctx, tt.consultationID, []*consult.Response{&tt.r})
				wantCode(t, err, tt.code)
			})
		}
	})
}

func TestImportLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large import")
	}
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "large")
	// Correctness at size; the speed is measured by BenchmarkImportResponses.
	n := 10_000
	if raceEnabled {
		n = 2_000
	}
	rs := importBatch(c, n)
	added, err := db.ImportResponses(ctx, c.ID, rs)
	if err != nil || added != n {
		t.Fatalf("ImportResponses = %d, %v; want %d", added, err, n)
	}
	added, err = db.ImportResponses(ctx, c.ID, clone(rs))
	if err != nil || added != 0 {
		t.Fatalf("re-import = %d, %v; want 0", added, err)
	}
	seen := 0
	err = db.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
		if r.ID != rs[seen].ID {
			return fmt.Errorf("response %d is %s, want %s", seen, r.ID, rs[seen].ID)
		}
		seen++
		return nil
	})
	if err != nil || seen != n {
		t.Fatalf("EachCompleted saw %d: %v", seen, err)
	}
}

// BenchmarkImportResponses imports 100,000 responses in one transaction,
// then re-imports them (all skipped).
func BenchmarkImportResponses(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		db, _ := openTestDB(b)
		c := createConsultation(b, db, "large")
		rs := importBatch(c, 100_000)
		b.StartTimer()
		if added, err := db.ImportResponses(ctx, c.ID, rs); err != nil || added != len(rs) {
			b.Fatalf("ImportResponses = %d, %v", added, err)
		}
		if added, err := db.ImportResponses(ctx, c.ID, clone(rs)); err != nil || added != 0 {
			b.Fatalf("re-import = %d, %v", added, err)
		}
	}
}
