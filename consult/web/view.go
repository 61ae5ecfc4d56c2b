package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // closing times are shown in UK time on any machine

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/labstack/echo/v4"
)

// view is what every page template receives. Its methods give templates
// the interface strings and the grid's texts in the page's language.
type view struct {
	// TitleKey and TitleArgs give the page title from the catalogue.
	TitleKey  string
	TitleArgs []any
	C         *consult.Consultation
	CSRF      string
	Errors    []consult.FieldError
	Back      string
	// Action is the form's target; Return is "check" when the page was
	// opened from the check-answers page.
	Action string
	Return string
	// Stage is the slug of the stage page shown, for its Start again link.
	Stage string
	// LangForm, when set, is the id of the page's form: the language
	// switch then posts it, so that unsaved choices survive.
	LangForm string
	D        any

	// Lang is the page's language; Langs are the others on offer, as
	// links that keep the resident's place.
	Lang  string
	Langs []langLink
	cat   *catalogue
}

// langLink is a language switch link.
type langLink struct {
	Code, Name, URL string
	// Post, on a page whose form must survive the switch, is where a
	// button of that form posts it in this language.
	Post string
}

// PageTitle is the page's title in its language.
func (v *view) PageTitle() string { return v.T(v.TitleKey, v.TitleArgs...) }

// T returns an interface string in the page's language.
func (v *view) T(key string, args ...any) string { return v.cat.T(v.Lang, key, args...) }

// N returns a plural interface string for count n.
func (v *view) N(key string, n int, args ...any) string { return v.cat.N(v.Lang, key, n, args...) }

// Points says "1 point" or "12 points" in the page's language.
func (v *view) Points(n int) string { return v.cat.N(v.Lang, "points", n) }

