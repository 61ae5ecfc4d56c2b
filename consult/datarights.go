package consult

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// NormalizeReference turns a confirmation reference as a resident reads it
// out or types it ("k7qm 3xpa", "K7QM3XPA") into the stored form
// ("K7QM-3XPA"), or reports false when it cannot be one.
func NormalizeReference(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case strings.ContainsRune(ReferenceAlphabet, r):
			if b.Len() == 4 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != 9 {
		return "", false
	}
	return b.String(), true
}

// DataRights are the use cases of a resident's data-protection rights,
// by the reference on their confirmation page: a copy of what they said
// (subject access) and erasure.
type DataRights struct {
	Consultations ConsultationStore
	Erasures      ErasureStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Find returns the consultation with the given slug and its completed
// response with the given reference. EINVALID for a reference that cannot
// be one; ENOTFOUND if there is none.
func (dr *DataRights) Find(ctx context.Context, slug, reference string) (*Consultation, *Response, error) {
	ref, ok := NormalizeReference(reference)
	if !ok {
		return nil, nil, Errorf(EINVALID, "A reference is 8 letters and digits, like K7QM-3XPA.")
	}
	c, err := dr.Consultations.Consultation(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	r, err := dr.Erasures.ResponseByReference(ctx, c.ID, ref)
	if err != nil {
		return nil, nil, err
	}
	return c, r, nil
}

// Erase erases the completed response with the given reference; a tablet
// sending it again is refused (the store keeps a tombstone of the id).
func (dr *DataRights) Erase(ctx context.Context, slug, reference string) (*Response, error) {
	_, r, err := dr.Find(ctx, slug, reference)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if dr.Now != nil {
		now = dr.Now().UTC()
	}
	if err := dr.Erasures.EraseResponse(ctx, r.ID, now); err != nil {
		return nil, err
	}
	return r, nil
}

// Copy writes what a response holds, in words, for the resident who gave
// it: every answer with the question and the level's label, the comments,
// and how it was collected. It is what a subject access request returns.
func Copy(c *Consultation, r *Response) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("%s", c.Title)
	line("Your answers, reference %s", r.Reference)
	line("Sent %s (%s)", r.CompletedAt.UTC().Format("2 January 2006 at 15:04 UTC"), r.Channel)
	line("")
	line("About you")
	for _, q := range c.Questions {
		answer := "not answered"
		if v := r.Answers.About[q.Key]; v != "" {
			answer = v
			for _, o := range q.Options {
				if o.Key == v {
					answer = o.Label
				}
			}
		}
		line("  %s %s", q.Text, answer)
	}
	g := c.Grid
	label := func(i, level int) string {
		s := &g.Services[i]
		if level < 1 || level > len(s.Levels) {
			return "not answered"
		}
		return fmt.Sprintf("%d, %s (%d points)", level, s.Levels[level-1].Label, s.Levels[level-1].Points)
	}
	if c.AskCurrent && r.Answers.Current != nil {
		line("")
		line("The service you believe you receive now")
		for i, s := range g.Services {
			if i < len(r.Answers.Current) {
				line("  %s: %s", s.Name, label(i, r.Answers.Current[i]))
			}
		}
	}
	if c.AskUnacceptable && r.Answers.Unacceptable != nil {
		line("")
		line("Levels you would not accept")
		for i, s := range g.Services {
			if i < len(r.Answers.Unacceptable) && len(r.Answers.Unacceptable[i]) > 0 {
				var ls []string
				for _, l := range r.Answers.Unacceptable[i] {
					ls = append(ls, label(i, l))
				}
				line("  %s: %s", s.Name, strings.Join(ls, "; "))
			}
		}
	}
	plan := c.Plan()
	for k, p := range r.Answers.Lots {
		line("")
		budget := ""
		if k < len(plan.Budgets) {
			budget = fmt.Sprintf(", budget %d points", plan.Budgets[k])
		}
		line("Round %d%s", k+1, budget)
		for i, s := range g.Services {
			if i < len(p) {
				line("  %s: %s", s.Name, label(i, p[i]))
			}
		}
	}
	line("")
	if r.Answers.Comments != "" {
		line("Your comments")
		for _, l := range strings.Split(r.Answers.Comments, "\n") {
			line("  %s", l)
		}
	} else {
		line("You left no comments.")
	}
	return b.String()
}
