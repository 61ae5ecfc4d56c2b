package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

func noSession() error { return consult.Errorf(consult.ENOTFOUND, "There is no such session.") }

// CreateAdminSession stores a new admin session.
func (db *DB) CreateAdminSession(ctx context.Context, s *consult.AdminSession) error {
	res, err := db.write.ExecContext(ctx, `
		INSERT INTO admin_sessions (id_hash, user_id, created_at, last_seen_at, expires_at, code_pending, address, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.IDHash, s.UserID, nanos(s.CreatedAt), nanos(s.LastSeenAt), nanos(s.ExpiresAt), s.CodePending, s.Address, s.UserAgent)
	if isUnique(err, "id_hash") {
		return consult.Errorf(consult.ECONFLICT, "The session exists already.")
	} else if isForeignKey(err) {
		return noUser(s.UserID)
	} else if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

const sessionColumns = `id, id_hash, user_id, created_at, last_seen_at, expires_at, code_pending, address, user_agent`

type scanner interface{ Scan(...any) error }

func scanSession(r scanner) (*consult.AdminSession, error) {
	s := &consult.AdminSession{}
	var created, seen, expires int64
	if err := r.Scan(&s.ID, &s.IDHash, &s.UserID, &created, &seen, &expires, &s.CodePending, &s.Address, &s.UserAgent); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromNanos(created), fromNanos(seen), fromNanos(expires)
	return s, nil
}

// AdminSession returns the session with the given id hash.
func (db *DB) AdminSession(ctx context.Context, idHash []byte) (*consult.AdminSession, error) {
	s, err := scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM admin_sessions WHERE id_hash = ?`, idHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noSession()
	} else if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return s, nil
}

// TouchAdminSession records a session's last use.
func (db *DB) TouchAdminSession(ctx context.Context, idHash []byte, at time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE admin_sessions SET last_seen_at = ? WHERE id_hash = ?`, nanos(at), idHash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("touch session: %w", err)
	} else if n == 0 {
		return noSession()
	}
	return nil
}

// AdminSessions lists a user's sessions, newest first.
func (db *DB) AdminSessions(ctx context.Context, userID int64) ([]*consult.AdminSession, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM admin_sessions WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
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
	res, err := db.write.ExecContext(ctx, `DELETE FROM admin_sessions WHERE user_id = ? AND id = ?`, userID, id)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete session: %w", err)
	} else if n == 0 {
		return noSession()
	}
	return nil
}

// DeleteAdminSessions deletes every session of a user.
func (db *DB) DeleteAdminSessions(ctx context.Context, userID int64) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM admin_sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	return int(n), nil
}
