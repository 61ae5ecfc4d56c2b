package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/labstack/echo/v4"
)

// showStage renders the stage named in the URL.
func (s *Server) showStage(c echo.Context) error {
	j, err := s.loadJourney(c, c.Param("stage"))
	if err != nil {
		return s.journeyError(c, err)
	}
	a := &j.r.Answers
	switch j.stage.Kind {
	case consult.StageAbout:
		return s.renderAbout(c, j, http.StatusOK, a.About, nil)
	case consult.StageCurrent:
		return s.renderCurrent(c, j, http.StatusOK, a.Current, nil)
	case consult.StageUnacceptable:
		return s.renderUnacceptable(c, j, http.StatusOK, a.Unacceptable, nil)
	case consult.StageLot:
		return s.renderLot(c, j, http.StatusOK, j.flow.LotPackage(j.r, j.stage.Lot), nil)
	case consult.StageComments:
		return s.renderComments(c, j, http.StatusOK, a.Comments, nil)
	default:
		return s.renderCheck(c, j, http.StatusOK, nil)
	}
}

// saveStage validates and stores the answer to the stage named in the URL.
// On error it re-renders the stage with 422 and leaves the stored response
// unchanged; on success it redirects (303) to the next stage.
func (s *Server) saveStage(c echo.Context) error {
	j, err := s.loadJourney(c, c.Param("stage"))
	if err != nil {
		return s.journeyError(c, err)
	}
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a := &j.r.Answers
	// "Save and come back later" stores the page's answers when they are
	// valid, and in any case gives a resume code.
	saving := form.Get("action") == "save"
	invalid := func(render func() error) error {
		if saving {
			return s.saveForLater(c, j)
		}
		return render()
	}
	switch j.stage.Kind {
	case consult.StageAbout:
		// An explicit "Prefer not to say" is kept as "" so the page can
		// show it again; an unanswered question is absent.
		about := map[string]string{}
		for _, q := range j.k.Questions {
			if vs, ok := form["about."+q.Key]; ok && len(vs) > 0 {
				about[q.Key] = vs[0]
			}
		}
		if errs := j.flow.CheckAbout(about); len(errs) > 0 {
			return invalid(func() error { return s.renderAbout(c, j, http.StatusUnprocessableEntity, about, errs) })
		}
		a.About = about
	case consult.StageCurrent:
		current, errs := levelsFromForm(j.k.Grid, form, "current.", "current-")
		if len(errs) == 0 {
			errs = j.flow.CheckCurrent(current)
		}
		if len(errs) > 0 {
			return invalid(func() error { return s.renderCurrent(c, j, http.StatusUnprocessableEntity, current, errs) })
		}
		a.Current = current
	case consult.StageUnacceptable:
		marks, errs := marksFromForm(j.k.Grid, form)
		if len(errs) == 0 {
			errs = j.flow.CheckUnacceptable(marks)
		}
		if len(errs) > 0 {
			return invalid(func() error { return s.renderUnacceptable(c, j, http.StatusUnprocessableEntity, marks, errs) })
		}
		a.Unacceptable = marks
	case consult.StageLot:
		return s.saveLot(c, j, form, saving)
	case consult.StageComments:
		text := consult.NormalizeComments(form.Get("comments"))
		if errs := j.flow.CheckComments(text); len(errs) > 0 {
			return invalid(func() error { return s.renderComments(c, j, http.StatusUnprocessableEntity, text, errs) })
		}
		a.Comments = text
	default:
		return echo.NewHTTPError(http.StatusMethodNotAllowed)
	}
	if err := s.save(ctx, j); err != nil {
		return err
	}
	if saving {
		return s.saveForLater(c, j)
	}
	return s.next(c, j)
}

// levelsFromForm reads one optional level number per service from fields
// named prefix+key; blank means not answered (0).
func levelsFromForm(g *grid.Grid, form map[string][]string, prefix, field string) ([]int, []consult.FieldError) {
	out := make([]int, len(g.Services))
	var errs []consult.FieldError
	for i, sv := range g.Services {
		vs := form[prefix+sv.Key]
		if len(vs) == 0 || vs[0] == "" {
			continue
		}
		n, err := strconv.Atoi(vs[0])
		if err != nil || len(vs) > 1 || sv.Level(n) == nil {
			errs = append(errs, consult.FieldError{Field: field + sv.Key, Msg: "Choose a level of " + sv.Name + " from the list", Code: "level.list", Args: []any{"service", sv.Key}})
			continue
		}
		out[i] = n
	}
	return out, errs
}

