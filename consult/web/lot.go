package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/labstack/echo/v4"
)

// lotView is the data of a lot page and of its budget panel.
type lotView struct {
	Lot, Lots     int
	Budget, Now   int
	AboveNow      int
	BelowNow      int
	BudgetTax     int64
	BudgetTaxText string
	PointValue    string
	Floor         bool
	Spent, Left   int
	Over          int
	SpentMoney    string
	SpentAbove    int
	SpentTax      int64
	SpentTaxText  string
	Services      []lotService
	MaxLevels     int
	// Unspent is the points left; WarnUnspent asks the resident to
	// confirm that they mean to leave most of the budget unspent, and
	// UnspentOK carries that confirmation into the next post.
	Additive    bool
	Unspent     int
	WarnUnspent bool
	UnspentOK   bool
	// Data is the page's data for the live budget script: the grid's
	// canonical JSON, the lot, the money settings and the messages.
	Data template.JS
}

type lotService struct {
	S      grid.Service
	Field  string // the form field: s.KEY
	Text   grid.ServiceText
	Levels []lotLevel
	Error  string
	// Group is the service's group heading, set on the first service of
	// each run of services in one group (grid order); "" otherwise.
	Group string
}

type lotLevel struct {
	L      grid.Level
	Text   grid.LevelText
	ID     string // the radio's id; the first level's is the service's field id
	Points string
	// Step is what the level costs over the one below ("+6 points"); ""
	// for the lowest level.
	Step   string
	Chosen bool
	Locked bool
}

// saveLot handles a lot page's buttons: Recalculate re-renders the
// totals for the posted package without saving; Continue validates and
// saves it; "Save and come back later" saves it when valid, else keeps it
// as a draft of the lot, exactly as posted. A page with errors shows every
// choice posted (0, nothing chosen, where a service's answer was missing
// or not one of its levels).
func (s *Server) saveLot(c echo.Context, j *journey, form map[string][]string, saving bool) error {
	p, errs := lotFromForm(j.k.Grid, form)
	if form["action"] != nil && form["action"][0] == "language" {
		return s.switchLanguage(c, j, form, p)
	}
	if len(errs) == 0 {
		errs = j.flow.CheckLot(j.r, j.stage.Lot, p)
		if form["action"] != nil && form["action"][0] == "recalculate" && !saving {
			return s.renderLot(c, j, http.StatusOK, p, nil)
		}
	}
	ctx := c.Request().Context()
	if len(errs) > 0 {
		if saving {
			if err := s.saveDraft(ctx, j, p); err != nil {
				return err
			}
			return s.saveForLater(c, j)
		}
		return s.renderLot(c, j, http.StatusUnprocessableEntity, p, errs)
	}
	// Most of the budget left unspent: confirm once that it is meant.
	confirmed := form["unspent"] != nil && form["unspent"][0] == "confirmed"
	if !saving && !confirmed && j.flow.MostlyUnspent(j.stage.Lot, p) {
		return s.renderLotWith(c, j, http.StatusUnprocessableEntity, p, nil, func(d *lotView) { d.WarnUnspent = true })
	}
	lots := j.r.Answers.Lots
	for len(lots) < j.stage.Lot {
		lots = append(lots, nil)
	}
	lots[j.stage.Lot-1] = p
	j.r.Answers.Lots = lots
	delete(j.r.Answers.Drafts, j.stage.Lot)
	if len(j.r.Answers.Drafts) == 0 {
		j.r.Answers.Drafts = nil
	}
	if err := s.save(ctx, j); err != nil {
		return err
	}
	if saving {
		return s.saveForLater(c, j)
	}
	return s.next(c, j)
}

