package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
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
