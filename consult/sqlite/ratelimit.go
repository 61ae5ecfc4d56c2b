package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// sweepEvery is how many Allow calls pass between deletions of every
// expired window (each call also deletes its own key's old windows).
const sweepEvery = 1000

// Allow records one event for key in the fixed window holding now and
// reports whether it is within limit events per window. The count is one
// upsert on the single writer, so it is atomic however many servers share
// the database: a refused event is not counted. When refused, retryAfter
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
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, 0, fmt.Errorf("rate limit %s: begin: %w", key, err)
	}
	defer tx.Rollback()
	// Each key's earlier windows go at once; other keys' expired windows
	// every sweepEvery calls.
	if _, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE key = ? AND window_ns = ? AND window_start < ?`,
		key, int64(window), start.UnixNano()); err != nil {
		return false, 0, fmt.Errorf("rate limit %s: delete old windows: %w", key, err)
	}
	if db.allowCalls.Add(1)%sweepEvery == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE expires_at <= ?`, now.UnixNano()); err != nil {
			return false, 0, fmt.Errorf("rate limit %s: sweep: %w", key, err)
		}
	}
	rows, err := tx.QueryContext(ctx, `
		INSERT INTO rate_limits (key, window_ns, window_start, count, expires_at)
		VALUES (?1, ?2, ?3, 1, ?4)
		ON CONFLICT (key, window_ns, window_start) DO UPDATE SET count = count + 1
		WHERE count < ?5
		RETURNING count`,
		key, int64(window), start.UnixNano(), end.UnixNano(), limit)
	if err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	allowed := rows.Next()
	if err := rows.Close(); err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if err := rows.Err(); err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if err := tx.Commit(); err != nil {
		return false, 0, fmt.Errorf("rate limit %s: commit: %w", key, err)
	}
	if !allowed {
		return false, retry, nil
	}
	return true, 0, nil
}
