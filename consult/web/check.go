package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

type checkSection struct {
	Heading string
	ID      string
	Invalid string
	Rows    []checkRow
}

type checkRow struct {
	Key, Value         string
	Change, ChangeWhat string
}

// renderCheck shows every answer with a Change link per stage. A lot made
// invalid by a change to an earlier lot is marked, with an error.
func (s *Server) renderCheck(c echo.Context, j *journey, status int, errs []consult.FieldError) error {
	k, g, a := j.k, j.k.Grid, &j.r.Answers
	lang := s.language(c, k)
	t := func(key string, args ...any) string { return s.cat.T(lang, key, args...) }
	change := func(slug string) string { return "/c/" + k.Slug + "/" + slug + "?return=check" }
	var secs []checkSection

	about := checkSection{Heading: t("check.about")}
	for _, q := range k.Questions {
		qt := questionText(k, &q, lang)
		val := t("check.not_answered")
		if v, answered := a.About[q.Key]; answered {
			val = or(qt.Options[v], t("about.prefer_not"))
		}
		about.Rows = append(about.Rows, checkRow{Key: qt.Text, Value: val, Change: change("about-you"), ChangeWhat: qt.Text})
	}
	secs = append(secs, about)

	if k.AskCurrent {
		sec := checkSection{Heading: t("check.current")}
		for i, sv := range g.Services {
			name := serviceText(&sv, lang).Name
			val := t("current.not_sure")
			if i < len(a.Current) && a.Current[i] > 0 {
				val = levelText(&sv.Levels[a.Current[i]-1], lang).Label
			}
			sec.Rows = append(sec.Rows, checkRow{Key: name, Value: val, Change: change("current-service"), ChangeWhat: name})
		}
		secs = append(secs, sec)
	}
	if k.AskUnacceptable {
		sec := checkSection{Heading: t("check.unacceptable")}
		for i, sv := range g.Services {
			name := serviceText(&sv, lang).Name
			var labels []string
			if i < len(a.Unacceptable) {
				for _, l := range a.Unacceptable[i] {
					labels = append(labels, levelText(&sv.Levels[l-1], lang).Label)
				}
			}
			val := t("check.none")
			if len(labels) > 0 {
				val = strings.Join(labels, "; ")
			}
			sec.Rows = append(sec.Rows, checkRow{Key: name, Value: val, Change: change("unacceptable-levels"), ChangeWhat: name})
		}
		secs = append(secs, sec)
	}
	invalid := map[int]bool{}
	for _, l := range j.flow.InvalidLots(j.r) {
		invalid[l] = true
	}
	for lot, budget := range j.flow.Plan.Budgets {
		lot++
		slug := "lot-" + strconv.Itoa(lot)
		sec := checkSection{Heading: t("check.lot", "lot", lot, "budget", budget), ID: slug}
		if invalid[lot] {
			sec.Invalid = t("check.invalid", "lot", lot)
		}
		if lot <= len(a.Lots) && a.Lots[lot-1] != nil {
			p := a.Lots[lot-1]
			for i, sv := range g.Services {
				l := sv.Level(p[i])
				if l == nil {
					continue
				}
				name := serviceText(&sv, lang).Name
				value := t("check.level_points", "label", levelText(l, lang).Label, "points", s.cat.N(lang, "points", l.Points))
				sec.Rows = append(sec.Rows, checkRow{Key: name, Value: value, Change: change(slug), ChangeWhat: sec.Heading + ": " + name})
			}
			cost, _ := g.Cost(p)
			sec.Rows = append(sec.Rows, checkRow{Key: t("check.total"), Value: t("check.total_value", "cost", cost, "budget", budget)})
		}
		secs = append(secs, sec)
	}
	comments := a.Comments
	if comments == "" {
		comments = t("check.none")
	}
	secs = append(secs, checkSection{Heading: t("check.comments"), Rows: []checkRow{{Key: t("check.your_comments"), Value: comments, Change: change("comments"), ChangeWhat: t("check.your_comments")}}})

	for lot := 1; lot <= len(j.flow.Plan.Budgets); lot++ {
		if invalid[lot] {
			errs = append(errs, consult.FieldError{Field: "lot-" + strconv.Itoa(lot), Msg: fmt.Sprintf("Check your choices for lot %d", lot), Code: "check.lot", Args: []any{"lot", lot}})
		}
	}
	v := &view{TitleKey: "check.title", C: k, Back: stageURL(k, j.flow.Stages[j.flow.CheckIndex()-1]), Action: stageURL(k, j.stage), Stage: j.stage.Slug, Errors: errs}
	v.D = struct{ Sections []checkSection }{secs}
	return s.render(c, status, "check", v)
}

