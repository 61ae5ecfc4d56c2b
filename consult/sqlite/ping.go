package sqlite

import (
	"context"
	"fmt"
)

// Ping checks that both the read pool and the writer answer a query. The
// writer's answer waits its turn behind writes in hand.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("ping database readers: %w", err)
	}
	if err := db.write.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
		return fmt.Errorf("ping database writer: %w", err)
	}
	return nil
}
