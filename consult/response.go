package consult

import (
	"maps"
	"slices"
	"time"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Channel says how a response was collected.
const (
	ChannelOnline    = "online"
	ChannelInterview = "interview"
	ChannelPaper     = "paper"
	ChannelSynthetic = "synthetic"
)

// Response is one resident's answers, in progress or complete.
type Response struct {
	// ID is a UUID made by the client that created the response.
	ID             string
	ConsultationID int64
	GridVersion    int64
	Channel        string
	// Reached counts the stages answered so far, in flow order: the stage
	// at index Reached is the next one to answer.
	Reached int
	Answers Answers
	// Reference is the short code shown on the confirmation page; set on completion.
	Reference string
	// Version counts the writes of the response: 1 when created, one more
	// at each save and at completion. A save names the version it read, so
	// that a stale window cannot overwrite newer answers.
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt time.Time
}

// Answers is everything a resident has said.
type Answers struct {
	// About holds about-you answers by question key; absent means not
	// answered or "prefer not to say".
	About map[string]string `json:"about,omitempty"`
	// Current is the believed current level per service in grid order, 0
	// where not answered; nil until the stage is answered.
	Current []int `json:"current,omitempty"`
	// Unacceptable lists marked levels per service in grid order.
	Unacceptable [][]int `json:"unacceptable,omitempty"`
	// Lots holds a package per lot answered so far.
	Lots     []grid.Package `json:"lots,omitempty"`
	Comments string         `json:"comments,omitempty"`
	// Interview is set on responses from the field app.
	Interview *Interview `json:"interview,omitempty"`
}

// Interview is what an interview response carries besides the answers:
// where it came from, whether it arrived late, and what the interviewer
// recorded.
type Interview struct {
	DeviceID      int64          `json:"device_id"`
	InterviewerID int64          `json:"interviewer_id"`
	Late          bool           `json:"late,omitempty"`
	Consent       bool           `json:"consent"`
	Notes         string         `json:"notes,omitempty"`
	TimingsMS     map[string]int `json:"timings_ms,omitempty"`
}

// Completed reports whether the response has been submitted.
func (r *Response) Completed() bool { return !r.CompletedAt.IsZero() }

// Record turns a completed response into the wide CSV record. The stages
// the consultation does not ask stay nil; when it asks for unacceptable
// levels, marking none is an answer (empty lists, not nil).
func (r *Response) Record(c *Consultation) grid.Record {
	rec := grid.Record{
		ResponseID:  r.ID,
		Channel:     r.Channel,
		CompletedAt: r.CompletedAt.UTC().Truncate(time.Second),
		About:       r.Answers.About,
		Lots:        r.Answers.Lots,
	}
	if c.AskCurrent {
		rec.Current = r.Answers.Current
	}
	if c.AskUnacceptable {
		rec.Unacceptable = r.Answers.Unacceptable
		if rec.Unacceptable == nil {
			rec.Unacceptable = make([][]int, len(c.Grid.Services))
		}
	}
	return rec
}

// NormalizeRecord makes a record read from a file say what the
// consultation asks as a stored response's Record would: when it asks for
// unacceptable levels, a file where nobody marked any still answers the
// stage (empty lists, not nil).
func (c *Consultation) NormalizeRecord(rec *grid.Record) {
	if c.AskUnacceptable && rec.Unacceptable == nil {
		rec.Unacceptable = make([][]int, len(c.Grid.Services))
	}
}

// SameRecord reports whether two responses carry the same wide CSV record:
// channel, completion time to the second, about-you answers (an explicit
// "prefer not to say" is no answer there), believed current levels,
// unacceptable levels and lots. Comments and progress are not part of it,
// so a response exported and imported again is the same record.
func SameRecord(a, b *Response) bool {
	if a.Channel != b.Channel || !a.CompletedAt.Truncate(time.Second).Equal(b.CompletedAt.Truncate(time.Second)) {
		return false
	}
	nonEmpty := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			if v != "" {
				out[k] = v
			}
		}
		return out
	}
	if !maps.Equal(nonEmpty(a.Answers.About), nonEmpty(b.Answers.About)) {
		return false
	}
	zero := func(l []int) bool { return !slices.ContainsFunc(l, func(x int) bool { return x != 0 }) }
	if !(zero(a.Answers.Current) && zero(b.Answers.Current)) && !slices.Equal(a.Answers.Current, b.Answers.Current) {
		return false
	}
	empty := func(u [][]int) bool { return !slices.ContainsFunc(u, func(x []int) bool { return len(x) > 0 }) }
	if !(empty(a.Answers.Unacceptable) && empty(b.Answers.Unacceptable)) &&
		!slices.EqualFunc(a.Answers.Unacceptable, b.Answers.Unacceptable, slices.Equal[[]int]) {
		return false
	}
	return slices.EqualFunc(a.Answers.Lots, b.Answers.Lots, slices.Equal[grid.Package])
}

// FromRecord builds a completed response from a wide CSV record.
func FromRecord(c *Consultation, rec grid.Record) *Response {
	about := map[string]string{}
	for k, v := range rec.About {
		if v != "" {
			about[k] = v
		}
	}
	a := Answers{About: about, Lots: rec.Lots}
	for _, l := range rec.Current {
		if l != 0 {
			a.Current = rec.Current
			break
		}
	}
	for _, u := range rec.Unacceptable {
		if len(u) > 0 {
			a.Unacceptable = rec.Unacceptable
			break
		}
	}
	return &Response{
		ID:             rec.ResponseID,
		ConsultationID: c.ID,
		GridVersion:    c.GridVersion,
		Channel:        rec.Channel,
		Reached:        len(NewFlow(c).Stages),
		Answers:        a,
		// The wide CSV carries whole seconds.
		CompletedAt: rec.CompletedAt.UTC().Truncate(time.Second),
	}
}
