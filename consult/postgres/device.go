package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// CreateDevice stores a new device, setting d.ID and d.CreatedAt.
func (db *DB) CreateDevice(ctx context.Context, d *consult.Device) error {
	ids := d.Consultations
	if ids == nil {
		ids = []int64{}
	}
	cs, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("create device: %w", err)
	}
	now := stamp(db.now())
	err = db.pool.QueryRow(ctx, `INSERT INTO devices (user_id, label, token_hash, consultations, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		d.UserID, d.Label, d.TokenHash, string(cs), now).Scan(&d.ID)
	if err != nil {
		if code, _ := pgCode(err); code == uniqueViolation {
			return consult.Errorf(consult.ECONFLICT, "That device token is taken; make another.")
		}
		return fmt.Errorf("create device: %w", err)
	}
	d.CreatedAt = now
	return nil
}

const deviceColumns = `id, user_id, label, token_hash, consultations, created_at, revoked_at`

func scanDevice(row pgx.Row) (*consult.Device, error) {
	var d consult.Device
	var cs string
	var revoked *time.Time
	if err := row.Scan(&d.ID, &d.UserID, &d.Label, &d.TokenHash, &cs, &d.CreatedAt, &revoked); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cs), &d.Consultations); err != nil {
		return nil, fmt.Errorf("device %d: consultations: %w", d.ID, err)
	}
	d.CreatedAt = d.CreatedAt.UTC()
	if revoked != nil {
		d.RevokedAt = revoked.UTC()
	}
	return &d, nil
}

// DeviceByToken returns the device a token's hash belongs to.
func (db *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (*consult.Device, error) {
	d, err := scanDevice(db.pool.QueryRow(ctx, `SELECT `+deviceColumns+` FROM devices WHERE token_hash = $1`, tokenHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, consult.Errorf(consult.ENOTFOUND, "There is no such device.")
	} else if err != nil {
		return nil, fmt.Errorf("device by token: %w", err)
	}
	return d, nil
}

// Devices lists every device, newest first.
func (db *DB) Devices(ctx context.Context) ([]*consult.Device, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY id DESC`)
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
	tag, err := db.pool.Exec(ctx, `UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, stamp(at), id)
	if err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return consult.Errorf(consult.ENOTFOUND, "There is no device %d.", id)
	}
	return nil
}

// EraseResponse deletes a response and its resume codes and leaves a
// tombstone, in one transaction.
func (db *DB) EraseResponse(ctx context.Context, id string, at time.Time) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var consultationID int64
		err := tx.QueryRow(ctx, `SELECT consultation_id FROM responses WHERE id = $1 FOR UPDATE`, id).Scan(&consultationID)
		if errors.Is(err, pgx.ErrNoRows) {
			return consult.Errorf(consult.ENOTFOUND, "There is no response %s.", id)
		} else if err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM resume_codes WHERE response_id = $1`, `DELETE FROM responses WHERE id = $1`} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO erased_responses (id, consultation_id, erased_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, id, consultationID, stamp(at))
		return err
	})
	if err != nil && consult.ErrorCode(err) == consult.EINTERNAL {
		return fmt.Errorf("erase response: %w", err)
	}
	return err
}

// Erased reports whether the response with the given id was erased.
func (db *DB) Erased(ctx context.Context, id string) (bool, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM erased_responses WHERE id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("erased: %w", err)
	}
	return n > 0, nil
}
