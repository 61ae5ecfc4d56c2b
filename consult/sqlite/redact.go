package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
)

// RedactResponses rewrites the answers of a consultation's completed
// responses that redact changes, in one transaction.
func (db *DB) RedactResponses(ctx context.Context, consultationID int64, redact func(*consult.Answers) bool) (int, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("redact responses: begin: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, answers FROM responses WHERE consultation_id = ? AND completed_at IS NOT NULL`, consultationID)
	if err != nil {
		return 0, fmt.Errorf("redact responses: %w", err)
	}
	type change struct{ id, answers string }
	var changes []change
	for rows.Next() {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			return 0, fmt.Errorf("redact responses: %w", err)
		}
		var a consult.Answers
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			rows.Close()
			return 0, fmt.Errorf("redact response %s: %w", id, err)
		}
		if redact(&a) {
			b, err := json.Marshal(&a)
			if err != nil {
				rows.Close()
				return 0, fmt.Errorf("redact response %s: %w", id, err)
			}
			changes = append(changes, change{id, string(b)})
		}
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("redact responses: %w", err)
	}
	for _, ch := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE responses SET answers = ? WHERE id = ?`, ch.answers, ch.id); err != nil {
			return 0, fmt.Errorf("redact response %s: %w", ch.id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("redact responses: commit: %w", err)
	}
	return len(changes), nil
}
