package consult

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ETOOMANY: too many attempts; try again after a while.
const ETOOMANY = "too_many"

// The admin area's limits.
const (
	// SessionIdle ends a session unused for this long.
	SessionIdle = 30 * time.Minute
	// SessionAbsolute ends a session this long after sign-in, however used.
	SessionAbsolute = 12 * time.Hour
	// CodePendingFor is how long a user has to give the security code
	// after the right password.
	CodePendingFor = 5 * time.Minute
	// SetPasswordValid is how long a set-password link works.
	SetPasswordValid = 24 * time.Hour
	// SignInWindow is the window of the sign-in rate limits.
	SignInWindow = 15 * time.Minute
	// SignInPerAccount and SignInPerAddress cap sign-in attempts (and
	// security codes) per window for one account and one address.
	SignInPerAccount = 10
	SignInPerAddress = 50
	// touchEvery is how stale a session's last use may be before it is
	// written again, to spare a write on every page.
	touchEvery = time.Minute
)

// Audit actions.
const (
	AuditSignIn         = "sign_in"
	AuditSignInFailed   = "sign_in_failed"
	AuditSignInLimited  = "sign_in_limited"
	AuditSignOut        = "sign_out"
	AuditSignOutAll     = "sign_out_everywhere"
	AuditSessionRevoke  = "session_revoke"
	AuditUserAdd        = "user_add"
	AuditPasswordSet    = "password_set"
	AuditPasswordLink   = "password_link"
	AuditTOTPOn         = "totp_on"
	AuditTOTPOff        = "totp_off"
	AuditStatus         = "consultation_status"
	AuditDownload       = "download"
	AuditAuditExport    = "audit_export"
	commandLineActor    = "command line"
	wrongSignInMessage  = "Enter a correct email address and password"
	tooManyMessage      = "Too many attempts to sign in. Wait a few minutes and try again"
	forbiddenMessage    = "You do not have permission to do this"
	wrongCodeMessage    = "Enter a correct security code"
	expiredLinkMessage  = "This link has expired or has been used. Ask an administrator for a new one"
	signedOutMessage    = "You have been signed out"
	sessionTokenBytes   = 32
	passwordTokenLength = 32
)

// Admin holds the admin area's use cases: accounts, sign-in, sessions,
// consultations' lifecycle and the audit log.
type Admin struct {
	Store AdminStore
	// Now returns the time; nil means time.Now.
	Now func() time.Time
}

func (a *Admin) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Client says where a request comes from, for rate limits and the audit log.
type Client struct {
	Address   string
	UserAgent string
}

func forbidden() error { return &Error{Code: EFORBIDDEN, Message: forbiddenMessage} }

// newSecret returns n random bytes as unpadded base64url text.
func newSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is how session ids and one-time tokens are kept: SHA-256.
// They are 256-bit random values, so a plain hash suffices.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func (a *Admin) audit(ctx context.Context, actor *User, action, target, before, after string, cl Client) error {
	e := &AuditEntry{At: a.now(), Action: action, Target: target, Before: before, After: after, Address: cl.Address, Actor: commandLineActor}
	if actor != nil {
		e.UserID, e.Actor = actor.ID, actor.Email
	}
	if err := a.Store.AddAudit(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AddUserInput is a new user.
type AddUserInput struct {
	Email  string
	Name   string
	Grants []Grant
}

// AddUser adds a user with no password and returns it with a one-time
// token for the set-password link, valid for SetPasswordValid. actor nil
// means the command line (the server's own operator).
func (a *Admin) AddUser(ctx context.Context, actor *User, in AddUserInput, cl Client) (*User, string, error) {
	if actor != nil && !actor.Can(ActManageUsers, 0) {
		return nil, "", forbidden()
	}
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, "", err
	}
	if len(in.Grants) == 0 {
		return nil, "", &Error{Code: EINVALID, Message: "Choose a role", Fields: []FieldError{{Field: "role", Code: "user.role", Msg: "Choose a role"}}}
	}
	for _, g := range in.Grants {
		if !g.Role.Valid() {
			return nil, "", &Error{Code: EINVALID, Message: fmt.Sprintf("%q is not a role: choose admin, editor, analyst or interviewer", g.Role),
				Fields: []FieldError{{Field: "role", Code: "user.role", Msg: "Choose admin, editor, analyst or interviewer"}}}
		}
		if g.Role == RoleAdmin && g.ConsultationID != 0 {
			return nil, "", &Error{Code: EINVALID, Message: "An admin holds every consultation: give no consultation",
				Fields: []FieldError{{Field: "consultation", Code: "user.admin_scope", Msg: "An admin holds every consultation: give no consultation"}}}
		}
	}
	u := &User{Email: email, Name: strings.TrimSpace(in.Name), Grants: in.Grants}
	if err := a.Store.CreateUser(ctx, u); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return nil, "", &Error{Code: ECONFLICT, Message: "A user with this email address exists already",
				Fields: []FieldError{{Field: "email", Code: "user.exists", Msg: "A user with this email address exists already"}}}
		}
		return nil, "", fmt.Errorf("add user: %w", err)
	}
	tok, err := a.passwordToken(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	if err := a.audit(ctx, actor, AuditUserAdd, email, "", grantsText(u.Grants), cl); err != nil {
		return nil, "", err
	}
	return u, tok, nil
}