// Date formats a date as "2 January 2027" in the page's language.
func (v *view) Date(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + v.T("month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// ukTime is the time zone closing times are shown in.
var ukTime = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// Deadline says when a consultation closes, in UK time and the GOV.UK
// style: "11:59pm on 31 January 2027", "5pm on 3 March 2027". A closing
// time of exactly midnight is the end of the day before.
func (v *view) Deadline(t time.Time) string {
	t = t.In(ukTime)
	if t.Hour() == 0 && t.Minute() == 0 {
		t = t.Add(-time.Minute)
	}
	h, suffix := t.Hour(), v.T("time.am")
	if h >= 12 {
		suffix = v.T("time.pm")
	}
	clock := ""
	switch {
	case h == 12 && t.Minute() == 0:
		clock = v.T("time.midday")
	case t.Minute() == 0:
		clock = strconv.Itoa((h+11)%12+1) + suffix
	default:
		clock = fmt.Sprintf("%d:%02d%s", (h+11)%12+1, t.Minute(), suffix)
	}
	return v.T("datetime", "time", clock, "date", v.Date(t))
}

// ErrorText says a field error in the page's language.
func (v *view) ErrorText(e consult.FieldError) string { return errorText(v.cat, v.Lang, v.C, e) }

// errorText renders a field error from its code, naming services and
// questions in lang; without a code it is the English message.
func errorText(cat *catalogue, lang string, c *consult.Consultation, e consult.FieldError) string {
	if e.Code == "" {
		return e.Msg
	}
	// The service the error is about, if any: a "level" is named by its
	// label in that service.
	var service *grid.Service
	for i := 0; i+1 < len(e.Args); i += 2 {
		if key, ok := e.Args[i+1].(string); ok && e.Args[i] == "service" && c != nil && c.Grid != nil {
			if si := c.Grid.ServiceIndex(key); si >= 0 {
				service = &c.Grid.Services[si]
			}
		}
	}
	args := make([]any, len(e.Args))
	copy(args, e.Args)
	n, plural := 0, false
	for i := 0; i+1 < len(args); i += 2 {
		switch v := args[i+1]; args[i] {
		case "service":
			if service != nil {
				args[i+1] = serviceText(service, lang).Name
			}
		case "level":
			if l, ok := v.(int); ok && service != nil && service.Level(l) != nil {
				args[i+1] = levelText(service.Level(l), lang).Label
			}
		case "question":
			if key, ok := v.(string); ok && c != nil {
				if q := c.Question(key); q != nil {
					args[i+1] = questionText(c, q, lang).Text
				}
			}
		case "n":
			n, plural = v.(int), true
		}
	}
	if plural {
		return cat.N(lang, "error."+e.Code, n, args...)
	}
	return cat.T(lang, "error."+e.Code, args...)
}

// CText gives the consultation's texts in the page's language.
func (v *view) CText() consult.ConsultationText { return consultationText(v.C, v.Lang) }

// TitleOf gives a consultation's title in the page's language.
func (v *view) TitleOf(c *consult.Consultation) string { return consultationText(c, v.Lang).Title }

func serviceText(s *grid.Service, lang string) grid.ServiceText {
	t := grid.ServiceText{Name: s.Name, Group: s.Group, Description: s.Description}
	if tr, ok := s.Translations[lang]; ok {
		t.Name = or(tr.Name, t.Name)
		t.Group = or(tr.Group, t.Group)
		t.Description = or(tr.Description, t.Description)
	}
	return t
}

func levelText(l *grid.Level, lang string) grid.LevelText {
	t := grid.LevelText{Label: l.Label, Description: l.Description}
	if tr, ok := l.Translations[lang]; ok {
		t.Label = or(tr.Label, t.Label)
		t.Description = or(tr.Description, t.Description)
	}
	return t
}

func consultationText(c *consult.Consultation, lang string) consult.ConsultationText {
	if c == nil {
		return consult.ConsultationText{}
	}
	t := consult.ConsultationText{Title: c.Title, Intro: c.Intro, Privacy: c.Privacy, Duration: c.Duration}
	if tr, ok := c.Translations[lang]; ok {
		t.Title, t.Intro = or(tr.Title, t.Title), or(tr.Intro, t.Intro)
		t.Privacy, t.Duration = or(tr.Privacy, t.Privacy), or(tr.Duration, t.Duration)
	}
	return t
}

func questionText(c *consult.Consultation, q *consult.Question, lang string) consult.QuestionText {
	t := consult.QuestionText{Text: q.Text, Hint: q.Hint, Options: map[string]string{}}
	for _, o := range q.Options {
		t.Options[o.Key] = o.Label
	}
	if tr, ok := c.Translations[lang].Questions[q.Key]; ok {
		t.Text, t.Hint = or(tr.Text, t.Text), or(tr.Hint, t.Hint)
		for k, l := range tr.Options {
			if l != "" {
				t.Options[k] = l
			}
		}
	}
	return t
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// langCookie remembers the resident's language for a year.
const langCookie = "budgetgrid_lang"

// language picks the page's language: a ?lang= switch (remembered in a
// cookie), else the cookie, else the consultation's first language, else
// English. Only languages both the interface and the consultation offer
// count.
func (s *Server) language(c echo.Context, k *consult.Consultation) string {
	if l, ok := c.Get("lang").(string); ok {
		return l
	}
	l := s.pickLanguage(c, k)
	c.Set("lang", l)
	return l
}

func (s *Server) pickLanguage(c echo.Context, k *consult.Consultation) string {
	ok := func(l string) bool { return l != "" && s.cat.has(l) && (k == nil || k.Offers(l)) }
	if l := c.QueryParam("lang"); ok(l) {
		c.SetCookie(&http.Cookie{Name: s.cookieName(langCookie), Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
		return l
	}
	if ck, err := c.Cookie(s.cookieName(langCookie)); err == nil && ok(ck.Value) {
		return ck.Value
	}
	if k != nil && len(k.Languages) > 0 && ok(k.Languages[0]) {
		return k.Languages[0]
	}
	return defaultLang
}

// languageLinks lists the other languages on offer, each a link to the
// current page in that language.
func (s *Server) languageLinks(c echo.Context, k *consult.Consultation, lang string) []langLink {
	var links []langLink
	for _, l := range s.cat.langs {
		if l == lang || (k != nil && !k.Offers(l)) {
			continue
		}
		q := c.Request().URL.Query()
		q.Set("lang", l)
		links = append(links, langLink{Code: l, Name: s.cat.T(l, "language.name"), URL: sitePath(c.Request().URL.EscapedPath()) + "?" + q.Encode()})
	}
	return links
}

// sitePath keeps a link on this site: a request path like //evil.example/x
// would otherwise make a link to another host.
func sitePath(p string) string {
	return "/" + strings.TrimLeft(p, "/\\")
}
