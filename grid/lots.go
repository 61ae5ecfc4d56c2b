package grid

import "fmt"

// LotPlan says how a resident spends the grid: the budget of each lot in
// points, and whether lots are additive (each lot starts from the previous
// package and levels may only move up).
type LotPlan struct {
	Budgets  []int `json:"budgets"`
	Additive bool  `json:"additive"`
}

// LotErrorKind says which lot rule a package broke.
type LotErrorKind int

// The lot rules.
const (
	// LotShape: no such lot, or a package or sequence of the wrong length.
	LotShape LotErrorKind = iota + 1
	// LotLevelRange: a level that the service does not have.
	LotLevelRange
	// LotBelowFloor: on additive lots, a level below the lot before's.
	LotBelowFloor
	// LotOverBudget: the package costs more than the lot's budget.
	LotOverBudget
)

// Code is the kind's stable name, as the field sync API reports it.
func (k LotErrorKind) Code() string {
	switch k {
	case LotShape:
		return "lot.shape"
	case LotLevelRange:
		return "level.range"
	case LotBelowFloor:
		return "level.below_floor"
	case LotOverBudget:
		return "lot.over_budget"
	}
	return "lot.invalid"
}

// LotError is a rule broken by a package at one lot.
type LotError struct {
	Lot     int    // 1-based lot number
	Service string // service key, empty when the error is about the whole package
	Kind    LotErrorKind
	Msg     string
	// Level is the level the rule concerns: for LotBelowFloor, the floor.
	Level int
}

func (e LotError) Error() string {
	if e.Service == "" {
		return fmt.Sprintf("lot %d: %s", e.Lot, e.Msg)
	}
	return fmt.Sprintf("lot %d: %s: %s", e.Lot, e.Service, e.Msg)
}

// CheckLot returns every rule that package p breaks at lot number lot
// (1-based), given prev, the package of the lot before (nil for the first
// lot, whose floor is the base package). It checks that every level exists,
// the cost is within the lot's budget, and, for additive lots, that no level
// is below the previous package.
func (g *Grid) CheckLot(plan LotPlan, lot int, prev, p Package) []LotError {
	var errs []LotError
	if lot < 1 || lot > len(plan.Budgets) {
		return []LotError{{Lot: lot, Kind: LotShape, Msg: fmt.Sprintf("there is no lot %d", lot)}}
	}
	if len(p) != len(g.Services) {
		return []LotError{{Lot: lot, Kind: LotShape, Msg: fmt.Sprintf("package has %d levels, grid has %d services", len(p), len(g.Services))}}
	}
	for i, n := range p {
		s := &g.Services[i]
		if n < 1 || n > len(s.Levels) {
			errs = append(errs, LotError{Lot: lot, Service: s.Key, Kind: LotLevelRange, Msg: fmt.Sprintf("level %d does not exist (choose 1 to %d)", n, len(s.Levels))})
			continue
		}
		if plan.Additive && prev != nil && i < len(prev) && n < prev[i] {
			errs = append(errs, LotError{Lot: lot, Service: s.Key, Kind: LotBelowFloor, Level: prev[i], Msg: fmt.Sprintf("level %d is below level %d chosen at the lot before", n, prev[i])})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	cost, _ := g.Cost(p)
	if over := cost - plan.Budgets[lot-1]; over > 0 {
		errs = append(errs, LotError{Lot: lot, Kind: LotOverBudget, Msg: fmt.Sprintf("package costs %d points, %d over the budget of %d", cost, over, plan.Budgets[lot-1])})
	}
	return errs
}

// CheckLots checks a whole sequence of lot packages, one per lot.
func (g *Grid) CheckLots(plan LotPlan, lots []Package) []LotError {
	if len(lots) != len(plan.Budgets) {
		return []LotError{{Lot: len(lots), Kind: LotShape, Msg: fmt.Sprintf("%d lots answered, the plan has %d", len(lots), len(plan.Budgets))}}
	}
	var errs []LotError
	var prev Package
	for k, p := range lots {
		errs = append(errs, g.CheckLot(plan, k+1, prev, p)...)
		prev = p
	}
	return errs
}

// StartPackage is where a resident starts lot number lot: the previous lot's
// package for additive lots after the first, else the base package.
func (g *Grid) StartPackage(plan LotPlan, lot int, prev Package) Package {
	if plan.Additive && lot > 1 && len(prev) == len(g.Services) {
		return append(Package(nil), prev...)
	}
	return g.BasePackage()
}

// Money turns points into pounds and council tax. All amounts are in whole
// pence; no float money.
type Money struct {
	// PointPence is what one point is worth a year, in pence.
	PointPence int64 `json:"point_pence"`
	// TaxBase is the council-tax base in Band D equivalent homes.
	TaxBase int64 `json:"tax_base"`
}

// Pence is what the given points are worth a year, in pence.
func (m Money) Pence(points int) int64 { return int64(points) * m.PointPence }

// BandDPence is the change in a Band D bill, in pence a year, when spending
// is points above today's spending (negative below). It rounds half away
// from zero to the nearest penny. Zero when there is no tax base.
func (m Money) BandDPence(points int) int64 {
	if m.TaxBase <= 0 {
		return 0
	}
	num := int64(points) * m.PointPence
	neg := num < 0
	if neg {
		num = -num
	}
	q := (2*num + m.TaxBase) / (2 * m.TaxBase)
	if neg {
		return -q
	}
	return q
}

// FormatPence writes pence as pounds for people: £7,500,000 or £2.50.
func FormatPence(p int64) string {
	neg := p < 0
	if neg {
		p = -p
	}
	pounds, pennies := p/100, p%100
	s := groupThousands(pounds)
	if pennies != 0 {
		s += fmt.Sprintf(".%02d", pennies)
	}
	if neg {
		return "−£" + s
	}
	return "£" + s
}

func groupThousands(n int64) string {
	s := fmt.Sprintf("%d", n)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
