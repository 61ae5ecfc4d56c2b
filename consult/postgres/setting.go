package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// Setting returns a stored setting. ENOTFOUND if it is unset.
func (db *DB) Setting(ctx context.Context, key string) ([]byte, error) {
	var value []byte
	err := db.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, consult.Errorf(consult.ENOTFOUND, "The setting %q is not set.", key)
	} else if err != nil {
		return nil, fmt.Errorf("get setting %s: %w", key, err)
	}
	return value, nil
}

// SetSettingIfAbsent stores a setting unless one exists, and returns the
// stored value: value if it was absent, else the one stored before. Of
// servers racing to set the same key, all get the winner's value: a
// loser's insert waits for the winner's commit, then reads its row.
func (db *DB) SetSettingIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if value == nil {
		value = []byte{}
	}
	var stored []byte
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&stored)
	})
	if err != nil {
		return nil, fmt.Errorf("set setting %s: %w", key, err)
	}
	return stored, nil
}
