package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkResponseStats times the dashboard's counts over 100,000
// responses: spread over 60 days and three channels, two thirds completed,
// the rest stopped at stages 0 to 9.
func BenchmarkResponseStats(b *testing.B) {
	ctx := context.Background()
	db, _ := openTestDB(b)
	c := createConsultation(b, db, "roads-2027")
	const n = 100_000
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	insert, err := tx.PrepareContext(ctx, `
		INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers, created_at, updated_at, completed_at, reference)
		VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	channels := []string{"online", "interview", "paper"}
	for i := 0; i < n; i++ {
		at := formatTime(start.Add(time.Duration(i) * (60 * 24 * time.Hour / n)))
		var done, ref any
		if i%3 != 0 {
			done, ref = at, fmt.Sprintf("R%07d", i)
		}
		if _, err := insert.ExecContext(ctx, uuid.NewString(), c.ID, c.GridVersion, channels[i%3], i%10, at, at, done, ref); err != nil {
			b.Fatal(err)
		}
	}
	insert.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := db.ResponseStats(ctx, c.ID)
		if err != nil {
			b.Fatal(err)
		}
		if st.Completed != n-(n+2)/3 || len(st.Days) < 60*3 {
			b.Fatalf("completed %d, %d day rows", st.Completed, len(st.Days))
		}
	}
}