func grantsText(gs []Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = string(g.Role)
		if g.ConsultationID != 0 {
			parts[i] += "@" + strconv.FormatInt(g.ConsultationID, 10)
		}
	}
	return strings.Join(parts, " ")
}

func (a *Admin) passwordToken(ctx context.Context, userID int64) (string, error) {
	tok := newSecret(passwordTokenLength)
	now := a.now()
	t := &Token{Hash: HashSecret(tok), Purpose: TokenSetPassword, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(SetPasswordValid)}
	if err := a.Store.CreateToken(ctx, t); err != nil {
		return "", fmt.Errorf("set-password token: %w", err)
	}
	return tok, nil
}

// PasswordLinkUser returns the user a set-password token is for, without
// using it. ENOTFOUND if it has expired or been used.
func (a *Admin) PasswordLinkUser(ctx context.Context, token string) (*User, error) {
	t, err := a.Store.Token(ctx, HashSecret(token), TokenSetPassword, a.now())
	if ErrorCode(err) == ENOTFOUND {
		return nil, &Error{Code: ENOTFOUND, Message: expiredLinkMessage}
	} else if err != nil {
		return nil, fmt.Errorf("set-password link: %w", err)
	}
	return a.Store.User(ctx, t.UserID)
}

// SetPassword sets the password of the user a one-time token is for,
// using the token, and signs that user out everywhere. A password that
// breaks the rules is refused with the token left unused.
func (a *Admin) SetPassword(ctx context.Context, token, password, confirm string, cl Client) (*User, error) {
	u, err := a.PasswordLinkUser(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(password, u.Email); err != nil {
		return nil, err
	}
	if password != confirm {
		msg := "The passwords do not match"
		return nil, &Error{Code: EINVALID, Message: msg, Fields: []FieldError{{Field: "confirm", Code: "password.mismatch", Msg: msg}}}
	}
	hash := HashPassword(password)
	if _, err := a.Store.UseToken(ctx, HashSecret(token), TokenSetPassword, a.now()); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, &Error{Code: ENOTFOUND, Message: expiredLinkMessage}
		}
		return nil, fmt.Errorf("use set-password token: %w", err)
	}
	if err := a.Store.SetPasswordHash(ctx, u.ID, hash); err != nil {
		return nil, fmt.Errorf("set password: %w", err)
	}
	if _, err := a.Store.DeleteAdminSessions(ctx, u.ID); err != nil {
		return nil, fmt.Errorf("set password: sign out: %w", err)
	}
	return u, a.audit(ctx, u, AuditPasswordSet, u.Email, "", "", cl)
}

// SignInResult is a session begun by SignIn or CheckCode.
type SignInResult struct {
	// SessionID is the secret the browser keeps; the store has its hash.
	SessionID string
	Session   *AdminSession
	User      *User
	// CodeNeeded: the password was right, and the security code is next.
	CodeNeeded bool
	// RetryAfter is set with an ETOOMANY error.
	RetryAfter time.Duration
}

// dummyHash is verified against when the email address is unknown, so
// that an unknown address takes as long as a wrong password.
var dummyHash = HashPassword(newSecret(16))

func signInError() error {
	return &Error{Code: EINVALID, Message: wrongSignInMessage, Fields: []FieldError{{Field: "email", Code: "signin.wrong", Msg: wrongSignInMessage}}}
}

// limit applies the per-account and per-address sign-in limits.
func (a *Admin) limit(ctx context.Context, email string, cl Client) (time.Duration, error) {
	now := a.now()
	for _, l := range []struct {
		key string
		n   int
	}{{"signin:account:" + email, SignInPerAccount}, {"signin:address:" + cl.Address, SignInPerAddress}} {
		ok, retry, err := a.Store.Allow(ctx, l.key, l.n, SignInWindow, now)
		if err != nil {
			return 0, fmt.Errorf("sign-in limit: %w", err)
		}
		if !ok {
			return retry, nil
		}
	}
	return 0, nil
}

