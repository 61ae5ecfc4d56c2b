package consult

import (
	"context"
	"fmt"
	"strings"
)

// UsersFor lists every user, for an admin.
func (a *Admin) UsersFor(ctx context.Context, actor *User) ([]*User, error) {
	if !actor.Can(ActManageUsers, 0) {
		return nil, forbidden()
	}
	return a.Store.Users(ctx)
}

// AddUserIn adds a user with one role, in the consultation with the given
// slug or (slug "") in every one, and returns it with its set-password
// token, as AddUser does. actor nil means the command line.
func (a *Admin) AddUserIn(ctx context.Context, actor *User, email string, role Role, slug string, cl Client) (*User, string, error) {
	if actor != nil && !actor.Can(ActManageUsers, 0) {
		return nil, "", forbidden()
	}
	g := Grant{Role: role}
	if slug = strings.TrimSpace(slug); slug != "" {
		c, err := a.Store.Consultation(ctx, slug)
		if ErrorCode(err) == ENOTFOUND {
			msg := fmt.Sprintf("There is no consultation %q", slug)
			return nil, "", &Error{Code: EINVALID, Message: msg, Fields: []FieldError{{Field: "consultation", Code: "user.consultation", Msg: msg}}}
		} else if err != nil {
			return nil, "", err
		}
		g.ConsultationID = c.ID
	}
	return a.AddUser(ctx, actor, AddUserInput{Email: email, Grants: []Grant{g}}, cl)
}

// NewPasswordLink makes a new one-time set-password token for a user (a
// forgotten password), for an admin or (actor nil) the command line.
func (a *Admin) NewPasswordLink(ctx context.Context, actor *User, email string, cl Client) (string, error) {
	if actor != nil && !actor.Can(ActManageUsers, 0) {
		return "", forbidden()
	}
	norm, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	u, err := a.Store.UserByEmail(ctx, norm)
	if err != nil {
		return "", err
	}
	tok, err := a.passwordToken(ctx, u.ID)
	if err != nil {
		return "", err
	}
	return tok, a.audit(ctx, actor, AuditPasswordLink, u.Email, "", "", cl)
}
