package consult

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// ESKIPPED is a request for a stage whose earlier stages are unanswered;
// the error is a *SkipError saying where to continue.
const ESKIPPED = "skipped"

// SkipError is returned for a stage that cannot be opened yet: Next is
// the index in the flow of the stage to answer first.
type SkipError struct {
	Next int
}

func (e *SkipError) Error() string { return fmt.Sprintf("stage skipped: continue at stage %d", e.Next) }

// Journeys is the use cases of a resident's or interviewer's journey:
// start a response, open a stage, save a stage, submit. Every channel calls
// it, so that the rules (the consultation is open, a response is not
// changed once submitted, no stage is skipped, a response answers its own
// grid version) hold everywhere.
type Journeys struct {
	Consultations ConsultationStore
	Responses     ResponseStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes response ids; nil means a random UUID.
	NewID func() string
}

func (js *Journeys) now() time.Time {
	if js.Now != nil {
		return js.Now().UTC()
	}
	return time.Now().UTC()
}

// Journey is one response at one stage of its consultation's flow.
type Journey struct {
	C     *Consultation
	Flow  *Flow
	R     *Response
	Index int // the stage's position in Flow.Stages
	Stage Stage
}

// Published returns the consultation with the given slug as the public
// sees it: ENOTFOUND for a draft, as for no consultation at all.
func (js *Journeys) Published(ctx context.Context, slug string) (*Consultation, error) {
	c, err := js.Consultations.Consultation(ctx, slug)
	if err != nil {
		return nil, err
	}
	if c.Status == Draft {
		return nil, Errorf(ENOTFOUND, "There is no consultation at this address.")
	}
	return c, nil
}

// Open accepts answers: ECLOSED unless the consultation is open now.
func (js *Journeys) Open(c *Consultation) error {
	if !c.AcceptsAnswers(js.now()) {
		return Errorf(ECLOSED, "This consultation has closed.")
	}
	return nil
}

// Start creates a new in-progress response to the consultation with the
// given slug, on channel. ECLOSED if it accepts no answers.
func (js *Journeys) Start(ctx context.Context, slug, channel string) (*Journey, error) {
	c, err := js.Published(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := js.Open(c); err != nil {
		return nil, err
	}
	now := js.now()
	id := NewUUID()
	if js.NewID != nil {
		id = js.NewID()
	}
	r := &Response{
		ID:             id,
		ConsultationID: c.ID,
		GridVersion:    c.GridVersion,
		Channel:        channel,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := js.Responses.CreateResponse(ctx, r); err != nil {
		return nil, err
	}
	f := NewFlow(c)
	return &Journey{C: c, Flow: f, R: r, Index: 0, Stage: f.Stages[0]}, nil
}

// Resume returns the in-progress response with the given id at the stage
// its resident should answer next. ENOTFOUND if there is none for this
// consultation; ESUBMITTED if it was submitted; ECLOSED if the
// consultation accepts no answers.
func (js *Journeys) Resume(ctx context.Context, slug, responseID string) (*Journey, error) {
	c, r, err := js.response(ctx, slug, responseID)
	if err != nil {
		return nil, err
	}
	f := NewFlow(c)
	i := min(r.Reached, f.CheckIndex())
	return &Journey{C: c, Flow: f, R: r, Index: i, Stage: f.Stages[i]}, nil
}

// Stage opens stage stageSlug of the response with the given id, enforcing
// the rules every stage shares: the consultation is open (ECLOSED), the
// response exists for it (ENOTFOUND) and is not submitted (ESUBMITTED), it
// answers the consultation's grid version (ECONFLICT), and no stage is
// skipped (a *SkipError, code ESKIPPED). An unknown stage is ENOTFOUND.
func (js *Journeys) Stage(ctx context.Context, slug, responseID, stageSlug string) (*Journey, error) {
	c, err := js.Published(ctx, slug)
	if err != nil {
		return nil, err
	}
	f := NewFlow(c)
	i := f.Index(stageSlug)
	if i < 0 {
		return nil, Errorf(ENOTFOUND, "There is no such page in this consultation.")
	}
	c, r, err := js.responseOf(ctx, c, responseID)
	if err != nil {
		return nil, err
	}
	if !f.CanVisit(r, i) {
		return nil, &Error{Code: ESKIPPED, Message: "Answer the earlier questions first.", skip: &SkipError{Next: min(r.Reached, f.CheckIndex())}}
	}
	return &Journey{C: c, Flow: f, R: r, Index: i, Stage: f.Stages[i]}, nil
}

func (js *Journeys) response(ctx context.Context, slug, responseID string) (*Consultation, *Response, error) {
	c, err := js.Published(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	return js.responseOf(ctx, c, responseID)
}

func (js *Journeys) responseOf(ctx context.Context, c *Consultation, responseID string) (*Consultation, *Response, error) {
	if err := js.Open(c); err != nil {
		return nil, nil, err
	}
	if responseID == "" {
		return nil, nil, Errorf(ENOTFOUND, "There are no answers to continue.")
	}
	r, err := js.Responses.Response(ctx, responseID)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case r.ConsultationID != c.ID:
		return nil, nil, Errorf(ENOTFOUND, "There are no answers to continue.")
	case r.Completed():
		return nil, nil, Errorf(ESUBMITTED, "You have already sent your answers.")
	case r.GridVersion != c.GridVersion:
		return nil, nil, Errorf(ECONFLICT, "This consultation has changed since you started. Start again to see it as it is now.")
	}
	return c, r, nil
}

// Save records stage j.Index as answered with the answers in j.R, and
// writes the response.
func (js *Journeys) Save(ctx context.Context, j *Journey) error {
	j.Flow.Answered(j.R, j.Index)
	j.R.UpdatedAt = js.now()
	return js.Responses.SaveResponse(ctx, j.R)
}

// Submit completes the response once every stage is answered and every
// lot keeps the rules (Flow.ReadyToSubmit), while the consultation is
// still open; the store acknowledges only a durable commit.
func (js *Journeys) Submit(ctx context.Context, j *Journey) error {
	// The consultation as it is now: it may have closed since j was opened.
	c, err := js.Published(ctx, j.C.Slug)
	if err != nil {
		return err
	}
	if err := js.Open(c); err != nil {
		return err
	}
	if err := j.Flow.ReadyToSubmit(j.R); err != nil {
		return err
	}
	j.R.UpdatedAt = js.now()
	return js.Responses.CompleteResponse(ctx, j.R)
}

// NewUUID returns a random (version 4) UUID, as response ids are.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
