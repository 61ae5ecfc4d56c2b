package consult

import (
	"context"
	"fmt"
	"time"
)

// RedactStore removes personal answers from completed responses.
type RedactStore interface {
	// RedactResponses calls redact on the answers of every completed
	// response of a consultation, in one transaction, and stores the
	// answers of those for which it returns true. It returns how many
	// changed.
	RedactResponses(ctx context.Context, consultationID int64, redact func(*Answers) bool) (int, error)
}

// RedactPersonal removes what could identify a resident from answers: the
// free text (comments, an interviewer's notes) and the about-you answers,
// keeping the level choices the analysis needs. It reports whether
// anything was removed.
func RedactPersonal(a *Answers) bool {
	changed := a.Comments != "" || len(a.About) > 0
	a.Comments = ""
	a.About = nil
	if a.Interview != nil && a.Interview.Notes != "" {
		a.Interview.Notes = ""
		changed = true
	}
	return changed
}

// RetentionDue reports whether a consultation's retention period has run
// out at time now: it has a retention period and closed (by its closing
// time) at least that many months before now.
func (c *Consultation) RetentionDue(now time.Time) bool {
	if c.RetentionMonths <= 0 || c.ClosesAt.IsZero() {
		return false
	}
	return !now.Before(c.ClosesAt.AddDate(0, c.RetentionMonths, 0))
}

// RetentionResult says what one run of the retention rule did to one
// consultation.
type RetentionResult struct {
	Slug     string
	Redacted int
}

// RunRetention applies every consultation's retention rule at time now:
// once RetentionMonths have passed since it closed, the free text and
// about-you answers of its responses are deleted; the level choices stay
// for analysis. Running it again changes nothing more.
func RunRetention(ctx context.Context, cs ConsultationStore, rs RedactStore, now time.Time) ([]RetentionResult, error) {
	all, err := cs.Consultations(ctx)
	if err != nil {
		return nil, err
	}
	var out []RetentionResult
	for _, c := range all {
		if !c.RetentionDue(now) {
			continue
		}
		n, err := rs.RedactResponses(ctx, c.ID, RedactPersonal)
		if err != nil {
			return out, fmt.Errorf("retention of %s: %w", c.Slug, err)
		}
		out = append(out, RetentionResult{Slug: c.Slug, Redacted: n})
	}
	return out, nil
}
