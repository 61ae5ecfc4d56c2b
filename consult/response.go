package consult

import (
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
	Reference   string
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
}

// Completed reports whether the response has been submitted.
func (r *Response) Completed() bool { return !r.CompletedAt.IsZero() }

// Record turns a completed response into the wide CSV record.
func (r *Response) Record(c *Consultation) grid.Record {
	n := len(c.Grid.Services)
	rec := grid.Record{
		ResponseID:   r.ID,
		Channel:      r.Channel,
		CompletedAt:  r.CompletedAt.UTC().Truncate(time.Second),
		About:        r.Answers.About,
		Current:      r.Answers.Current,
		Unacceptable: r.Answers.Unacceptable,
		Lots:         r.Answers.Lots,
	}
	if rec.Unacceptable == nil {
		rec.Unacceptable = make([][]int, n)
	}
	return rec
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
		CompletedAt:    rec.CompletedAt,
	}
}
