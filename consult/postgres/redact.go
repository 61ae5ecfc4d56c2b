package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// RedactResponses rewrites the answers of a consultation's completed
// responses that redact changes, in one transaction.
func (db *DB) RedactResponses(ctx context.Context, consultationID int64, redact func(*consult.Answers) bool) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, answers FROM responses WHERE consultation_id = $1 AND completed_at IS NOT NULL FOR UPDATE`, consultationID)
		if err != nil {
			return err
		}
		type change struct{ id, answers string }
		var changes []change
		for rows.Next() {
			var id, raw string
			if err := rows.Scan(&id, &raw); err != nil {
				rows.Close()
				return err
			}
			var a consult.Answers
			if err := json.Unmarshal([]byte(raw), &a); err != nil {
				rows.Close()
				return fmt.Errorf("response %s: %w", id, err)
			}
			if redact(&a) {
				b, err := json.Marshal(&a)
				if err != nil {
					rows.Close()
					return err
				}
				changes = append(changes, change{id, string(b)})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, ch := range changes {
			if _, err := tx.Exec(ctx, `UPDATE responses SET answers = $1 WHERE id = $2`, ch.answers, ch.id); err != nil {
				return err
			}
		}
		n = len(changes)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redact responses: %w", err)
	}
	return n, nil
}