// SignIn checks an email address and password, within the rate limits,
// and begins a new session (a fresh id, so a session id planted before
// sign-in is worth nothing). For a user with a second factor the session
// only lets them give the code (CodeNeeded). Every attempt is audited.
func (a *Admin) SignIn(ctx context.Context, email, password string, cl Client) (*SignInResult, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		norm = strings.ToLower(strings.TrimSpace(email))
	}
	if len(norm) > 254 {
		norm = norm[:254]
	}
	if retry, err := a.limit(ctx, norm, cl); err != nil {
		return nil, err
	} else if retry > 0 {
		if err := a.audit(ctx, nil, AuditSignInLimited, norm, "", "", cl); err != nil {
			return nil, err
		}
		return &SignInResult{RetryAfter: retry}, &Error{Code: ETOOMANY, Message: tooManyMessage}
	}
	u, uerr := a.Store.UserByEmail(ctx, norm)
	if uerr != nil && ErrorCode(uerr) != ENOTFOUND {
		return nil, fmt.Errorf("sign in: %w", uerr)
	}
	hash := dummyHash
	if uerr == nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok := VerifyPassword(hash, password) && uerr == nil && u.PasswordHash != "" && u.DisabledAt.IsZero()
	if !ok {
		var who *User
		if uerr == nil {
			who = u
		}
		e := &AuditEntry{At: a.now(), Action: AuditSignInFailed, Target: norm, Address: cl.Address}
		if who != nil {
			e.UserID, e.Actor = who.ID, who.Email
		}
		if err := a.Store.AddAudit(ctx, e); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		return nil, signInError()
	}
	res, err := a.newSession(ctx, u, len(u.TOTPSecret) > 0, cl)
	if err != nil {
		return nil, err
	}
	if !res.CodeNeeded {
		if err := a.audit(ctx, u, AuditSignIn, u.Email, "", "", cl); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (a *Admin) newSession(ctx context.Context, u *User, pending bool, cl Client) (*SignInResult, error) {
	id := newSecret(sessionTokenBytes)
	now := a.now()
	s := &AdminSession{IDHash: HashSecret(id), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionAbsolute),
		CodePending: pending, Address: cl.Address, UserAgent: truncate(cl.UserAgent, 200)}
	if pending {
		s.ExpiresAt = now.Add(CodePendingFor)
	}
	if err := a.Store.CreateAdminSession(ctx, s); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return &SignInResult{SessionID: id, Session: s, User: u, CodeNeeded: pending}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// CheckCode checks the security code of a session waiting for one, within
// the rate limits, and replaces that session by a full one with a new id.
// A code works once.
func (a *Admin) CheckCode(ctx context.Context, sessionID, code string, cl Client) (*SignInResult, error) {
	s, u, err := a.session(ctx, sessionID, true)
	if err != nil {
		return nil, err
	}
	if retry, err := a.limit(ctx, u.Email, cl); err != nil {
		return nil, err
	} else if retry > 0 {
		return &SignInResult{RetryAfter: retry}, &Error{Code: ETOOMANY, Message: tooManyMessage}
	}
	code = strings.Join(strings.Fields(code), "")
	step, ok := VerifyTOTP(u.TOTPSecret, code, a.now())
	if ok {
		if ok, err = a.Store.UseTOTPStep(ctx, u.ID, step); err != nil {
			return nil, fmt.Errorf("security code: %w", err)
		}
	}
	if !ok {
		if err := a.audit(ctx, u, AuditSignInFailed, u.Email, "", "security code", cl); err != nil {
			return nil, err
		}
		return nil, &Error{Code: EINVALID, Message: wrongCodeMessage, Fields: []FieldError{{Field: "code", Code: "signin.code", Msg: wrongCodeMessage}}}
	}
	if err := a.Store.DeleteAdminSession(ctx, u.ID, s.ID); err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, fmt.Errorf("security code: %w", err)
	}
	res, err := a.newSession(ctx, u, false, cl)
	if err != nil {
		return nil, err
	}
	return res, a.audit(ctx, u, AuditSignIn, u.Email, "", "with security code", cl)
}

func signedOut() error { return &Error{Code: ENOTFOUND, Message: signedOutMessage} }

