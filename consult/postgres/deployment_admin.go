package postgres

import (
	"context"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// eachAdminItem reads the admin area's users (with their grants), hidden
// comments and audit entries for EachItem, in tx's snapshot.
func eachAdminItem(ctx context.Context, tx pgx.Tx, each func(what, query string, scan func(pgx.Rows) (consult.DeploymentItem, error)) error) error {
	// The grants come with each user, as arrays in grants()'s order, so
	// that no second query runs while the users' rows are open.
	if err := each("users", `
		SELECT `+userColumns+`,
			ARRAY(SELECT g.role FROM user_grants g WHERE g.user_id = users.id ORDER BY g.consultation_id, g.role COLLATE "C"),
			ARRAY(SELECT g.consultation_id FROM user_grants g WHERE g.user_id = users.id ORDER BY g.consultation_id, g.role COLLATE "C")
		FROM users ORDER BY id`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		u := &consult.User{}
		var disabled *time.Time
		var roles []string
		var ids []int64
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.TOTPSecret, &u.CreatedAt, &disabled, &roles, &ids); err != nil {
			return consult.DeploymentItem{}, err
		}
		u.CreatedAt, u.DisabledAt = u.CreatedAt.UTC(), fromNullTime(disabled)
		for i, r := range roles {
			u.Grants = append(u.Grants, consult.Grant{Role: consult.Role(r), ConsultationID: ids[i]})
		}
		return consult.DeploymentItem{User: u}, nil
	}); err != nil {
		return err
	}
	if err := each("hidden comments", `SELECT response_id, user_id, hidden_at FROM hidden_comments ORDER BY response_id COLLATE "C"`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		h := &consult.HiddenComment{}
		err := rows.Scan(&h.ResponseID, &h.UserID, &h.HiddenAt)
		h.HiddenAt = h.HiddenAt.UTC()
		return consult.DeploymentItem{HiddenComment: h}, err
	}); err != nil {
		return err
	}
	return each("audit log", `SELECT id, at, user_id, actor, action, target, before, after, address FROM audit_log ORDER BY id`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		e := &consult.AuditEntry{}
		err := rows.Scan(&e.ID, &e.At, &e.UserID, &e.Actor, &e.Action, &e.Target, &e.Before, &e.After, &e.Address)
		e.At = e.At.UTC()
		return consult.DeploymentItem{AuditEntry: e}, err
	})
}

// queueAdminItem adds one user's (with its grants), hidden comment's or
// audit entry's inserts to the batch, keeping ids.
func queueAdminItem(batch *pgx.Batch, item consult.DeploymentItem) {
	switch {
	case item.User != nil:
		u := item.User
		batch.Queue(`INSERT INTO users (id, email, name, password_hash, totp_secret, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			u.ID, u.Email, u.Name, u.PasswordHash, nullBytes(u.TOTPSecret), stamp(u.CreatedAt), nullTime(u.DisabledAt))
		for _, g := range u.Grants {
			batch.Queue(`INSERT INTO user_grants (user_id, role, consultation_id) VALUES ($1, $2, $3)`, u.ID, string(g.Role), g.ConsultationID)
		}
	case item.HiddenComment != nil:
		h := item.HiddenComment
		batch.Queue(`INSERT INTO hidden_comments (response_id, user_id, hidden_at) VALUES ($1, $2, $3)`, h.ResponseID, h.UserID, stamp(h.HiddenAt))
	case item.AuditEntry != nil:
		e := item.AuditEntry
		batch.Queue(`INSERT INTO audit_log (id, at, user_id, actor, action, target, before, after, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.ID, stamp(e.At), e.UserID, e.Actor, e.Action, e.Target, e.Before, e.After, e.Address)
	}
}
