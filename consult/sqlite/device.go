package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// CreateDevice stores a new device, setting d.ID and d.CreatedAt.
func (db *DB) CreateDevice(ctx context.Context, d *consult.Device) error {
	cs, err := json.Marshal(nonNil(d.Consultations))
	if err != nil {
		return fmt.Errorf("create device: %w", err)
	}
	now := db.now().UTC()
	res, err := db.write.ExecContext(ctx, `INSERT INTO devices (user_id, label, token_hash, consultations, created_at) VALUES (?, ?, ?, ?, ?)`,
		d.UserID, d.Label, d.TokenHash, string(cs), formatTime(now))
	if err != nil {
		if isUnique(err, "token_hash") {
			return consult.Errorf(consult.ECONFLICT, "That device token is taken; make another.")
		}
		return fmt.Errorf("create device: %w", err)
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create device: %w", err)
	}
	d.CreatedAt = now
	return nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

const deviceColumns = `id, user_id, label, token_hash, consultations, created_at, revoked_at`

func scanDevice(row interface{ Scan(...any) error }) (*consult.Device, error) {
	var d consult.Device
	var cs, created string
	var revoked sql.NullString
	if err := row.Scan(&d.ID, &d.UserID, &d.Label, &d.TokenHash, &cs, &created, &revoked); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cs), &d.Consultations); err != nil {
		return nil, fmt.Errorf("device %d: consultations: %w", d.ID, err)
	}
	var err error
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if revoked.Valid {
		if d.RevokedAt, err = parseTime(revoked.String); err != nil {
			return nil, err
		}
	}
	return &d, nil
}

// DeviceByToken returns the device a token's hash belongs to.
func (db *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (*consult.Device, error) {
	d, err := scanDevice(db.read.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE token_hash = ?`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, consult.Errorf(consult.ENOTFOUND, "There is no such device.")
	} else if err != nil {
		return nil, fmt.Errorf("device by token: %w", err)
	}
	return d, nil
}

// Devices lists every device, newest first.
func (db *DB) Devices(ctx context.Context) ([]*consult.Device, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	defer rows.Close()
	var ds []*consult.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("devices: %w", err)
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// RevokeDevice revokes a device from time at on; revoking it again keeps
// the first time.
func (db *DB) RevokeDevice(ctx context.Context, id int64, at time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, formatTime(at), id)
	if err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return consult.Errorf(consult.ENOTFOUND, "There is no device %d.", id)
	}
	return nil
}

// EraseResponse deletes a response and its resume codes and leaves a
// tombstone, in one transaction.
func (db *DB) EraseResponse(ctx context.Context, id string, at time.Time) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("erase response: begin: %w", err)
	}
	defer tx.Rollback()
	var consultationID int64
	err = tx.QueryRowContext(ctx, `SELECT consultation_id FROM responses WHERE id = ?`, id).Scan(&consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		return consult.Errorf(consult.ENOTFOUND, "There is no response %s.", id)
	} else if err != nil {
		return fmt.Errorf("erase response: %w", err)
	}
	for _, q := range []string{`DELETE FROM resume_codes WHERE response_id = ?`, `DELETE FROM responses WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("erase response: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO erased_responses (id, consultation_id, erased_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		id, consultationID, formatTime(at)); err != nil {
		return fmt.Errorf("erase response: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("erase response: commit: %w", err)
	}
	return nil
}

// Erased reports whether the response with the given id was erased.
func (db *DB) Erased(ctx context.Context, id string) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM erased_responses WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("erased: %w", err)
	}
	return n > 0, nil
}
