package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/budgetgrid/budgetgrid/templates"
	"github.com/labstack/echo/v4"
)

// view is what every page template receives.
type view struct {
	Title  string
	C      *consult.Consultation
	CSRF   string
	Errors []consult.FieldError
	Back   string
	// Action is the form's target; Return is "check" when the page was
	// opened from the check-answers page.
	Action string
	Return string
	D      any
}

// pages holds one parsed template per page, each with the layout.
type pages struct{ byName map[string]*template.Template }

func parsePages(a *assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		"date":  func(t time.Time) string { return t.Format("2 January 2006") },
		"money": grid.FormatPence,
	}
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		if n == "layout.html" || n == "partials.html" {
			continue
		}
		t, err := template.New(n).Funcs(funcs).ParseFS(templates.FS, "layout.html", "partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", n, err)
		}
		p.byName[strings.TrimSuffix(n, ".html")] = t
	}
	return p, nil
}

// render writes a page with the given status. It renders into a buffer
// first so a template error never sends half a page.
func (s *Server) render(c echo.Context, status int, name string, v *view) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if tok, ok := c.Get("csrf").(string); ok {
		v.CSRF = tok
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// message is the data of the plain message page used for errors and notices.
type message struct {
	Heading    string
	Paragraphs []string
	Link       string
	LinkText   string
}

// handleError is the one error handler: it maps domain error codes and
// HTTP errors to a status and a page in the site's design, and never shows
// internals.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	msg := message{Heading: "Sorry, there is a problem with the service", Paragraphs: []string{"Try again later. Your answers so far have been saved."}}
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		switch status {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			status = http.StatusNotFound
			msg = message{Heading: "Page not found", Paragraphs: []string{"If you typed the web address, check it is correct.", "If you pasted the web address, check you copied the entire address."}, Link: "/", LinkText: "See all consultations"}
		case http.StatusForbidden:
			msg = message{Heading: "Your session has expired or the form was not sent from this site", Paragraphs: []string{"For your security we could not accept that form. Go back, reload the page and try again. Your answers so far have been saved."}, Link: "/", LinkText: "See all consultations"}
		case http.StatusRequestEntityTooLarge:
			msg = message{Heading: "What you sent is too large", Paragraphs: []string{"Go back and shorten your answer, then try again."}}
		case http.StatusBadRequest:
			msg = message{Heading: "We could not read what you sent", Paragraphs: []string{fmt.Sprint(he.Message)}}
		default:
			if status < 500 {
				msg = message{Heading: http.StatusText(status), Paragraphs: []string{fmt.Sprint(he.Message)}}
			}
		}
	default:
		switch consult.ErrorCode(err) {
		case consult.ENOTFOUND:
			status = http.StatusNotFound
			msg = message{Heading: "Page not found", Paragraphs: []string{consult.ErrorMessage(err)}, Link: "/", LinkText: "See all consultations"}
		case consult.EINVALID:
			status = http.StatusUnprocessableEntity
			msg = message{Heading: "There is a problem with your answers", Paragraphs: []string{consult.ErrorMessage(err)}}
		case consult.ECONFLICT:
			status = http.StatusConflict
			msg = message{Heading: "That cannot be done", Paragraphs: []string{consult.ErrorMessage(err)}}
		case consult.ESUBMITTED:
			status = http.StatusConflict
			msg = message{Heading: "You have already sent your answers", Paragraphs: []string{"Your answers were saved when you sent them and cannot be changed now."}, Link: "/", LinkText: "See all consultations"}
		case consult.ECLOSED:
			status = http.StatusGone
			msg = message{Heading: "This consultation has closed", Paragraphs: []string{"It is no longer accepting answers."}, Link: "/", LinkText: "See all consultations"}
		}
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if rerr := s.render(c, status, "message", &view{Title: msg.Heading, D: msg}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(status, msg.Heading)
	}
}