func marksFromForm(g *grid.Grid, form map[string][]string) ([][]int, []consult.FieldError) {
	out := make([][]int, len(g.Services))
	var errs []consult.FieldError
	for i, sv := range g.Services {
		for _, v := range form["unacceptable."+sv.Key] {
			n, err := strconv.Atoi(v)
			if err != nil || sv.Level(n) == nil {
				errs = append(errs, consult.FieldError{Field: "unacceptable-" + sv.Key, Msg: "Choose levels of " + sv.Name + " from the list", Code: "unacceptable.list", Args: []any{"service", sv.Key}})
				break
			}
			out[i] = append(out[i], n)
		}
		slices.Sort(out[i])
	}
	return out, errs
}

// fieldErrors indexes errors by field for the inline messages, in lang.
func fieldErrors(cat *catalogue, lang string, k *consult.Consultation, errs []consult.FieldError) map[string]string {
	m := map[string]string{}
	for _, e := range errs {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = errorText(cat, lang, k, e)
		}
	}
	return m
}

func (s *Server) renderAbout(c echo.Context, j *journey, status int, about map[string]string, errs []consult.FieldError) error {
	type question struct {
		Q        consult.Question
		Text     consult.QuestionText
		Selected string
		Answered bool // Selected "" with Answered is "Prefer not to say"
		Error    string
	}
	lang := s.language(c, j.k)
	byField := fieldErrors(s.cat, lang, j.k, errs)
	qs := make([]question, len(j.k.Questions))
	for i, q := range j.k.Questions {
		sel, answered := about[q.Key]
		qs[i] = question{Q: q, Text: questionText(j.k, &q, lang), Selected: sel, Answered: answered, Error: byField["about-"+q.Key]}
	}
	v := j.base("about.title")
	v.Errors, v.D = errs, struct{ Questions []question }{qs}
	return s.render(c, status, "about", v)
}

// choiceService is a service on the current-service and unacceptable
// pages: its levels as radios or checkboxes, with the resident's choices.
type choiceService struct {
	S        grid.Service
	Text     grid.ServiceText
	Levels   []lotLevel
	Selected int // the radio chosen; 0 for none
	Error    string
}

// choiceServices lays out every service for a choice page; chosen says
// whether level l of service i is ticked.
func (s *Server) choiceServices(c echo.Context, j *journey, prefix string, errs []consult.FieldError, chosen func(i, l int) bool) []choiceService {
	lang := s.language(c, j.k)
	byField := fieldErrors(s.cat, lang, j.k, errs)
	ss := make([]choiceService, len(j.k.Grid.Services))
	for i := range j.k.Grid.Services {
		sv := &j.k.Grid.Services[i]
		cs := choiceService{S: *sv, Text: serviceText(sv, lang), Levels: make([]lotLevel, len(sv.Levels)), Error: byField[prefix+sv.Key]}
		for li := range sv.Levels {
			l := &sv.Levels[li]
			id := prefix + sv.Key
			if li > 0 {
				id += "-" + strconv.Itoa(l.Number)
			}
			ch := chosen(i, l.Number)
			if ch {
				cs.Selected = l.Number
			}
			cs.Levels[li] = lotLevel{L: *l, Text: levelText(l, lang), ID: id, Chosen: ch}
		}
		ss[i] = cs
	}
	return ss
}

func (s *Server) renderCurrent(c echo.Context, j *journey, status int, current []int, errs []consult.FieldError) error {
	ss := s.choiceServices(c, j, "current-", errs, func(i, l int) bool { return i < len(current) && current[i] == l })
	v := j.base("current.title")
	v.Errors, v.D = errs, struct{ Services []choiceService }{ss}
	return s.render(c, status, "current", v)
}

func (s *Server) renderUnacceptable(c echo.Context, j *journey, status int, marks [][]int, errs []consult.FieldError) error {
	ss := s.choiceServices(c, j, "unacceptable-", errs, func(i, l int) bool { return i < len(marks) && slices.Contains(marks[i], l) })
	v := j.base("unacceptable.title")
	v.Errors, v.D = errs, struct{ Services []choiceService }{ss}
	return s.render(c, status, "unacceptable", v)
}

func (s *Server) renderComments(c echo.Context, j *journey, status int, text string, errs []consult.FieldError) error {
	v := j.base("comments.title")
	v.Errors = errs
	v.D = struct {
		Comments string
		Max      int
	}{text, consult.MaxComments}
	return s.render(c, status, "comments", v)
}
