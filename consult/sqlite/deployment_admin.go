package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
)

// eachAdminItem reads the admin area's users (with their grants), hidden
// comments and audit entries for EachItem, in tx's snapshot.
func eachAdminItem(ctx context.Context, tx *sql.Tx, each func(what, query string, scan func(*sql.Rows) (consult.DeploymentItem, error)) error) error {
	// Grants first, whole (there are few), so that no query runs while
	// the users' rows are open.
	grants := map[int64][]consult.Grant{}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, role, consultation_id FROM user_grants ORDER BY user_id, consultation_id, role`)
	if err != nil {
		return fmt.Errorf("read grants: %w", err)
	}
	for rows.Next() {
		var id int64
		var g consult.Grant
		if err := rows.Scan(&id, &g.Role, &g.ConsultationID); err != nil {
			rows.Close()
			return fmt.Errorf("read grants: %w", err)
		}
		grants[id] = append(grants[id], g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read grants: %w", err)
	}
	if err := each("users", `SELECT `+userColumns+` FROM users ORDER BY id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		u := &consult.User{}
		var created, disabled int64
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.TOTPSecret, &created, &disabled); err != nil {
			return consult.DeploymentItem{}, err
		}
		u.CreatedAt, u.DisabledAt, u.Grants = fromNanos(created), fromNanos(disabled), grants[u.ID]
		return consult.DeploymentItem{User: u}, nil
	}); err != nil {
		return err
	}
	if err := each("hidden comments", `SELECT response_id, user_id, hidden_at FROM hidden_comments ORDER BY response_id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		h := &consult.HiddenComment{}
		var at int64
		err := rows.Scan(&h.ResponseID, &h.UserID, &at)
		h.HiddenAt = fromNanos(at)
		return consult.DeploymentItem{HiddenComment: h}, err
	}); err != nil {
		return err
	}
	return each("audit log", `SELECT id, at, user_id, actor, action, target, before, after, address FROM audit_log ORDER BY id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		e := &consult.AuditEntry{}
		var at int64
		err := rows.Scan(&e.ID, &at, &e.UserID, &e.Actor, &e.Action, &e.Target, &e.Before, &e.After, &e.Address)
		e.At = fromNanos(at)
		return consult.DeploymentItem{AuditEntry: e}, err
	})
}

// loadAdminItem inserts one user, hidden comment or audit entry, keeping
// its id.
func loadAdminItem(ctx context.Context, tx *sql.Tx, item consult.DeploymentItem) error {
	switch {
	case item.User != nil:
		u := item.User
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, totp_secret, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, u.Name, u.PasswordHash, nullBytes(u.TOTPSecret), nanos(u.CreatedAt), nanos(u.DisabledAt)); err != nil {
			return fmt.Errorf("user %d: %w", u.ID, err)
		}
		for _, g := range u.Grants {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_grants (user_id, role, consultation_id) VALUES (?, ?, ?)`,
				u.ID, string(g.Role), g.ConsultationID); err != nil {
				return fmt.Errorf("user %d: grant: %w", u.ID, err)
			}
		}
	case item.HiddenComment != nil:
		h := item.HiddenComment
		if _, err := tx.ExecContext(ctx, `INSERT INTO hidden_comments (response_id, user_id, hidden_at) VALUES (?, ?, ?)`,
			h.ResponseID, h.UserID, nanos(h.HiddenAt)); err != nil {
			return fmt.Errorf("hidden comment of %s: %w", h.ResponseID, err)
		}
	case item.AuditEntry != nil:
		e := item.AuditEntry
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (id, at, user_id, actor, action, target, before, after, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, nanos(e.At), e.UserID, e.Actor, e.Action, e.Target, e.Before, e.After, e.Address); err != nil {
			return fmt.Errorf("audit entry %d: %w", e.ID, err)
		}
	}
	return nil
}
