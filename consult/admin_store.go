package consult

import (
	"context"
	"time"
)

// UserStore keeps the users who sign in to the admin area.
type UserStore interface {
	// CreateUser stores a new user with its grants, setting u.ID and
	// u.CreatedAt. ECONFLICT if the email address is taken.
	CreateUser(ctx context.Context, u *User) error
	// User returns the user with the given id, with its grants. ENOTFOUND
	// if there is none.
	User(ctx context.Context, id int64) (*User, error)
	// UserByEmail returns the user with the given (lower-case) email
	// address. ENOTFOUND if there is none.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// Users lists every user, by email address.
	Users(ctx context.Context) ([]*User, error)
	// SetPasswordHash replaces a user's password hash. ENOTFOUND if there
	// is no such user.
	SetPasswordHash(ctx context.Context, userID int64, hash string) error
	// SetTOTPSecret turns a user's second factor on (a secret) or off
	// (nil), forgetting the last step used. ENOTFOUND if there is no such user.
	SetTOTPSecret(ctx context.Context, userID int64, secret []byte) error
	// UseTOTPStep records that a user signed in with the TOTP code of the
	// given time step, and reports false (recording nothing) if that step
	// or a later one was used already, so that a code works once.
	UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error)
}

// TokenPurpose says what a one-time token is for.
type TokenPurpose string

// The one-time token purposes.
const (
	// TokenSetPassword lets a user set (or reset) their password.
	TokenSetPassword TokenPurpose = "set_password"
)

// Token is a one-time token: the store keeps only its hash.
type Token struct {
	Hash      []byte
	Purpose   TokenPurpose
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TokenStore keeps the hashes of one-time tokens.
type TokenStore interface {
	// CreateToken stores a token. ECONFLICT if its hash exists.
	CreateToken(ctx context.Context, t *Token) error
	// Token returns the unexpired token with the given hash and purpose,
	// without using it. ENOTFOUND if there is none, or it has expired.
	Token(ctx context.Context, hash []byte, purpose TokenPurpose, now time.Time) (*Token, error)
	// UseToken deletes the unexpired token with the given hash and purpose
	// and returns it, so that it works once however many ask at once.
	// ENOTFOUND if there is none, or it has expired.
	UseToken(ctx context.Context, hash []byte, purpose TokenPurpose, now time.Time) (*Token, error)
}

// AdminSession is a signed-in user's session in the admin area. The store
// keeps only the hash of the session id that the browser holds.
type AdminSession struct {
	// ID numbers the session, to name it in the list of sessions.
	ID         int64
	IDHash     []byte
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session, whatever its use.
	ExpiresAt time.Time
	// CodePending marks a session whose password was right but whose
	// second factor is still to be checked: it gives nothing but the
	// security code page.
	CodePending bool
	Address     string
	UserAgent   string
}

// AdminSessionStore keeps admin sessions server-side, so that they can be
// listed and revoked.
type AdminSessionStore interface {
	// CreateAdminSession stores a new session, setting s.ID.
	CreateAdminSession(ctx context.Context, s *AdminSession) error
	// AdminSession returns the session with the given id hash. ENOTFOUND
	// if there is none.
	AdminSession(ctx context.Context, idHash []byte) (*AdminSession, error)
	// TouchAdminSession sets a session's last use. ENOTFOUND if there is none.
	TouchAdminSession(ctx context.Context, idHash []byte, at time.Time) error
	// AdminSessions lists a user's sessions, newest first.
	AdminSessions(ctx context.Context, userID int64) ([]*AdminSession, error)
	// DeleteAdminSession deletes the session of a user with the given
	// ID. ENOTFOUND if that user has no such session.
	DeleteAdminSession(ctx context.Context, userID, id int64) error
	// DeleteAdminSessions deletes every session of a user and returns
	// how many there were.
	DeleteAdminSessions(ctx context.Context, userID int64) (int, error)
}

// AuditEntry records one admin action or sign-in: who, what, when, and
// for edits the value before and after.
type AuditEntry struct {
	ID     int64
	At     time.Time
	UserID int64 // 0 for the command line or an unknown user
	// Actor is the user's email address as it was, or "command line".
	Actor   string
	Action  string
	Target  string
	Before  string
	After   string
	Address string
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	// Actor and Action, when set, must equal the entry's.
	Actor  string
	Action string
	// Limit caps how many are returned (newest first); 0 means no cap.
	Limit int
}

// AuditStore keeps the audit log. It has no way to change or delete an
// entry.
type AuditStore interface {
	// AddAudit appends an entry, setting e.ID.
	AddAudit(ctx context.Context, e *AuditEntry) error
	// Audit lists the entries that match f, newest first.
	Audit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}

// AdminStore is what the admin area's use cases need: consultations and
// responses, users, one-time tokens, admin sessions, the audit log, rate
// limits, comment moderation, the dashboard's counts and interviewers'
// devices. Every Store is one.
type AdminStore interface {
	ConsultationStore
	ResponseStore
	UserStore
	TokenStore
	AdminSessionStore
	AuditStore
	RateLimitStore
	ModerationStore
	StatsStore
	DeviceStore
}

// ModerationStore keeps which comments officers have hidden.
type ModerationStore interface {
	// SetCommentHidden hides (or shows again) the comment of a response.
	// ENOTFOUND if there is no such response.
	SetCommentHidden(ctx context.Context, responseID string, hidden bool, userID int64, at time.Time) error
	// HiddenComments returns the ids of a consultation's responses whose
	// comments are hidden.
	HiddenComments(ctx context.Context, consultationID int64) (map[string]bool, error)
}

// DayCount counts one day's responses on one channel.
type DayCount struct {
	Day       string // YYYY-MM-DD, UTC
	Channel   string
	Started   int
	Completed int
}

// ResponseStats are the counts behind the dashboard.
type ResponseStats struct {
	// Days is ordered by day then channel: responses started that day
	// and completed that day.
	Days []DayCount
	// StoppedAt counts in-progress responses by Reached (the index of the
	// stage they are yet to answer).
	StoppedAt map[int]int
	Completed int
}

// StatsStore counts responses for the dashboard.
type StatsStore interface {
	// ResponseStats counts a consultation's responses by day, channel
	// and progress.
	ResponseStats(ctx context.Context, consultationID int64) (*ResponseStats, error)
}
