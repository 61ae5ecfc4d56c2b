package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// home lists the open consultations and, apart, the closed ones.
func (s *Server) home(c echo.Context) error {
	all, err := s.store.Consultations(c.Request().Context())
	if err != nil {
		return err
	}
	type closed struct {
		*consult.Consultation
		// ClosedAt is when it closed by its closing date; zero when it
		// was closed by hand before that date.
		ClosedAt time.Time
	}
	var d struct {
		Open   []*consult.Consultation
		Closed []closed
	}
	now := s.now()
	for _, k := range all {
		switch {
		case k.Status == consult.Draft:
		case k.IsClosed(now):
			cl := closed{Consultation: k}
			if !k.ClosesAt.IsZero() && !k.ClosesAt.After(now) {
				cl.ClosedAt = k.ClosesAt
			}
			d.Closed = append(d.Closed, cl)
		default:
			d.Open = append(d.Open, k)
		}
	}
	return s.render(c, http.StatusOK, "home", &view{TitleKey: "home.title", D: d})
}

// consultation loads the consultation named in the URL; drafts are hidden.
func (s *Server) consultation(c echo.Context) (*consult.Consultation, error) {
	k, err := s.store.Consultation(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return nil, err
	}
	if k.Status == consult.Draft {
		return nil, consult.Errorf(consult.ENOTFOUND, "There is no consultation at this address.")
	}
	return k, nil
}

func (s *Server) closedPage(c echo.Context, k *consult.Consultation, status int) error {
	return s.render(c, status, "message", &view{TitleKey: "msg.closed.heading", C: k, D: message{
		Heading:    "msg.closed.heading",
		Paragraphs: []string{"msg.closed.body"},
		Link:       "/", LinkText: allConsultations,
	}})
}

// start is the consultation's start page.
func (s *Server) start(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	if !k.AcceptsAnswers(s.now()) {
		return s.closedPage(c, k, http.StatusOK)
	}
	var d struct {
		Budgets    []int
		InProgress bool
	}
	d.Budgets = k.Plan().Budgets
	if id := s.responseID(c, k.Slug); id != "" {
		r, err := s.store.Response(c.Request().Context(), id)
		d.InProgress = err == nil && !r.Completed()
	}
	return s.render(c, http.StatusOK, "start", &view{C: k, Back: "/", D: d})
}

