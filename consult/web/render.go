package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/templates"
	"github.com/labstack/echo/v4"
)

// pages holds one parsed template per page, each with the layout.
type pages struct{ byName map[string]*template.Template }

func parsePages(a *assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset": a.url,
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
	v.cat = s.cat
	v.Lang = s.language(c, v.C)
	v.Langs = s.languageLinks(c, v.C, v.Lang)
	if v.LangForm != "" {
		for i := range v.Langs {
			sep := "?"
			if strings.Contains(v.Action, "?") {
				sep = "&"
			}
			v.Langs[i].Post = v.Action + sep + "lang=" + url.QueryEscape(v.Langs[i].Code)
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// message is the data of the plain message page used for errors and
// notices; every field is a catalogue key.
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
	status, msg := errorPage(err)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if rerr := s.render(c, status, "message", &view{TitleKey: msg.Heading, D: msg}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(status, s.cat.T(defaultLang, msg.Heading))
	}
}

// allConsultations is the catalogue key of the link back to the home page.
const allConsultations = "msg.all"

// errorPage maps an error to a status and a message page.
func errorPage(err error) (int, message) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return http.StatusNotFound, message{Heading: "msg.notfound.heading", Paragraphs: []string{"msg.notfound.typed", "msg.notfound.pasted"}, Link: "/", LinkText: allConsultations}
		case http.StatusForbidden:
			return he.Code, message{Heading: "msg.csrf.heading", Paragraphs: []string{"msg.csrf.body"}, Link: "/", LinkText: allConsultations}
		case http.StatusRequestEntityTooLarge:
			return he.Code, message{Heading: "msg.toolarge.heading", Paragraphs: []string{"msg.toolarge.body"}}
		case http.StatusBadRequest:
			body := "msg.badrequest.form"
			if k, ok := he.Message.(string); ok && strings.HasPrefix(k, "msg.") {
				body = k
			}
			return he.Code, message{Heading: "msg.badrequest.heading", Paragraphs: []string{body}}
		}
		if he.Code < 500 {
			return he.Code, message{Heading: "msg.badrequest.heading", Paragraphs: []string{"msg.badrequest.form"}}
		}
	}
	switch consult.ErrorCode(err) {
	case consult.ENOTFOUND:
		return http.StatusNotFound, message{Heading: "msg.notfound.heading", Paragraphs: []string{"msg.notfound.consultation"}, Link: "/", LinkText: allConsultations}
	case consult.EINVALID:
		return http.StatusUnprocessableEntity, message{Heading: "msg.invalid.heading", Paragraphs: []string{"error.submit.incomplete"}}
	case consult.ECONFLICT:
		return http.StatusConflict, message{Heading: "msg.conflict.heading", Paragraphs: []string{"msg.error.body"}}
	case consult.ESUBMITTED:
		return http.StatusConflict, message{Heading: "msg.submitted.heading", Paragraphs: []string{"msg.submitted.body"}, Link: "/", LinkText: allConsultations}
	case consult.ECLOSED:
		return http.StatusGone, message{Heading: "msg.closed.heading", Paragraphs: []string{"msg.closed.body"}, Link: "/", LinkText: allConsultations}
	}
	return http.StatusInternalServerError, message{Heading: "msg.error.heading", Paragraphs: []string{"msg.error.body"}}
}