// session returns a live session and its user; pending selects sessions
// waiting for a security code instead of full ones. An expired session is
// deleted. ENOTFOUND when there is no live session.
func (a *Admin) session(ctx context.Context, sessionID string, pending bool) (*AdminSession, *User, error) {
	if sessionID == "" {
		return nil, nil, signedOut()
	}
	s, err := a.Store.AdminSession(ctx, HashSecret(sessionID))
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, signedOut()
	} else if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	now := a.now()
	if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeenAt.Add(SessionIdle)) {
		if err := a.Store.DeleteAdminSession(ctx, s.UserID, s.ID); err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, nil, fmt.Errorf("session: %w", err)
		}
		return nil, nil, signedOut()
	}
	if s.CodePending != pending {
		return nil, nil, signedOut()
	}
	u, err := a.Store.User(ctx, s.UserID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, signedOut()
	} else if err != nil {
		return nil, nil, fmt.Errorf("session user: %w", err)
	}
	if !u.DisabledAt.IsZero() {
		return nil, nil, signedOut()
	}
	return s, u, nil
}

// Authenticate returns the user and session of a live, full session id,
// and records its use (so it stays alive for SessionIdle more). ENOTFOUND
// when it is missing, expired, revoked or waiting for a security code.
func (a *Admin) Authenticate(ctx context.Context, sessionID string) (*User, *AdminSession, error) {
	s, u, err := a.session(ctx, sessionID, false)
	if err != nil {
		return nil, nil, err
	}
	if now := a.now(); now.Sub(s.LastSeenAt) >= touchEvery {
		if err := a.Store.TouchAdminSession(ctx, s.IDHash, now); err != nil {
			return nil, nil, fmt.Errorf("session: %w", err)
		}
		s.LastSeenAt = now
	}
	return u, s, nil
}

// PendingUser returns the user of a session waiting for a security code.
func (a *Admin) PendingUser(ctx context.Context, sessionID string) (*User, error) {
	_, u, err := a.session(ctx, sessionID, true)
	return u, err
}

// SignOut ends one session.
func (a *Admin) SignOut(ctx context.Context, u *User, s *AdminSession, cl Client) error {
	if err := a.Store.DeleteAdminSession(ctx, u.ID, s.ID); err != nil && ErrorCode(err) != ENOTFOUND {
		return fmt.Errorf("sign out: %w", err)
	}
	return a.audit(ctx, u, AuditSignOut, u.Email, "", "", cl)
}

// SignOutEverywhere ends every session of a user, this one included.
func (a *Admin) SignOutEverywhere(ctx context.Context, u *User, cl Client) error {
	n, err := a.Store.DeleteAdminSessions(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("sign out everywhere: %w", err)
	}
	return a.audit(ctx, u, AuditSignOutAll, u.Email, "", fmt.Sprintf("%d sessions ended", n), cl)
}

// RevokeSession ends one of the user's own sessions, by its number.
func (a *Admin) RevokeSession(ctx context.Context, u *User, id int64, cl Client) error {
	if err := a.Store.DeleteAdminSession(ctx, u.ID, id); err != nil {
		return err
	}
	return a.audit(ctx, u, AuditSessionRevoke, u.Email, strconv.FormatInt(id, 10), "", cl)
}

// Sessions lists the user's own live sessions, newest first.
func (a *Admin) Sessions(ctx context.Context, u *User) ([]*AdminSession, error) {
	all, err := a.Store.AdminSessions(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	now := a.now()
	live := all[:0]
	for _, s := range all {
		if !s.CodePending && now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(SessionIdle)) {
			live = append(live, s)
		}
	}
	return live, nil
}

// EnableTOTP turns on the user's second factor with a secret made by
// NewTOTPSecret and shown to them, once they prove it with a code.
func (a *Admin) EnableTOTP(ctx context.Context, u *User, secret []byte, code string, cl Client) error {
	code = strings.Join(strings.Fields(code), "")
	step, ok := VerifyTOTP(secret, code, a.now())
	if len(secret) < 16 || !ok {
		return &Error{Code: EINVALID, Message: wrongCodeMessage, Fields: []FieldError{{Field: "code", Code: "totp.code", Msg: wrongCodeMessage}}}
	}
	if err := a.Store.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		return fmt.Errorf("turn on security codes: %w", err)
	}
	if _, err := a.Store.UseTOTPStep(ctx, u.ID, step); err != nil {
		return fmt.Errorf("turn on security codes: %w", err)
	}
	u.TOTPSecret = secret
	return a.audit(ctx, u, AuditTOTPOn, u.Email, "", "", cl)
}

// DisableTOTP turns off the user's own second factor.
func (a *Admin) DisableTOTP(ctx context.Context, u *User, cl Client) error {
	if err := a.Store.SetTOTPSecret(ctx, u.ID, nil); err != nil {
		return fmt.Errorf("turn off security codes: %w", err)
	}
	u.TOTPSecret = nil
	return a.audit(ctx, u, AuditTOTPOff, u.Email, "", "", cl)
}
