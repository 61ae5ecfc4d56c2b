package consult

import (
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Role is what a user may do, everywhere or in one consultation.
type Role string

// The roles.
const (
	// RoleAdmin may do everything, including managing users.
	RoleAdmin Role = "admin"
	// RoleEditor edits, opens and closes the consultations they are given.
	RoleEditor Role = "editor"
	// RoleAnalyst reads results, exports and comments; edits nothing.
	RoleAnalyst Role = "analyst"
	// RoleInterviewer uses the field app only.
	RoleInterviewer Role = "interviewer"
)

// Roles lists the roles, most powerful first.
var Roles = []Role{RoleAdmin, RoleEditor, RoleAnalyst, RoleInterviewer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Grant gives a user a role in one consultation, or in every one when
// ConsultationID is 0.
type Grant struct {
	Role           Role
	ConsultationID int64
}

// User is a council officer, analyst or interviewer who signs in. A
// resident never has a user.
type User struct {
	ID    int64
	Email string // lower case, unique
	Name  string
	// PasswordHash is an argon2id hash (HashPassword); empty until the
	// user sets a password with a one-time link.
	PasswordHash string
	// TOTPSecret, when set, turns on the second factor (RFC 6238).
	TOTPSecret []byte
	Grants     []Grant
	CreatedAt  time.Time
	// DisabledAt is when an admin turned the account off; zero while on.
	DisabledAt time.Time
}

// Action is something a user may be allowed to do.
type Action int

// The actions the admin area checks.
const (
	// ActManageUsers: add, change and remove users and devices; audit log.
	ActManageUsers Action = iota + 1
	// ActCreateConsultation: create or copy a consultation.
	ActCreateConsultation
	// ActEditConsultation: edit texts, grid, dates; open and close.
	ActEditConsultation
	// ActViewResults: dashboard, results, downloads, comments.
	ActViewResults
	// ActModerateComments: hide or redact a comment.
	ActModerateComments
	// ActInterview: run interviews in the field app.
	ActInterview
	// ActErase: erase a response or see a subject access copy.
	ActErase
)

// roleActions is what each role may do where it holds.
var roleActions = map[Role][]Action{
	RoleAdmin:       {ActManageUsers, ActCreateConsultation, ActEditConsultation, ActViewResults, ActModerateComments, ActInterview, ActErase},
	RoleEditor:      {ActEditConsultation, ActViewResults, ActModerateComments},
	RoleAnalyst:     {ActViewResults},
	RoleInterviewer: {ActInterview},
}

// Can reports whether u may do a in the consultation with the given id
// (0 for actions that concern no one consultation). A disabled user may do
// nothing; an editor given every consultation may also create them.
func (u *User) Can(a Action, consultationID int64) bool {
	if u == nil || !u.DisabledAt.IsZero() {
		return false
	}
	for _, g := range u.Grants {
		if g.ConsultationID != 0 && g.ConsultationID != consultationID {
			continue
		}
		if slices.Contains(roleActions[g.Role], a) {
			return true
		}
		if a == ActCreateConsultation && g.Role == RoleEditor && g.ConsultationID == 0 {
			return true
		}
	}
	return false
}

// HasRole reports whether u holds role r anywhere.
func (u *User) HasRole(r Role) bool {
	return slices.ContainsFunc(u.Grants, func(g Grant) bool { return g.Role == r })
}

// NormalizeEmail checks an email address and returns it in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") || len(s) > 254 {
		return "", &Error{Code: EINVALID, Message: "Enter an email address in the correct format, like name@example.gov.uk",
			Fields: []FieldError{{Field: "email", Code: "email.format", Msg: "Enter an email address in the correct format, like name@example.gov.uk"}}}
	}
	return strings.ToLower(s), nil
}
