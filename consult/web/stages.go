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
		return s.renderLot(c, j, http.StatusOK, s.lotPackage(j), nil)
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
	switch j.stage.Kind {
	case consult.StageAbout:
		about := map[string]string{}
		for _, q := range j.k.Questions {
			if v := form.Get("about." + q.Key); v != "" {
				about[q.Key] = v
			}
		}
		if errs := j.flow.CheckAbout(about); len(errs) > 0 {
			return s.renderAbout(c, j, http.StatusUnprocessableEntity, about, errs)
		}
		a.About = about
	case consult.StageCurrent:
		current, errs := levelsFromForm(j.k.Grid, form, "current.", "current-")
		if len(errs) == 0 {
			errs = j.flow.CheckCurrent(current)
		}
		if len(errs) > 0 {
			return s.renderCurrent(c, j, http.StatusUnprocessableEntity, current, errs)
		}
		a.Current = current
	case consult.StageUnacceptable:
		marks, errs := marksFromForm(j.k.Grid, form)
		if len(errs) == 0 {
			errs = j.flow.CheckUnacceptable(marks)
		}
		if len(errs) > 0 {
			return s.renderUnacceptable(c, j, http.StatusUnprocessableEntity, marks, errs)
		}
		a.Unacceptable = marks
	case consult.StageLot:
		return s.saveLot(c, j, form)
	case consult.StageComments:
		text := consult.NormalizeComments(form.Get("comments"))
		if errs := j.flow.CheckComments(text); len(errs) > 0 {
			return s.renderComments(c, j, http.StatusUnprocessableEntity, text, errs)
		}
		a.Comments = text
	default:
		return echo.NewHTTPError(http.StatusMethodNotAllowed)
	}
	if err := s.save(ctx, j); err != nil {
		return err
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
			errs = append(errs, consult.FieldError{Field: field + sv.Key, Msg: "Choose a level of " + sv.Name + " from the list"})
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
				errs = append(errs, consult.FieldError{Field: "unacceptable-" + sv.Key, Msg: "Choose levels of " + sv.Name + " from the list"})
				break
			}
			out[i] = append(out[i], n)
		}
		slices.Sort(out[i])
	}
	return out, errs
}

// fieldErrors indexes errors by field for the inline messages.
func fieldErrors(errs []consult.FieldError) map[string]string {
	m := map[string]string{}
	for _, e := range errs {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Msg
		}
	}
	return m
}

func (s *Server) renderAbout(c echo.Context, j *journey, status int, about map[string]string, errs []consult.FieldError) error {
	type question struct {
		Q        consult.Question
		Selected string
		Error    string
	}
	byField := fieldErrors(errs)
	qs := make([]question, len(j.k.Questions))
	for i, q := range j.k.Questions {
		qs[i] = question{Q: q, Selected: about[q.Key], Error: byField["about-"+q.Key]}
	}
	v := j.base("About you")
	v.Errors, v.D = errs, struct{ Questions []question }{qs}
	return s.render(c, status, "about", v)
}

func (s *Server) renderCurrent(c echo.Context, j *journey, status int, current []int, errs []consult.FieldError) error {
	type service struct {
		S        grid.Service
		Selected int
		Error    string
	}
	byField := fieldErrors(errs)
	ss := make([]service, len(j.k.Grid.Services))
	for i, sv := range j.k.Grid.Services {
		ss[i] = service{S: sv, Error: byField["current-"+sv.Key]}
		if i < len(current) {
			ss[i].Selected = current[i]
		}
	}
	v := j.base("Your current service")
	v.Errors, v.D = errs, struct{ Services []service }{ss}
	return s.render(c, status, "current", v)
}

func (s *Server) renderUnacceptable(c echo.Context, j *journey, status int, marks [][]int, errs []consult.FieldError) error {
	type service struct {
		S      grid.Service
		Marked []bool // indexed by level number
		Error  string
	}
	byField := fieldErrors(errs)
	ss := make([]service, len(j.k.Grid.Services))
	for i, sv := range j.k.Grid.Services {
		ss[i] = service{S: sv, Marked: make([]bool, len(sv.Levels)+1), Error: byField["unacceptable-"+sv.Key]}
		if i < len(marks) {
			for _, l := range marks[i] {
				if l >= 1 && l <= len(sv.Levels) {
					ss[i].Marked[l] = true
				}
			}
		}
	}
	v := j.base("Levels you would not accept")
	v.Errors, v.D = errs, struct{ Services []service }{ss}
	return s.render(c, status, "unacceptable", v)
}

func (s *Server) renderComments(c echo.Context, j *journey, status int, text string, errs []consult.FieldError) error {
	v := j.base("Any other comments")
	v.Errors = errs
	v.D = struct {
		Comments string
		Max      int
	}{text, consult.MaxComments}
	return s.render(c, status, "comments", v)
}
