package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// limiter limits POSTs per client address to limit in each fixed window,
// counted in the store (RateLimitStore), so that every server on one
// database shares the limit. Over it the resident sees a page saying so
// (body is a catalogue key) with a Retry-After header.
func (s *Server) limiter(name string, limit int, window time.Duration, body string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().Method != http.MethodPost {
				return next(c)
			}
			ok, retry, err := s.store.Allow(c.Request().Context(), name+":"+c.RealIP(), limit, window, s.now())
			if err != nil {
				return err
			}
			if !ok {
				return s.tooMany(c, name, retry, body)
			}
			return next(c)
		}
	}
}

// resumeLimiter limits resume-code attempts: 10 a minute per address. With
// 59 random bits per code, guessing is hopeless; the limit also keeps the
// attempts from loading the store.
func (s *Server) resumeLimiter() echo.MiddlewareFunc {
	return s.limiter("resume", 10, time.Minute, "msg.ratelimit.body")
}

// saveForLater gives the resident a resume code for their response and
// shows it (303 to the saved page, so a reload does not make another).
func (s *Server) saveForLater(c echo.Context, j *journey) error {
	ctx := c.Request().Context()
	var code string
	var err error
	for range 3 { // a clash of 59-bit codes is all but impossible; retry anyway
		code = consult.NewResumeCode()
		if err = s.store.SetResumeCode(ctx, j.r.ID, consult.HashResumeCode(code), j.stage.Slug); consult.ErrorCode(err) != consult.ECONFLICT {
			break
		}
	}
	if err != nil {
		return err
	}
	sess := s.session(c)
	sess.Values["saved:"+j.k.Slug] = code
	sess.Values["savedat:"+j.k.Slug] = j.stage.Slug
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return c.Redirect(http.StatusSeeOther, "/c/"+j.k.Slug+"/saved")
}

// saved shows the resume code made by "Save and come back later".
func (s *Server) saved(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	code, _ := s.session(c).Values["saved:"+k.Slug].(string)
	if code == "" {
		return c.Redirect(http.StatusSeeOther, "/c/"+k.Slug)
	}
	d := struct{ Code, Link, Continue string }{Code: code, Link: s.baseURL(c) + "/c/" + k.Slug + "/resume/" + code, Continue: "/c/" + k.Slug}
	if at, _ := s.session(c).Values["savedat:"+k.Slug].(string); at != "" {
		d.Continue = "/c/" + k.Slug + "/" + at
	}
	return s.render(c, http.StatusOK, "saved", &view{TitleKey: "saved.title", C: k, D: d})
}

// baseURL is the site's public URL: the configured one; behind a trusted
// proxy, the one the request was sent to; else "", so links stay paths on
// this site. A client's Host and X-Forwarded-Proto headers never make a
// link unless the proxy in front is trusted to set them.
func (s *Server) baseURL(c echo.Context) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	if s.trustProxy {
		return c.Scheme() + "://" + c.Request().Host
	}
	return ""
}

type resumeForm struct {
	Code string
}

// resumePage shows the resume form, filled in when the URL carries a code.
func (s *Server) resumePage(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	if !k.AcceptsAnswers(s.now()) {
		return s.closedPage(c, k, http.StatusOK)
	}
	return s.renderResume(c, k, http.StatusOK, resumeForm{Code: c.Param("code")}, nil)
}

func (s *Server) renderResume(c echo.Context, k *consult.Consultation, status int, f resumeForm, errs []consult.FieldError) error {
	return s.render(c, status, "resume", &view{TitleKey: "resume.title", C: k, Back: "/c/" + k.Slug, Errors: errs, D: f})
}

// resume restores a response from its code, on any device, at the stage
// where it stopped.
func (s *Server) resume(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	if !k.AcceptsAnswers(s.now()) {
		return s.closedPage(c, k, http.StatusGone)
	}
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	typed := form.Get("code")
	code, ok := consult.NormalizeResumeCode(typed)
	if !ok {
		s.security(c, "resume_failed", "reason", "format")
		return s.renderResume(c, k, http.StatusUnprocessableEntity, resumeForm{Code: typed}, []consult.FieldError{{Field: "code", Msg: "Enter your resume code in the right format", Code: "resume.format"}})
	}
	r, stage, err := s.store.ResponseByResumeCode(c.Request().Context(), consult.HashResumeCode(code))
	if consult.ErrorCode(err) == consult.ENOTFOUND || (err == nil && r.ConsultationID != k.ID) {
		s.security(c, "resume_failed", "reason", "unknown code")
		return s.renderResume(c, k, http.StatusUnprocessableEntity, resumeForm{Code: typed}, []consult.FieldError{{Field: "code", Msg: "We do not recognise that resume code", Code: "resume.unknown"}})
	} else if err != nil {
		return err
	}
	// A new session for the resumed response.
	sess := s.rotateSession(c)
	sess.Values["r:"+k.Slug] = r.ID
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	// Back to the page the resident saved on, else the furthest they may go.
	f := consult.NewFlow(k)
	if i := f.Index(stage); f.CanVisit(r, i) {
		return s.redirectStage(c, k, f, i)
	}
	return s.redirectStage(c, k, f, min(r.Reached, f.CheckIndex()))
}
