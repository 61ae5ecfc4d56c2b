package web

import (
	"net/http"
	"strconv"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// infoSection is a part of an information page: a heading, paragraphs and
// a list, all in the page's language.
type infoSection struct {
	Heading    string
	Paragraphs []string
	List       []string
}

type infoPage struct {
	Heading  string
	Sections []infoSection
}

// renderInfo renders an information page whose texts are catalogue keys
// of the form prefix.N.heading / prefix.N.body for N = 1…n.
func (s *Server) infoSections(lang, prefix string, n int, args ...any) []infoSection {
	var out []infoSection
	for i := 1; i <= n; i++ {
		k := prefix + "." + strconv.Itoa(i)
		out = append(out, infoSection{Heading: s.cat.T(lang, k+".heading"), Paragraphs: []string{s.cat.T(lang, k+".body", args...)}})
	}
	return out
}

// accessibility is the accessibility statement: the WCAG 2.2 AA status,
// how it is tested, how to ask for another format, and the enforcement
// procedure.
func (s *Server) accessibility(c echo.Context) error {
	lang := s.language(c, nil)
	d := infoPage{Heading: s.cat.T(lang, "a11y.heading"), Sections: s.infoSections(lang, "a11y", 5)}
	return s.render(c, http.StatusOK, "info", &view{TitleKey: "a11y.heading", D: d})
}

// cookies lists the cookies the site sets: all of them needed for it to
// work, none for analytics or advertising.
func (s *Server) cookies(c echo.Context) error {
	lang := s.language(c, nil)
	hours := int(s.sessionAbsolute / 3600e9)
	d := infoPage{Heading: s.cat.T(lang, "cookies.heading"), Sections: []infoSection{{
		Paragraphs: []string{s.cat.T(lang, "cookies.lead")},
		List: []string{
			s.cat.T(lang, "cookies.session", "name", s.cookieName(sessionName), "hours", hours),
			s.cat.T(lang, "cookies.lang", "name", s.cookieName(langCookie)),
		},
	}, {Paragraphs: []string{s.cat.T(lang, "cookies.none")}}}}
	return s.render(c, http.StatusOK, "info", &view{TitleKey: "cookies.heading", D: d})
}

// privacy is a consultation's privacy notice, made from what it stores:
// its own privacy text, then every question it asks, the stages it has,
// and how long unfinished answers are kept.
func (s *Server) privacy(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	lang := s.language(c, k)
	var asked []string
	for _, q := range k.Questions {
		asked = append(asked, questionText(k, &q, lang).Text+" "+s.cat.T(lang, "privacy.optional"))
	}
	if k.AskCurrent {
		asked = append(asked, s.cat.T(lang, "privacy.current"))
	}
	if k.AskUnacceptable {
		asked = append(asked, s.cat.T(lang, "privacy.unacceptable"))
	}
	asked = append(asked, s.cat.T(lang, "privacy.lots", "n", len(k.Plan().Budgets)), s.cat.T(lang, "privacy.comments", "max", consult.MaxComments))
	v := &view{TitleKey: "privacy.heading", C: k, Back: "/c/" + k.Slug}
	d := infoPage{Heading: s.cat.T(lang, "privacy.heading"), Sections: []infoSection{
		{Paragraphs: []string{consultationText(k, lang).Privacy}},
		{Heading: s.cat.T(lang, "privacy.what"), Paragraphs: []string{s.cat.T(lang, "privacy.what.lead")}, List: asked},
		{Heading: s.cat.T(lang, "privacy.not"), Paragraphs: []string{s.cat.T(lang, "privacy.not.body")}},
		{Heading: s.cat.T(lang, "privacy.keep"), Paragraphs: []string{s.cat.T(lang, "privacy.keep.body", "days", int(s.purgeAfter.Hours()/24))}},
		{Heading: s.cat.T(lang, "privacy.cookies"), Paragraphs: []string{s.cat.T(lang, "privacy.cookies.body")}},
	}}
	v.D = d
	return s.render(c, http.StatusOK, "info", v)
}
