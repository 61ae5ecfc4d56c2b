package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
)

// SetResumeCode stores a resume code's hash for an in-progress response,
// beside any codes it was given before.
func (db *DB) SetResumeCode(ctx context.Context, responseID string, codeHash []byte, stage string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set resume code: begin: %w", err)
	}
	defer tx.Rollback()
	var completed sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT completed_at FROM responses WHERE id = ?`, responseID).Scan(&completed)
	if errors.Is(err, sql.ErrNoRows) {
		return consult.Errorf(consult.ENOTFOUND, "There is no response %s.", responseID)
	} else if err != nil {
		return fmt.Errorf("set resume code: %w", err)
	}
	if completed.Valid {
		return consult.Errorf(consult.ESUBMITTED, "You have already sent your answers.")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO resume_codes (code_hash, response_id, stage, created_at) VALUES (?, ?, ?, ?)`,
		codeHash, responseID, stage, formatTime(db.now())); err != nil {
		if isPrimaryKey(err) || isUnique(err, "code_hash") {
			return consult.Errorf(consult.ECONFLICT, "That resume code is taken; make another.")
		}
		return fmt.Errorf("set resume code: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set resume code: commit: %w", err)
	}
	return nil
}

// ResponseByResumeCode returns the in-progress response a resume code's
// hash belongs to, and the stage it was saved on.
func (db *DB) ResponseByResumeCode(ctx context.Context, codeHash []byte) (*consult.Response, string, error) {
	var id, stage string
	err := db.read.QueryRowContext(ctx, `SELECT response_id, stage FROM resume_codes WHERE code_hash = ?`, codeHash).Scan(&id, &stage)
	if errors.Is(err, sql.ErrNoRows) {
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
