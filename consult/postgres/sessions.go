package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

func noSession() error { return consult.Errorf(consult.ENOTFOUND, "There is no such session.") }

// CreateAdminSession stores a new admin session, setting s.ID; its times
// become the stored (microsecond) ones.
func (db *DB) CreateAdminSession(ctx context.Context, s *consult.AdminSession) error {
	created, seen, expires := stamp(s.CreatedAt), stamp(s.LastSeenAt), stamp(s.ExpiresAt)
	var id int64
	err := db.pool.QueryRow(ctx, `
		INSERT INTO admin_sessions (id_hash, user_id, created_at, last_seen_at, expires_at, code_pending, address, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		s.IDHash, s.UserID, created, seen, expires, s.CodePending, s.Address, s.UserAgent).Scan(&id)
	switch code, _ := pgCode(err); {
	case code == uniqueViolation:
		return consult.Errorf(consult.ECONFLICT, "The session exists already.")
	case code == foreignKeyViolation:
		return noUser(s.UserID)
	case err != nil:
		return fmt.Errorf("create session: %w", err)
	}
	s.ID, s.CreatedAt, s.LastSeenAt, s.ExpiresAt = id, created, seen, expires
	return nil
}

const sessionColumns = `id, id_hash, user_id, created_at, last_seen_at, expires_at, code_pending, address, user_agent`

func scanSession(r pgx.Row) (*consult.AdminSession, error) {
	s := &consult.AdminSession{}
	if err := r.Scan(&s.ID, &s.IDHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.CodePending, &s.Address, &s.UserAgent); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	return s, nil
}

// AdminSession returns the session with the given id hash.
func (db *DB) AdminSession(ctx context.Context, idHash []byte) (*consult.AdminSession, error) {
	s, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM admin_sessions WHERE id_hash = $1`, idHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, noSession()
	} else if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return s, nil
}

// TouchAdminSession records a session's last use.
func (db *DB) TouchAdminSession(ctx context.Context, idHash []byte, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE admin_sessions SET last_seen_at = $1 WHERE id_hash = $2`, stamp(at), idHash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return noSession()
	}
	return nil
}

// AdminSessions lists a user's sessions, newest first.
func (db *DB) AdminSessions(ctx context.Context, userID int64) ([]*consult.AdminSession, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+sessionColumns+` FROM admin_sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var ss []*consult.AdminSession
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return ss, nil
}

// DeleteAdminSession deletes one session of a user.
func (db *DB) DeleteAdminSession(ctx context.Context, userID, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM admin_sessions WHERE user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return noSession()
	}
	return nil
}

// DeleteAdminSessions deletes every session of a user.
func (db *DB) DeleteAdminSessions(ctx context.Context, userID int64) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM admin_sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