// submit completes the response in one durable transaction and shows the
// confirmation.
func (s *Server) submit(c echo.Context) error {
	j, err := s.loadJourney(c, "check-answers")
	if err != nil {
		return s.journeyError(c, err)
	}
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	if form.Get("action") == "save" {
		return s.saveForLater(c, j)
	}
	if err := j.flow.ReadyToSubmit(j.r); err != nil {
		if consult.ErrorCode(err) == consult.EINVALID {
			fe := consult.FieldError{Field: "main-content", Msg: consult.ErrorMessage(err), Code: "submit.incomplete"}
			if bad := j.flow.InvalidLots(j.r); len(bad) > 0 {
				fe = consult.FieldError{Field: "lot-" + strconv.Itoa(bad[0]), Msg: consult.ErrorMessage(err), Code: "submit.lot", Args: []any{"lot", bad[0]}}
			}
			return s.renderCheck(c, j, http.StatusUnprocessableEntity, []consult.FieldError{fe})
		}
		return err
	}
	// A draft saved for later is not an answer: a sent response keeps none.
	j.r.Answers.Drafts = nil
	j.r.UpdatedAt = s.now().UTC()
	if err := s.store.CompleteResponse(c.Request().Context(), j.r); err != nil {
		return err
	}
	sess := s.session(c)
	delete(sess.Values, "r:"+j.k.Slug)
	sess.Values["done:"+j.k.Slug] = j.r.ID
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return c.Redirect(http.StatusSeeOther, "/c/"+j.k.Slug+"/confirmation")
}

// confirmation shows the reference and the final package next to today's.
func (s *Server) confirmation(c echo.Context) error {
	k, err := s.consultation(c)
	if err != nil {
		return err
	}
	id, _ := s.session(c).Values["done:"+k.Slug].(string)
	if id == "" {
		return c.Redirect(http.StatusSeeOther, "/c/"+k.Slug)
	}
	r, err := s.store.Response(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !r.Completed() || len(r.Answers.Lots) == 0 {
		return c.Redirect(http.StatusSeeOther, "/c/"+k.Slug)
	}
	type row struct{ Service, Today, Chosen, Change string }
	g := k.Grid
	lang := s.language(c, k)
	final := r.Answers.Lots[len(r.Answers.Lots)-1]
	now := g.AsNowPackage()
	var rows []row
	for i, sv := range g.Services {
		rw := row{Service: serviceText(&sv, lang).Name, Today: levelText(&sv.Levels[now[i]-1], lang).Label, Chosen: levelText(&sv.Levels[final[i]-1], lang).Label}
		switch {
		case final[i] > now[i]:
			rw.Change = "higher"
		case final[i] < now[i]:
			rw.Change = "lower"
		}
		rows = append(rows, rw)
	}
	finalCost, _ := g.Cost(final)
	plan := k.Plan()
	d := struct {
		Reference              string
		Lot, Budget            int
		Rows                   []row
		NowPoints, FinalPoints int
	}{r.Reference, len(r.Answers.Lots), plan.Budgets[len(plan.Budgets)-1], rows, g.AsNowCost(), finalCost}
	// Shown once: the browser then holds nothing of the response.
	if err := s.endSession(c); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "confirmation", &view{TitleKey: "confirm.title", C: k, D: d})
}
