package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

var _ consult.AdminStore = (*DB)(nil)

// nanos stores a time as Unix nanoseconds; the zero time as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos reads a time stored by nanos.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func noUser(id any) error {
	return consult.Errorf(consult.ENOTFOUND, "There is no user %v.", id)
}

// CreateUser stores a new user with its grants in one transaction.
func (db *DB) CreateUser(ctx context.Context, u *consult.User) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create user: begin: %w", err)
	}
	defer tx.Rollback()
	now := db.now().UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, password_hash, totp_secret, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.Email, u.Name, u.PasswordHash, nullBytes(u.TOTPSecret), now.UnixNano(), nanos(u.DisabledAt))
	if isUnique(err, "users.email") {
		return consult.Errorf(consult.ECONFLICT, "A user with the email address %s exists already.", u.Email)
	} else if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	for _, g := range u.Grants {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_grants (user_id, role, consultation_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			id, string(g.Role), g.ConsultationID); err != nil {
			return fmt.Errorf("create user: grant: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create user: commit: %w", err)
	}
	u.ID, u.CreatedAt = id, fromNanos(now.UnixNano())
	return nil
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

const userColumns = `id, email, name, password_hash, totp_secret, created_at, disabled_at`

func (db *DB) scanUser(ctx context.Context, row *sql.Row, key any) (*consult.User, error) {
	u := &consult.User{}
	var created, disabled int64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.TOTPSecret, &created, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noUser(key)
	} else if err != nil {
		return nil, fmt.Errorf("get user %v: %w", key, err)
	}
	u.CreatedAt, u.DisabledAt = fromNanos(created), fromNanos(disabled)
	if u.Grants, err = db.grants(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

func (db *DB) grants(ctx context.Context, userID int64) ([]consult.Grant, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT role, consultation_id FROM user_grants WHERE user_id = ? ORDER BY consultation_id, role`, userID)
	if err != nil {
		return nil, fmt.Errorf("get grants of user %d: %w", userID, err)
	}
	defer rows.Close()
	var gs []consult.Grant
	for rows.Next() {
		var g consult.Grant
		if err := rows.Scan(&g.Role, &g.ConsultationID); err != nil {
			return nil, fmt.Errorf("get grants of user %d: %w", userID, err)
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get grants of user %d: %w", userID, err)
	}
	return gs, nil
}

// User returns the user with the given id.
func (db *DB) User(ctx context.Context, id int64) (*consult.User, error) {
	return db.scanUser(ctx, db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id), id)
}

// UserByEmail returns the user with the given email address.
func (db *DB) UserByEmail(ctx context.Context, email string) (*consult.User, error) {
	return db.scanUser(ctx, db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email), email)
}

// Users lists every user by email address.
func (db *DB) Users(ctx context.Context) ([]*consult.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list users: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	us := make([]*consult.User, 0, len(ids))
	for _, id := range ids {
		u, err := db.User(ctx, id)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, nil
}

func (db *DB) updateUser(ctx context.Context, id int64, what, query string, args ...any) error {
	res, err := db.write.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s of user %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s of user %d: %w", what, id, err)
	} else if n == 0 {
		return noUser(id)
	}
	return nil
}

// SetPasswordHash replaces a user's password hash.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return db.updateUser(ctx, userID, "set password", `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
}

// SetTOTPSecret sets or clears a user's TOTP secret.
func (db *DB) SetTOTPSecret(ctx context.Context, userID int64, secret []byte) error {
	return db.updateUser(ctx, userID, "set security codes", `UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ?`, nullBytes(secret), userID)
}

// UseTOTPStep records a used TOTP step unless it or a later one was used.
func (db *DB) UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
	if err != nil {
		return false, fmt.Errorf("use security code of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use security code of user %d: %w", userID, err)
	}
	return n == 1, nil
}

// CreateToken stores a one-time token's hash.
func (db *DB) CreateToken(ctx context.Context, t *consult.Token) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO tokens (hash, purpose, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, string(t.Purpose), t.UserID, nanos(t.CreatedAt), nanos(t.ExpiresAt))
	if isPrimaryKey(err) {
		return consult.Errorf(consult.ECONFLICT, "The token exists already.")
	} else if isForeignKey(err) {
		return noUser(t.UserID)
	} else if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

func noToken() error {
	return consult.Errorf(consult.ENOTFOUND, "The link has expired or has been used.")
}

// Token returns an unexpired token without using it.
func (db *DB) Token(ctx context.Context, hash []byte, purpose consult.TokenPurpose, now time.Time) (*consult.Token, error) {
	t := &consult.Token{}
	var created, expires int64
	err := db.read.QueryRowContext(ctx, `SELECT hash, purpose, user_id, created_at, expires_at FROM tokens WHERE hash = ? AND purpose = ? AND expires_at > ?`,
		hash, string(purpose), now.UnixNano()).Scan(&t.Hash, &t.Purpose, &t.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noToken()
	} else if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = fromNanos(created), fromNanos(expires)
	return t, nil
}

// UseToken deletes an unexpired token and returns it; expired tokens go too.
func (db *DB) UseToken(ctx context.Context, hash []byte, purpose consult.TokenPurpose, now time.Time) (*consult.Token, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("use token: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE expires_at <= ?`, now.UnixNano()); err != nil {
		return nil, fmt.Errorf("use token: delete expired: %w", err)
	}
	t := &consult.Token{}
	var created, expires int64
	err = tx.QueryRowContext(ctx, `DELETE FROM tokens WHERE hash = ? AND purpose = ? RETURNING hash, purpose, user_id, created_at, expires_at`,
		hash, string(purpose)).Scan(&t.Hash, &t.Purpose, &t.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noToken()
	} else if err != nil {
		return nil, fmt.Errorf("use token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("use token: commit: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = fromNanos(created), fromNanos(expires)
	return t, nil
}