// begin starts a response, or continues the one in the resident's session.
func (s *Server) begin(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	if !k.AcceptsAnswers(s.now()) {
		return s.closedPage(c, k, http.StatusGone)
	}
	ctx := c.Request().Context()
	flow := consult.NewFlow(k)
	if id := s.responseID(c, k.Slug); id != "" {
		if r, err := s.store.Response(ctx, id); err == nil && !r.Completed() && r.ConsultationID == k.ID {
			return s.redirectStage(c, k, flow, min(r.Reached, flow.CheckIndex()))
		}
	}
	now := s.now().UTC()
	r := &consult.Response{
		ID:             uuid.NewString(),
		ConsultationID: k.ID,
		GridVersion:    k.GridVersion,
		Channel:        consult.ChannelOnline,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := s.store.CreateResponse(ctx, r); err != nil {
		return err
	}
	// A new session for the new response.
	sess := s.rotateSession(c)
	sess.Values["r:"+k.Slug] = r.ID
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return s.redirectStage(c, k, flow, 0)
}

func stageURL(k *consult.Consultation, st consult.Stage) string {
	return "/c/" + k.Slug + "/" + st.Slug
}

func (s *Server) redirectStage(c echo.Context, k *consult.Consultation, f *consult.Flow, i int) error {
	return c.Redirect(http.StatusSeeOther, stageURL(k, f.Stages[i]))
}

// journey is what a stage handler works on.
type journey struct {
	k     *consult.Consultation
	flow  *consult.Flow
	r     *consult.Response
	i     int // the stage's index in the flow
	stage consult.Stage
	ret   bool // opened from the check-answers page
}

// errNoResponse means the session holds no response: send to the start page.
var errNoResponse = errors.New("no response in session")

// loadJourney resolves the consultation, the resident's response and the
// stage named in the URL, and enforces the rules every stage shares: the
// consultation is open, the response is not submitted, and no stage is
// skipped.
func (s *Server) loadJourney(c echo.Context, stageSlug string) (*journey, error) {
	k, err := s.consultation(c)
	if err != nil {
		return nil, err
	}
	if !k.AcceptsAnswers(s.now()) {
		return nil, consult.Errorf(consult.ECLOSED, "This consultation has closed.")
	}
	f := consult.NewFlow(k)
	i := f.Index(stageSlug)
	if i < 0 {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	id := s.responseID(c, k.Slug)
	if id == "" {
		if done, _ := s.session(c).Values["done:"+k.Slug].(string); done != "" {
			return nil, consult.Errorf(consult.ESUBMITTED, "You have already sent your answers.")
		}
		return nil, errNoResponse
	}
	r, err := s.store.Response(c.Request().Context(), id)
	if consult.ErrorCode(err) == consult.ENOTFOUND || (err == nil && r.ConsultationID != k.ID) {
		return nil, errNoResponse
	} else if err != nil {
		return nil, err
	}
	if r.Completed() {
		return nil, consult.Errorf(consult.ESUBMITTED, "You have already sent your answers.")
	}
	if !f.CanVisit(r, i) {
		return nil, &skipError{to: stageURL(k, f.Stages[min(r.Reached, f.CheckIndex())])}
	}
	ret := c.QueryParam("return") == "check" || c.FormValue("return") == "check"
	return &journey{k: k, flow: f, r: r, i: i, stage: f.Stages[i], ret: ret}, nil
}

// skipError is a request for a stage whose earlier stages are unanswered.
type skipError struct{ to string }

func (e *skipError) Error() string { return "stage skipped" }

// journeyError turns loadJourney's errors into responses.
func (s *Server) journeyError(c echo.Context, err error) error {
	var skip *skipError
	switch {
	case errors.Is(err, errNoResponse):
		return c.Redirect(http.StatusSeeOther, "/c/"+url.PathEscape(c.Param("slug")))
	case errors.As(err, &skip):
		return s.render(c, http.StatusConflict, "message", &view{TitleKey: "msg.skip.heading", D: message{
			Heading:    "msg.skip.heading",
			Paragraphs: []string{"msg.skip.body"},
			Link:       skip.to, LinkText: "msg.skip.link",
		}})
	case consult.ErrorCode(err) == consult.ECLOSED:
		k, kerr := s.consultation(c)
		if kerr != nil {
			return kerr
		}
		status := http.StatusOK
		if c.Request().Method == http.MethodPost {
			status = http.StatusGone
		}
		return s.closedPage(c, k, status)
	}
	return err
}

// base fills the view fields every stage page shares.
func (j *journey) base(titleKey string, args ...any) *view {
	v := &view{TitleKey: titleKey, TitleArgs: args, C: j.k, Action: stageURL(j.k, j.stage), Stage: j.stage.Slug}
	switch {
	case j.ret:
		v.Return = "check"
		v.Back = stageURL(j.k, j.flow.Stages[j.flow.CheckIndex()])
		v.Action += "?return=check"
	case j.i == 0:
		v.Back = "/c/" + j.k.Slug
	default:
		v.Back = stageURL(j.k, j.flow.Stages[j.i-1])
	}
	return v
}

// next is where a stage goes once answered.
func (s *Server) next(c echo.Context, j *journey) error {
	if j.ret {
		return s.redirectStage(c, j.k, j.flow, j.flow.CheckIndex())
	}
	return s.redirectStage(c, j.k, j.flow, j.i+1)
}

// save writes the response's progress after stage j.i was answered.
func (s *Server) save(ctx context.Context, j *journey) error {
	j.flow.Answered(j.r, j.i)
	j.r.UpdatedAt = s.now().UTC()
	return s.store.SaveResponse(ctx, j.r)
}

// parseForm reads the posted form and refuses text that is not UTF-8.
func parseForm(c echo.Context) (url.Values, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "msg.badrequest.form").SetInternal(err)
	}
	for k, vs := range form {
		if !utf8.ValidString(k) {
			return nil, echo.NewHTTPError(http.StatusBadRequest, "msg.badrequest.utf8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, echo.NewHTTPError(http.StatusBadRequest, "msg.badrequest.utf8")
			}
		}
	}
	return form, nil
}

// startAgainPage asks, once, whether to forget this browser's response;
// from names the stage the resident came from, for the way back.
func (s *Server) startAgainPage(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	if s.responseID(c, k.Slug) == "" {
		return c.Redirect(http.StatusSeeOther, "/c/"+k.Slug)
	}
	back := "/c/" + k.Slug
	f := consult.NewFlow(k)
	if i := f.Index(c.QueryParam("from")); i >= 0 {
		back = stageURL(k, f.Stages[i])
	}
	return s.render(c, http.StatusOK, "start-again", &view{TitleKey: "again.title", C: k, Back: back, Action: "/c/" + k.Slug + "/start-again", D: struct{ Cancel string }{back}})
}

// startAgain forgets this browser's response and sends the resident to
// the start page. The response stays in the store as it was, in
// progress, so that drop-off figures count it; a resume code made for it
// still works.
func (s *Server) startAgain(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/c/"+k.Slug)
}
