package consult

import (
	"context"
	"fmt"
	"strings"
)

// EnrolDevice enrols a tablet for the interviewer with the given email, to
// send interviews to the consultations with the given slugs, and returns
// the device token, to be given to the tablet once (the store keeps only
// its hash). The user must hold the interviewer role (or admin) in every
// one of the consultations. actor is the admin doing it (nil on the command
// line); the enrolment is audited.
func (a *Admin) EnrolDevice(ctx context.Context, actor *User, email, label string, slugs []string, cl Client) (string, *Device, error) {
	if actor != nil && !actor.Can(ActManageUsers, 0) {
		return "", nil, forbidden()
	}
	norm, err := NormalizeEmail(email)
	if err != nil {
		return "", nil, err
	}
	u, err := a.Store.UserByEmail(ctx, norm)
	if ErrorCode(err) == ENOTFOUND {
		return "", nil, Errorf(ENOTFOUND, "There is no user %s: add the interviewer first (user add --role interviewer).", norm)
	} else if err != nil {
		return "", nil, err
	}
	if len(slugs) == 0 {
		return "", nil, Errorf(EINVALID, "Name at least one consultation the device is for.")
	}
	d := &Device{UserID: u.ID, Label: strings.TrimSpace(label)}
	for _, slug := range slugs {
		c, err := a.Store.Consultation(ctx, slug)
		if ErrorCode(err) == ENOTFOUND {
			return "", nil, Errorf(ENOTFOUND, "There is no consultation %q.", slug)
		} else if err != nil {
			return "", nil, err
		}
		if !u.Can(ActInterview, c.ID) {
			return "", nil, Errorf(EINVALID, "%s is not an interviewer for %s: give them the interviewer role there first.", u.Email, slug)
		}
		d.Consultations = append(d.Consultations, c.ID)
	}
	if d.Label == "" {
		d.Label = "Tablet of " + u.Email
	}
	token, hash := NewDeviceToken()
	d.TokenHash = hash
	if err := a.Store.CreateDevice(ctx, d); err != nil {
		return "", nil, err
	}
	if err := a.audit(ctx, actor, "device.enrol", fmt.Sprintf("device %d", d.ID), "", fmt.Sprintf("%s for %s", u.Email, strings.Join(slugs, ", ")), cl); err != nil {
		return "", nil, err
	}
	return token, d, nil
}

// DevicesFor lists every enrolled device, newest first, for an admin.
func (a *Admin) DevicesFor(ctx context.Context, actor *User) ([]*Device, error) {
	if !actor.Can(ActManageUsers, 0) {
		return nil, forbidden()
	}
	return a.Store.Devices(ctx)
}

// RevokeDevice revokes a device, so that its next sync is refused (401).
// actor is the admin doing it; the revocation is audited. ENOTFOUND if
// there is no such device.
func (a *Admin) RevokeDevice(ctx context.Context, actor *User, id int64, cl Client) error {
	if !actor.Can(ActManageUsers, 0) {
		return forbidden()
	}
	if err := a.Store.RevokeDevice(ctx, id, a.now()); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "There is no device %d.", id)
		}
		return err
	}
	return a.audit(ctx, actor, "device.revoke", fmt.Sprintf("device %d", id), "", "revoked", cl)
}
