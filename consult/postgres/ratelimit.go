package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// sweepEvery is how many Allow calls pass between deletions of every
// expired window (each call also deletes its own key's old windows).
const sweepEvery = 1000

// Allow records one event for key in the fixed window holding now and
// reports whether it is within limit events per window. The count is one
// upsert, which PostgreSQL runs atomically row by row however many servers
// call at once: a refused event is not counted. When refused, retryAfter
// is the time until the window ends.
func (db *DB) Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	if window <= 0 {
		return false, 0, fmt.Errorf("rate limit %s: window %v is not positive", key, window)
	}
	start := consult.RateWindow(now, window)
	end := start.Add(window)
	retry := end.Sub(now)
	if limit <= 0 {
		return false, retry, nil
	}
	if db.allowCalls.Add(1)%sweepEvery == 0 {
		if _, err := db.pool.Exec(ctx, `DELETE FROM rate_limits WHERE expires_at <= $1`, now.UnixNano()); err != nil {
			return false, 0, fmt.Errorf("rate limit %s: sweep: %w", key, err)
		}
	}
	var count int
	// The key's earlier windows go in the same statement.
	err := db.pool.QueryRow(ctx, `
		WITH old AS (
			DELETE FROM rate_limits WHERE key = $1 AND window_ns = $2 AND window_start < $3
		)
		INSERT INTO rate_limits AS l (key, window_ns, window_start, count, expires_at)
		VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT (key, window_ns, window_start) DO UPDATE SET count = l.count + 1
		WHERE l.count < $5
		RETURNING count`,
		key, int64(window), start.UnixNano(), end.UnixNano(), limit).Scan(&count)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, retry, nil
	} else if err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return true, 0, nil
}
