package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// SetResumeCode stores a resume code's hash for an in-progress response,
// beside any codes it was given before. ESUBMITTED if the response is
// complete; ENOTFOUND if there is none; ECONFLICT if the hash is taken.
func (db *DB) SetResumeCode(ctx context.Context, responseID string, codeHash []byte, stage string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// FOR SHARE keeps the response from being completed until the code
		// is stored.
		var completed *time.Time
		err := tx.QueryRow(ctx, `SELECT completed_at FROM responses WHERE id = $1 FOR SHARE`, responseID).Scan(&completed)
		if errors.Is(err, pgx.ErrNoRows) {
			return consult.Errorf(consult.ENOTFOUND, "There is no response %s.", responseID)
		} else if err != nil {
			return err
		}
		if completed != nil {
			return consult.Errorf(consult.ESUBMITTED, "You have already sent your answers.")
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO resume_codes (code_hash, response_id, stage, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code_hash) DO NOTHING`,
			codeHash, responseID, stage, stamp(db.now()))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return consult.Errorf(consult.ECONFLICT, "That resume code is taken; make another.")
		}
		return nil
	})
	if err != nil {
		if consult.ErrorCode(err) != consult.EINTERNAL {
			return err
		}
		return fmt.Errorf("set resume code: %w", err)
	}
	return nil
}

// ResponseByResumeCode returns the in-progress response a resume code's
// hash belongs to, and the stage it was saved on.
func (db *DB) ResponseByResumeCode(ctx context.Context, codeHash []byte) (*consult.Response, string, error) {
	var id, stage string
	err := db.pool.QueryRow(ctx, `SELECT response_id, stage FROM resume_codes WHERE code_hash = $1`, codeHash).Scan(&id, &stage)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", consult.Errorf(consult.ENOTFOUND, "That resume code is not recognised.")
	} else if err != nil {
		return nil, "", fmt.Errorf("resume: %w", err)
	}
	r, err := db.Response(ctx, id)
	if err != nil {
		return nil, "", fmt.Errorf("resume: %w", err)
	}
	if r.Completed() {
		return nil, "", consult.Errorf(consult.ENOTFOUND, "That resume code is not recognised.")
	}
	return r, stage, nil
}