// switchLanguage answers the language switch of a lot page: the page's
// choices, unsaved, are kept as a draft of the lot (when they differ from
// what the page would show anyway), and the resident goes back to the
// page in the new language, at the service named by the posted place.
func (s *Server) switchLanguage(c echo.Context, j *journey, form map[string][]string, p grid.Package) error {
	s.language(c, j.k) // remembers the ?lang= of the button
	if !slices.Equal(p, j.flow.LotPackage(j.r, j.stage.Lot)) {
		if err := s.saveDraft(c.Request().Context(), j, p); err != nil {
			return err
		}
	}
	to := stageURL(j.k, j.stage)
	if j.ret {
		to += "?return=check"
	}
	if place := form["place"]; len(place) == 1 {
		if key, ok := strings.CutPrefix(place[0], "group-"); ok && j.k.Grid.ServiceIndex(key) >= 0 {
			to += "#" + place[0]
		}
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// lotFromForm reads a lot page's package; a service without a valid
// level is 0 in it, with an error.
func lotFromForm(g *grid.Grid, form map[string][]string) (grid.Package, []consult.FieldError) {
	p := make(grid.Package, len(g.Services))
	var errs []consult.FieldError
	for i, sv := range g.Services {
		vs := form["s."+sv.Key]
		if len(vs) == 0 || vs[0] == "" {
			errs = append(errs, consult.FieldError{Field: "service-" + sv.Key, Msg: "Choose a level for " + sv.Name, Code: "lot.missing", Args: []any{"service", sv.Key}})
			continue
		}
		n, err := strconv.Atoi(vs[0])
		if err != nil || len(vs) > 1 || sv.Level(n) == nil {
			errs = append(errs, consult.FieldError{Field: "service-" + sv.Key, Msg: "Choose a level of " + sv.Name + " from the list", Code: "level.list", Args: []any{"service", sv.Key}})
			continue
		}
		p[i] = n
	}
	return p, errs
}

// saveDraft stores p as the draft of the journey's lot, without marking
// the lot answered.
func (s *Server) saveDraft(ctx context.Context, j *journey, p grid.Package) error {
	if j.r.Answers.Drafts == nil {
		j.r.Answers.Drafts = map[int]grid.Package{}
	}
	j.r.Answers.Drafts[j.stage.Lot] = p
	j.r.UpdatedAt = s.now().UTC()
	return s.store.SaveResponse(ctx, j.r)
}

// partialCost is the points of the levels chosen in p; 0 is none.
func partialCost(g *grid.Grid, p grid.Package) int {
	total := 0
	for i, n := range p {
		if i < len(g.Services) {
			if l := g.Services[i].Level(n); l != nil {
				total += l.Points
			}
		}
	}
	return total
}

func (s *Server) renderLot(c echo.Context, j *journey, status int, p grid.Package, errs []consult.FieldError) error {
	return s.renderLotWith(c, j, status, p, errs, nil)
}

// renderLotWith renders a lot page after letting edit change its data.
func (s *Server) renderLotWith(c echo.Context, j *journey, status int, p grid.Package, errs []consult.FieldError, edit func(*lotView)) error {
	k, g := j.k, j.k.Grid
	lot := j.stage.Lot
	d := lotView{Lot: lot, Lots: len(j.flow.Plan.Budgets), Budget: j.flow.Plan.Budgets[lot-1], Now: g.AsNowCost()}
	d.AboveNow, d.BelowNow = max(d.Budget-d.Now, 0), max(d.Now-d.Budget, 0)
	d.BudgetTax = k.Money.BandDPence(d.AboveNow)
	d.BudgetTaxText = grid.FormatPence(d.BudgetTax)
	d.PointValue = grid.FormatPence(k.Money.PointPence)
	floor := j.flow.Floor(j.r, lot)
	d.Floor = floor != nil
	d.Spent = partialCost(g, p)
	d.Left = max(d.Budget-d.Spent, 0)
	d.Over = max(d.Spent-d.Budget, 0)
	d.SpentMoney = grid.FormatPence(k.Money.Pence(d.Spent))
	d.SpentAbove = max(d.Spent-d.Now, 0)
	d.SpentTax = k.Money.BandDPence(d.SpentAbove)
	d.SpentTaxText = grid.FormatPence(d.SpentTax)
	lang := s.language(c, k)
	data, err := s.lotData(k, lang, lot, d.Budget, floor)
	if err != nil {
		return err
	}
	d.Data = data
	byField := fieldErrors(s.cat, lang, k, errs)
	d.Services = make([]lotService, len(g.Services))
	for i, sv := range g.Services {
		ls := lotService{S: sv, Field: "s." + sv.Key, Text: serviceText(&sv, lang), Levels: make([]lotLevel, len(sv.Levels)), Error: byField["service-"+sv.Key]}
		for li := range sv.Levels {
			l := &sv.Levels[li]
			id := "service-" + sv.Key
			if li > 0 {
				id += "-" + strconv.Itoa(l.Number)
			}
			ls.Levels[li] = lotLevel{L: *l, Text: levelText(l, lang), ID: id, Points: s.cat.N(lang, "points", l.Points), Chosen: p[i] == l.Number, Locked: floor != nil && l.Number < floor[i]}
			if li > 0 {
				ls.Levels[li].Step = s.cat.T(lang, "lot.step", "points", s.cat.N(lang, "points", l.Points-sv.Levels[li-1].Points))
			}
		}
		if i == 0 || serviceText(&g.Services[i-1], lang).Group != ls.Text.Group {
			ls.Group = ls.Text.Group
		}
		d.Services[i] = ls
		d.MaxLevels = max(d.MaxLevels, len(sv.Levels))
	}
	d.Unspent = d.Budget - d.Spent
	d.Additive = j.flow.Plan.Additive
	if fv := c.Request().PostForm["unspent"]; len(fv) > 0 && fv[0] == "confirmed" {
		d.UnspentOK = true
	}
	if edit != nil {
		edit(&d)
	}
	v := j.base("lot.title", "lot", lot, "budget", d.Budget)
	v.Errors, v.D, v.LangForm = errs, d, "bg-stage"
	return s.render(c, status, "lot", v)
}

// lotData is the JSON the live budget script reads: the grid in its
// canonical form (the arithmetic works from it, as the offline interviewer
// app will), the lot's budget and floor, the money settings and the
// messages it shows, in the page's language. It is embedded as data
// (<script type="application/json">), never as script; encoding/json
// escapes <, > and & so it cannot close the element.
func (s *Server) lotData(k *consult.Consultation, lang string, lot, budget int, floor grid.Package) (template.JS, error) {
	gridJSON, err := s.gridJSON(k)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{
		"grid":   gridJSON,
		"lot":    lot,
		"budget": budget,
		"now":    k.Grid.AsNowCost(),
		"floor":  floor,
		"money":  k.Money,
		"lang":   lang,
		"messages": map[string]any{
			"points": s.cat.forms(lang, "points"),
			"over":   s.cat.forms(lang, "budget.over"),
			"money":  s.cat.raw(lang, "budget.money"),
			"tax":    s.cat.raw(lang, "budget.tax"),
			"status": s.cat.raw(lang, "budget.status"),
		},
	})
	if err != nil {
		return "", fmt.Errorf("lot data: %w", err)
	}
	return template.JS(b), nil
}

// gridJSON returns the part of a grid's canonical JSON that the budget
// module reads — each service's key and its levels' numbers, points and
// as-now mark, in the canonical field names — made once per grid version
// (a stored grid version never changes). The page shows every text
// itself; leaving descriptions and translations out of the embedded data
// takes the Fenshire lot page from 72 KB to 52 KB.
func (s *Server) gridJSON(k *consult.Consultation) (json.RawMessage, error) {
	if b, ok := s.gridCache.Load(k.GridVersion); ok {
		return b.(json.RawMessage), nil
	}
	type level struct {
		Number int  `json:"level"`
		Points int  `json:"points"`
		AsNow  bool `json:"as_now,omitempty"`
	}
	type service struct {
		Key    string  `json:"key"`
		Levels []level `json:"levels"`
	}
	costs := struct {
		Services []service `json:"services"`
	}{Services: make([]service, len(k.Grid.Services))}
	for i, sv := range k.Grid.Services {
		costs.Services[i].Key = sv.Key
		for _, l := range sv.Levels {
			costs.Services[i].Levels = append(costs.Services[i].Levels, level{l.Number, l.Points, l.AsNow})
		}
	}
	b, err := json.Marshal(costs)
	if err != nil {
		return nil, fmt.Errorf("grid json: %w", err)
	}
	raw := json.RawMessage(b)
	s.gridCache.Store(k.GridVersion, raw)
	return raw, nil
}
