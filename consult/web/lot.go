package web

import (
	"net/http"
	"strconv"

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
}

type lotService struct {
	S      grid.Service
	Name   string // the form field: s.KEY
	Levels []lotLevel
	Error  string
}

type lotLevel struct {
	L      grid.Level
	ID     string // the radio's id; the first level's is the service's field id
	Points string
	Chosen bool
	Locked bool
}

// lotPackage is the package a lot page shows: the stored answer lifted to
// the floor the lot before sets (an earlier lot may have changed since),
// or where the lot starts.
func (s *Server) lotPackage(j *journey) grid.Package {
	p := j.flow.LotPackage(j.r, j.stage.Lot)
	if floor := j.flow.Floor(j.r, j.stage.Lot); floor != nil {
		for i := range p {
			p[i] = max(p[i], floor[i])
		}
	}
	return p
}

// saveLot handles a lot page's two buttons: Recalculate re-renders the
// totals for the posted package without saving; Continue validates and
// saves it.
func (s *Server) saveLot(c echo.Context, j *journey, form map[string][]string) error {
	g := j.k.Grid
	p := make(grid.Package, len(g.Services))
	var errs []consult.FieldError
	for i, sv := range g.Services {
		vs := form["s."+sv.Key]
		if len(vs) == 0 || vs[0] == "" {
			errs = append(errs, consult.FieldError{Field: "service-" + sv.Key, Msg: "Choose a level for " + sv.Name})
			continue
		}
		n, err := strconv.Atoi(vs[0])
		if err != nil || len(vs) > 1 || sv.Level(n) == nil {
			errs = append(errs, consult.FieldError{Field: "service-" + sv.Key, Msg: "Choose a level of " + sv.Name + " from the list"})
			continue
		}
		p[i] = n
	}
	if len(errs) > 0 {
		return s.renderLot(c, j, http.StatusUnprocessableEntity, s.lotPackage(j), errs)
	}
	if form["action"] != nil && form["action"][0] == "recalculate" {
		return s.renderLot(c, j, http.StatusOK, p, nil)
	}
	if errs := j.flow.CheckLot(j.r, j.stage.Lot, p); len(errs) > 0 {
		return s.renderLot(c, j, http.StatusUnprocessableEntity, p, errs)
	}
	lots := j.r.Answers.Lots
	for len(lots) < j.stage.Lot {
		lots = append(lots, nil)
	}
	lots[j.stage.Lot-1] = p
	j.r.Answers.Lots = lots
	if err := s.save(c.Request().Context(), j); err != nil {
		return err
	}
	return s.next(c, j)
}

func (s *Server) renderLot(c echo.Context, j *journey, status int, p grid.Package, errs []consult.FieldError) error {
	k, g := j.k, j.k.Grid
	lot := j.stage.Lot
	d := lotView{Lot: lot, Lots: len(j.flow.Plan.Budgets), Budget: j.flow.Plan.Budgets[lot-1], Now: g.AsNowCost()}
	d.AboveNow, d.BelowNow = max(d.Budget-d.Now, 0), max(d.Now-d.Budget, 0)
	d.BudgetTax = k.Money.BandDPence(d.AboveNow)
	d.BudgetTaxText = grid.FormatPence(d.BudgetTax)
	d.PointValue = grid.FormatPence(k.Money.PointPence)
	floor := j.flow.Floor(j.r, lot)
	d.Floor = floor != nil
	d.Spent, _ = g.Cost(p)
	d.Left = d.Budget - d.Spent
	d.Over = max(-d.Left, 0)
	d.SpentMoney = grid.FormatPence(k.Money.Pence(d.Spent))
	d.SpentAbove = max(d.Spent-d.Now, 0)
	d.SpentTax = k.Money.BandDPence(d.SpentAbove)
	d.SpentTaxText = grid.FormatPence(d.SpentTax)
	byField := fieldErrors(errs)
	d.Services = make([]lotService, len(g.Services))
	for i, sv := range g.Services {
		ls := lotService{S: sv, Name: "s." + sv.Key, Levels: make([]lotLevel, len(sv.Levels)), Error: byField["service-"+sv.Key]}
		for li, l := range sv.Levels {
			id := "service-" + sv.Key
			if li > 0 {
				id += "-" + strconv.Itoa(l.Number)
			}
			ls.Levels[li] = lotLevel{L: l, ID: id, Points: pointsText(l.Points), Chosen: p[i] == l.Number, Locked: floor != nil && l.Number < floor[i]}
		}
		d.Services[i] = ls
	}
	v := j.base("Lot " + strconv.Itoa(lot) + ": spend a budget of " + strconv.Itoa(d.Budget) + " points")
	v.Errors, v.D = errs, d
	return s.render(c, status, "lot", v)
}

func pointsText(n int) string {
	if n == 1 {
		return "1 point"
	}
	return strconv.Itoa(n) + " points"
}
