package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
)

// Setting returns a stored setting. ENOTFOUND if it is unset.
func (db *DB) Setting(ctx context.Context, key string) ([]byte, error) {
	var value []byte
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, consult.Errorf(consult.ENOTFOUND, "The setting %q is not set.", key)
	} else if err != nil {
		return nil, fmt.Errorf("get setting %s: %w", key, err)
	}
	return value, nil
}

// SetSettingIfAbsent stores a setting unless one exists, and returns the
// stored value: value if it was absent, else the one stored before. Of two
// processes racing to set the same key, both get the winner's value.
func (db *DB) SetSettingIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if value == nil {
		value = []byte{}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("set setting %s: begin: %w", key, err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return nil, fmt.Errorf("set setting %s: %w", key, err)
	}
	var stored []byte
	if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&stored); err != nil {
		return nil, fmt.Errorf("set setting %s: read back: %w", key, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("set setting %s: commit: %w", key, err)
	}
	return stored, nil
}
