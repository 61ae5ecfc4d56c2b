package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

var _ consult.AdminStore = (*DB)(nil)

func noUser(id any) error {
	return consult.Errorf(consult.ENOTFOUND, "There is no user %v.", id)
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

// fromNullTime reads a time stored by nullTime.
func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullBytes stores an empty byte slice as NULL, as SQLite's store does.
func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CreateUser stores a new user with its grants in one transaction.
func (db *DB) CreateUser(ctx context.Context, u *consult.User) error {
	now := stamp(db.now())
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, totp_secret, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			u.Email, u.Name, u.PasswordHash, nullBytes(u.TOTPSecret), now, nullTime(u.DisabledAt)).Scan(&id)
		if code, _ := pgCode(err); code == uniqueViolation {
			return consult.Errorf(consult.ECONFLICT, "A user with the email address %s exists already.", u.Email)
		} else if err != nil {
			return err
		}
		for _, g := range u.Grants {
			if _, err := tx.Exec(ctx, `INSERT INTO user_grants (user_id, role, consultation_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				id, string(g.Role), g.ConsultationID); err != nil {
				return fmt.Errorf("grant: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		if consult.ErrorCode(err) == consult.EINTERNAL {
			return fmt.Errorf("create user: %w", err)
		}
		return err
	}
	u.ID, u.CreatedAt = id, now
	return nil
}

const userColumns = `id, email, name, password_hash, totp_secret, created_at, disabled_at`

func (db *DB) scanUser(ctx context.Context, row pgx.Row, key any) (*consult.User, error) {
	u := &consult.User{}
	var disabled *time.Time
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.TOTPSecret, &u.CreatedAt, &disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, noUser(key)
	} else if err != nil {
		return nil, fmt.Errorf("get user %v: %w", key, err)
	}
	u.CreatedAt, u.DisabledAt = u.CreatedAt.UTC(), fromNullTime(disabled)
	if u.Grants, err = db.grants(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

func (db *DB) grants(ctx context.Context, userID int64) ([]consult.Grant, error) {
	rows, err := db.pool.Query(ctx, `SELECT role, consultation_id FROM user_grants WHERE user_id = $1 ORDER BY consultation_id, role COLLATE "C"`, userID)
	if err != nil {
		return nil, fmt.Errorf("get grants of user %d: %w", userID, err)
	}
	defer rows.Close()
	var gs []consult.Grant
	for rows.Next() {
		var g consult.Grant
		var role string
		if err := rows.Scan(&role, &g.ConsultationID); err != nil {
			return nil, fmt.Errorf("get grants of user %d: %w", userID, err)
		}
		g.Role = consult.Role(role)
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get grants of user %d: %w", userID, err)
	}
	return gs, nil
}

// User returns the user with the given id.
func (db *DB) User(ctx context.Context, id int64) (*consult.User, error) {
	return db.scanUser(ctx, db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id), id)
}

// UserByEmail returns the user with the given email address.
func (db *DB) UserByEmail(ctx context.Context, email string) (*consult.User, error) {
	return db.scanUser(ctx, db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email), email)
}

// Users lists every user by email address (in byte order, as SQLite
// sorts, whatever the database's collation).
func (db *DB) Users(ctx context.Context) ([]*consult.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT id FROM users ORDER BY email COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
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
	tag, err := db.pool.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s of user %d: %w", what, id, err)
	}
	if tag.RowsAffected() == 0 {
		return noUser(id)
	}
	return nil
}

// SetPasswordHash replaces a user's password hash.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return db.updateUser(ctx, userID, "set password", `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
}

// SetTOTPSecret sets or clears a user's TOTP secret.
func (db *DB) SetTOTPSecret(ctx context.Context, userID int64, secret []byte) error {
	return db.updateUser(ctx, userID, "set security codes", `UPDATE users SET totp_secret = $1, totp_last_step = 0 WHERE id = $2`, nullBytes(secret), userID)
}

// UseTOTPStep records a used TOTP step unless it or a later one was used.
// The condition is in the UPDATE: of two at once, the second waits for the
// first's row lock, re-reads the row and finds the step used.
func (db *DB) UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, userID)
	if err != nil {
		return false, fmt.Errorf("use security code of user %d: %w", userID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// CreateToken stores a one-time token's hash.
func (db *DB) CreateToken(ctx context.Context, t *consult.Token) error {
	created, expires := stamp(t.CreatedAt), stamp(t.ExpiresAt)
	_, err := db.pool.Exec(ctx, `INSERT INTO tokens (hash, purpose, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash, string(t.Purpose), t.UserID, created, expires)
	switch code, _ := pgCode(err); {
	case code == uniqueViolation:
		return consult.Errorf(consult.ECONFLICT, "The token exists already.")
	case code == foreignKeyViolation:
		return noUser(t.UserID)
	case err != nil:
		return fmt.Errorf("create token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = created, expires
	return nil
}

func noToken() error {
	return consult.Errorf(consult.ENOTFOUND, "The link has expired or has been used.")
}

const tokenColumns = `hash, purpose, user_id, created_at, expires_at`

func scanToken(row pgx.Row) (*consult.Token, error) {
	t := &consult.Token{}
	var purpose string
	if err := row.Scan(&t.Hash, &purpose, &t.UserID, &t.CreatedAt, &t.ExpiresAt); err != nil {
		return nil, err
	}
	t.Purpose, t.CreatedAt, t.ExpiresAt = consult.TokenPurpose(purpose), t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return t, nil
}

// Token returns an unexpired token without using it.
func (db *DB) Token(ctx context.Context, hash []byte, purpose consult.TokenPurpose, now time.Time) (*consult.Token, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3`,
		hash, string(purpose), now.UTC()))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, noToken()
	} else if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// UseToken deletes an unexpired token and returns it; expired tokens go
// too. Of two DELETEs of one row at once, the second waits for the first
// to commit and then deletes nothing, so a token works once.
func (db *DB) UseToken(ctx context.Context, hash []byte, purpose consult.TokenPurpose, now time.Time) (*consult.Token, error) {
	var t *consult.Token
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM tokens WHERE expires_at <= $1`, now.UTC()); err != nil {
			return fmt.Errorf("delete expired: %w", err)
		}
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `DELETE FROM tokens WHERE hash = $1 AND purpose = $2 RETURNING `+tokenColumns,
			hash, string(purpose)))
		if errors.Is(err, pgx.ErrNoRows) {
			return noToken()
		}
		return err
	})
	if err != nil {
		if consult.ErrorCode(err) == consult.EINTERNAL {
			return nil, fmt.Errorf("use token: %w", err)
		}
		return nil, err
	}
	return t, nil
}
