package grid

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestCheckLot(t *testing.T) {
	g := tinyGrid() // a: 0,1,2 points; b: 0,1 points
	plan := LotPlan{Budgets: []int{1, 2, 3}}
	additive := LotPlan{Budgets: []int{1, 2, 3}, Additive: true}
	tests := []struct {
		name    string
		plan    LotPlan
		lot     int
		prev, p Package
		want    []string
	}{
		{"base package fits", plan, 1, nil, Package{1, 1}, nil},
		{"exactly on budget", plan, 1, nil, Package{2, 1}, nil},
		{"over budget by one point", plan, 1, nil, Package{2, 2}, []string{"lot.over_budget lot 1: package costs 2 points, 1 over the budget of 1"}},
		{"over budget by three points", plan, 1, nil, Package{3, 2}, []string{"lot.over_budget lot 1: package costs 3 points, 2 over the budget of 1"}},
		{"no such lot", plan, 4, nil, Package{1, 1}, []string{"lot.shape lot 4: there is no lot 4"}},
		{"lot zero", plan, 0, nil, Package{1, 1}, []string{"lot.shape lot 0: there is no lot 0"}},
		{"wrong length", plan, 1, nil, Package{1}, []string{"lot.shape lot 1: package has 1 levels, grid has 2 services"}},
		{"levels that do not exist", plan, 2, nil, Package{0, 3}, []string{
			"level.range lot 2: a: level 0 does not exist (choose 1 to 3)",
			"level.range lot 2: b: level 3 does not exist (choose 1 to 2)",
		}},
		{"additive may not go down", additive, 2, Package{2, 1}, Package{1, 2}, []string{"level.below_floor lot 2: a: level 1 is below level 2 chosen at the lot before"}},
		{"additive may stay or go up", additive, 2, Package{2, 1}, Package{2, 2}, nil},
		{"not additive may go down", plan, 2, Package{2, 1}, Package{1, 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range g.CheckLot(tt.plan, tt.lot, tt.prev, tt.p) {
				got = append(got, e.Kind.Code()+" "+e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckLots(t *testing.T) {
	g := readFenshire(t)
	base, asNow := g.BasePackage(), g.AsNowPackage()
	tests := []struct {
		name string
		plan LotPlan
		lots []Package
		want []string
	}{
		{"as now within the as-now budget", LotPlan{Budgets: []int{0, 77}}, []Package{base, asNow}, nil},
		{"wrong number of lots", LotPlan{Budgets: []int{0, 77}}, []Package{base}, []string{"lot 1: 1 lots answered, the plan has 2"}},
		{"as now over a smaller budget", LotPlan{Budgets: []int{70}}, []Package{asNow}, []string{"lot 1: package costs 77 points, 7 over the budget of 70"}},
		{"additive going back to base", LotPlan{Budgets: []int{77, 100}, Additive: true}, []Package{asNow, base}, nil},
	}
	// In the last case every service with an as-now level above 1 goes down.
	for i, s := range g.Services {
		if asNow[i] > 1 {
			tests[3].want = append(tests[3].want, "lot 2: "+s.Key+": level 1 is below level "+itoa(asNow[i])+" chosen at the lot before")
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range g.CheckLots(tt.plan, tt.lots) {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if len(tests[3].want) == 0 {
		t.Error("the additive case checks nothing")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestStartPackage(t *testing.T) {
	g := tinyGrid()
	prev := Package{3, 2}
	tests := []struct {
		name string
		plan LotPlan
		lot  int
		prev Package
		want Package
	}{
		{"first lot starts at base", LotPlan{Additive: true}, 1, nil, Package{1, 1}},
		{"additive starts from the lot before", LotPlan{Additive: true}, 2, prev, Package{3, 2}},
		{"additive with a bad previous package", LotPlan{Additive: true}, 2, Package{3}, Package{1, 1}},
		{"not additive starts at base", LotPlan{}, 2, prev, Package{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := g.StartPackage(tt.plan, tt.lot, tt.prev)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	got := g.StartPackage(LotPlan{Additive: true}, 2, prev)
	got[0] = 1
	if prev[0] != 3 {
		t.Error("StartPackage shares its result with prev")
	}
}

func TestMoneyBandDPence(t *testing.T) {
	tests := []struct {
		name   string
		m      Money
		points int
		want   int64
	}{
		{"one point at £500,000 over 250,000 homes", Money{PointPence: 50_000_000, TaxBase: 250_000}, 1, 200},
		{"ten points", Money{PointPence: 50_000_000, TaxBase: 250_000}, 10, 2000},
		{"below today's spending", Money{PointPence: 50_000_000, TaxBase: 250_000}, -3, -600},
		{"rounds down below a half", Money{PointPence: 1_000, TaxBase: 3}, 1, 333},
		{"rounds half up", Money{PointPence: 5, TaxBase: 2}, 1, 3},
		{"rounds half away from zero", Money{PointPence: 5, TaxBase: 2}, -1, -3},
		{"rounds up above a half", Money{PointPence: 2_000, TaxBase: 3}, 1, 667},
		{"no tax base", Money{PointPence: 50_000_000}, 1, 0},
		{"zero points", Money{PointPence: 50_000_000, TaxBase: 250_000}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.BandDPence(tt.points); got != tt.want {
				t.Errorf("BandDPence(%d) = %d, want %d", tt.points, got, tt.want)
			}
		})
	}
	if got := (Money{PointPence: 50_000_000}).Pence(15); got != 750_000_000 {
		t.Errorf("Pence(15) = %d, want 750000000", got)
	}
}

func TestFormatPence(t *testing.T) {
	tests := []struct {
		pence int64
		want  string
	}{
		{750_000_000, "£7,500,000"},
		{250, "£2.50"},
		{0, "£0"},
		{5, "£0.05"},
		{100, "£1"},
		{99_999, "£999.99"},
		{100_000, "£1,000"},
		{-250, "−£2.50"},
		{-750_000_000, "−£7,500,000"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatPence(tt.pence); got != tt.want {
				t.Errorf("FormatPence(%d) = %q, want %q", tt.pence, got, tt.want)
			}
		})
	}
}
