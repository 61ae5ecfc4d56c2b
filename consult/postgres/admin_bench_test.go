package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/postgres/pgtest"
	"github.com/budgetgrid/budgetgrid/grid"
)

// BenchmarkResponseStats times the dashboard's counts over 100,000
// responses, as SQLite's benchmark does: spread over 60 days and three
// channels, two thirds completed, the rest stopped at stages 0 to 9.
func BenchmarkResponseStats(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	c := &consult.Consultation{Slug: "roads-2027", Title: "Roads", Status: consult.Open, Lots: consult.LotSpec{Percent: []int{100}},
		Grid: &grid.Grid{Services: []grid.Service{{Key: "roads", Name: "Roads", Levels: []grid.Level{
			{Number: 1, Label: "Less", Points: 0}, {Number: 2, Label: "As now", Points: 2, AsNow: true}}}}}}
	if err := db.CreateConsultation(ctx, c); err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	start := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	// One statement makes them all: i's time is start + i × (60 days / n).
	_, err = db.pool.Exec(ctx, `
		INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers, created_at, updated_at, completed_at, completed_second, reference)
		SELECT 'bench-' || i, $1, $2, (ARRAY['online', 'interview', 'paper'])[i % 3 + 1], i % 10, '{}', at, at,
			CASE WHEN i % 3 <> 0 THEN at END, CASE WHEN i % 3 <> 0 THEN extract(epoch FROM at)::bigint END,
			CASE WHEN i % 3 <> 0 THEN 'R' || lpad(i::text, 7, '0') END
		FROM (SELECT i, $3::timestamptz + i * ($4::bigint * interval '1 microsecond') AS at FROM generate_series(0, $5 - 1) AS i) AS s`,
		c.ID, c.GridVersion, start, (60 * 24 * time.Hour / n).Microseconds(), n)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `ANALYZE responses`); err != nil {
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
