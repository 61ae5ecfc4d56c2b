package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

// BenchmarkCompleteResponse measures durable completions from concurrent
// requests: each op is one CompleteResponse of a response created before
// the timer starts, acknowledged only after its commit is fsynced. The
// sub-benchmarks vary the number of concurrent callers.
func BenchmarkCompleteResponse(b *testing.B) {
	for _, parallelism := range []int{1, 8, 32} {
		callers := parallelism * runtime.GOMAXPROCS(0)
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			ctx := context.Background()
			db, _ := openTestDB(b)
			c := createConsultation(b, db, "bench")
			ids := createResponses(b, db, c, b.N)
			answers := testAnswers("north")
			answers.Comments = "Please keep the mobile library; my mother depends on it."

			var next atomic.Int64
			b.SetParallelism(parallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					r := &consult.Response{ID: ids[i], Reached: 7, Version: 1, Answers: answers}
					if err := db.CompleteResponse(ctx, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "completes/s")
			if _, completed, err := db.CountResponses(ctx, c.ID); err != nil || completed != b.N {
				b.Fatalf("completed %d of %d: %v", completed, b.N, err)
			}
		})
	}
}
