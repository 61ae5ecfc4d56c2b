package consult

import (
	"context"
	"fmt"
)

// ConsultationSummary is one line of the admin home page.
type ConsultationSummary struct {
	Consultation *Consultation
	All          int
	Completed    int
	// CanEdit: the user may open, close and edit it.
	CanEdit bool
}

// CanSee reports whether u may see the consultation with the given id in
// the admin area at all.
func CanSee(u *User, consultationID int64) bool {
	return u.Can(ActViewResults, consultationID) || u.Can(ActEditConsultation, consultationID)
}

// ConsultationsFor lists the consultations u may see, newest first, with
// their response counts.
// An interviewer, who uses the field app only, is EFORBIDDEN.
func (a *Admin) ConsultationsFor(ctx context.Context, u *User) ([]ConsultationSummary, error) {
	if !u.HasRole(RoleAdmin) && !u.HasRole(RoleEditor) && !u.HasRole(RoleAnalyst) {
		return nil, forbidden()
	}
	cs, err := a.Store.Consultations(ctx)
	if err != nil {
		return nil, fmt.Errorf("list consultations: %w", err)
	}
	var out []ConsultationSummary
	for _, c := range cs {
		if !CanSee(u, c.ID) {
			continue
		}
		all, done, err := a.Store.CountResponses(ctx, c.ID)
		if err != nil {
			return nil, fmt.Errorf("count responses of %s: %w", c.Slug, err)
		}
		out = append(out, ConsultationSummary{Consultation: c, All: all, Completed: done, CanEdit: u.Can(ActEditConsultation, c.ID)})
	}
	return out, nil
}

// Summary returns one consultation's line, if u may see it.
func (a *Admin) Summary(ctx context.Context, u *User, slug string) (*ConsultationSummary, error) {
	c, err := a.ConsultationFor(ctx, u, slug, ActViewResults)
	if err != nil {
		return nil, err
	}
	all, done, err := a.Store.CountResponses(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("count responses of %s: %w", c.Slug, err)
	}
	return &ConsultationSummary{Consultation: c, All: all, Completed: done, CanEdit: u.Can(ActEditConsultation, c.ID)}, nil
}

// ConsultationFor returns the consultation with the given slug if u may
// do act in it. A consultation u may not see at all is ENOTFOUND, so that
// its existence is not given away; one u sees but may not act on, EFORBIDDEN.
func (a *Admin) ConsultationFor(ctx context.Context, u *User, slug string, act Action) (*Consultation, error) {
	c, err := a.Store.Consultation(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, c.ID) {
		return nil, &Error{Code: ENOTFOUND, Message: "There is no consultation at this address"}
	}
	if !u.Can(act, c.ID) {
		return nil, forbidden()
	}
	return c, nil
}

// SetConsultationStatus opens, closes or hides (draft) a consultation,
// for a user who may edit it, and audits the change.
func (a *Admin) SetConsultationStatus(ctx context.Context, u *User, slug string, s Status, cl Client) error {
	c, err := a.ConsultationFor(ctx, u, slug, ActEditConsultation)
	if err != nil {
		return err
	}
	switch s {
	case Draft, Open, Closed:
	default:
		return &Error{Code: EINVALID, Message: "Choose draft, open or closed"}
	}
	if c.Status == s {
		return nil
	}
	if err := a.Store.SetStatus(ctx, slug, s); err != nil {
		return fmt.Errorf("set status of %s: %w", slug, err)
	}
	return a.audit(ctx, u, AuditStatus, slug, string(c.Status), string(s), cl)
}

// AuditLog lists the audit log for an admin.
func (a *Admin) AuditLog(ctx context.Context, u *User, f AuditFilter) ([]*AuditEntry, error) {
	if !u.Can(ActManageUsers, 0) {
		return nil, forbidden()
	}
	return a.Store.Audit(ctx, f)
}

// Audit records an action a handler carried out with another use case's
// help, such as a download.
func (a *Admin) Audit(ctx context.Context, u *User, action, target string, cl Client) error {
	return a.audit(ctx, u, action, target, "", "", cl)
}
