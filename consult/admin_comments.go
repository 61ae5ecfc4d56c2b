package consult

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Comment is a resident's comment as the comments page shows it.
type Comment struct {
	ResponseID  string
	Reference   string
	Channel     string
	CompletedAt time.Time
	Text        string
	Hidden      bool
}

// MaxCommentSearch bounds the search text.
const MaxCommentSearch = 200

// Audit actions for comments.
const (
	AuditCommentHide = "comment_hide"
	AuditCommentShow = "comment_show"
)

// Comments lists the comments of a consultation's completed responses,
// newest last, that hold the search text (case-insensitive; "" for all).
// Hidden comments are listed only when withHidden, for those who may
// moderate.
func (a *Admin) Comments(ctx context.Context, u *User, slug, search string, withHidden bool) ([]Comment, error) {
	c, err := a.ConsultationFor(ctx, u, slug, ActViewResults)
	if err != nil {
		return nil, err
	}
	if withHidden && !u.Can(ActModerateComments, c.ID) {
		withHidden = false
	}
	if len(search) > MaxCommentSearch {
		search = search[:MaxCommentSearch]
	}
	needle := strings.ToLower(strings.TrimSpace(search))
	hidden, err := a.Store.HiddenComments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []Comment
	err = a.Store.EachCompleted(ctx, c.ID, func(r *Response) error {
		if r.Answers.Comments == "" || (hidden[r.ID] && !withHidden) {
			return nil
		}
		if needle != "" && !strings.Contains(strings.ToLower(r.Answers.Comments), needle) {
			return nil
		}
		out = append(out, Comment{ResponseID: r.ID, Reference: r.Reference, Channel: r.Channel, CompletedAt: r.CompletedAt, Text: r.Answers.Comments, Hidden: hidden[r.ID]})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("comments of %s: %w", slug, err)
	}
	return out, nil
}

// SetCommentHidden hides a comment from the comments page (or shows it
// again), for a user who may moderate, and audits it. The comment itself
// is kept.
func (a *Admin) SetCommentHidden(ctx context.Context, u *User, slug, responseID string, hidden bool, cl Client) error {
	c, err := a.ConsultationFor(ctx, u, slug, ActModerateComments)
	if err != nil {
		return err
	}
	r, err := a.Store.Response(ctx, responseID)
	if err != nil || r.ConsultationID != c.ID {
		return &Error{Code: ENOTFOUND, Message: "There is no such comment"}
	}
	if err := a.Store.SetCommentHidden(ctx, responseID, hidden, u.ID, a.now()); err != nil {
		return err
	}
	action := AuditCommentShow
	if hidden {
		action = AuditCommentHide
	}
	return a.audit(ctx, u, action, slug+"/"+responseID, "", "", cl)
}
