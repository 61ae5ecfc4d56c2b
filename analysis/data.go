package analysis

import (
	"fmt"
	"slices"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Question is an about-you question as the analysis needs it: its key and
// its option keys in display order.
type Question struct {
	Key     string
	Options []string
}

// Input is everything an analysis reads.
type Input struct {
	Grid *grid.Grid
	// Plan gives the lots. Budgets may be nil when unknown: outputs that
	// need them (pain, the optimum at each lot budget) say so, the rest are
	// computed, and the number of lots is taken from the records.
	Plan      grid.LotPlan
	Questions []Question
	Records   []grid.Record
}

// ChannelVariable is the name of the respondent variable holding each
// record's channel, usable in Options.By and in targets.
const ChannelVariable = "channel"

// variable is a categorical respondent variable with its values coded.
type variable struct {
	name   string
	values []string
	of     []int32 // respondent -> value index, -1 when missing
}

// data is the records in compact arrays, indexed by respondent.
type data struct {
	g        *grid.Grid
	n, s, k  int
	maxLevel int
	lots     []uint8 // (i*k+lot)*s+service: level chosen
	cur      []uint8 // i*s+service: level believed current, 0 unanswered; nil when the stage is absent
	unacc    []uint8 // i*s+service: bit l-1 set when level l is unacceptable; nil when absent
	first    []uint8 // i*s+service: 0-based lot at which the level first rose above 1, k when never
	vars     []variable
	ids      []string
}

func (d *data) level(i, lot, s int) int { return int(d.lots[(i*d.k+lot)*d.s+s]) }

// prepare validates the records against the grid and the plan and codes
// them into arrays.
func prepare(in Input) (*data, error) {
	g := in.Grid
	if g == nil || len(g.Services) == 0 {
		return nil, fmt.Errorf("analysis: no grid")
	}
	if len(in.Records) == 0 {
		return nil, fmt.Errorf("analysis: no responses")
	}
	d := &data{g: g, n: len(in.Records), s: len(g.Services)}
	for _, sv := range g.Services {
		d.maxLevel = max(d.maxLevel, len(sv.Levels))
	}
	if d.maxLevel > 8 {
		return nil, fmt.Errorf("analysis: a service has %d levels; at most 8 are supported", d.maxLevel)
	}
	d.k = len(in.Plan.Budgets)
	if in.Plan.Budgets == nil {
		d.k = len(in.Records[0].Lots)
	}
	if d.k == 0 {
		return nil, fmt.Errorf("analysis: responses have no lots")
	}
	if d.k > 200 {
		return nil, fmt.Errorf("analysis: %d lots; at most 200 are supported", d.k)
	}
	d.lots = make([]uint8, d.n*d.k*d.s)
	d.ids = make([]string, d.n)
	for i := range in.Records {
		r := &in.Records[i]
		d.ids[i] = r.ResponseID
		if r.Current != nil && d.cur == nil {
			d.cur = make([]uint8, d.n*d.s)
		}
		if r.Unacceptable != nil && d.unacc == nil {
			d.unacc = make([]uint8, d.n*d.s)
		}
	}
	for i := range in.Records {
		if err := d.code(i, &in.Records[i], in.Plan); err != nil {
			return nil, fmt.Errorf("analysis: response %d (%s): %w", i+1, in.Records[i].ResponseID, err)
		}
	}
	d.first = make([]uint8, d.n*d.s)
	for i := range d.n {
		for s := range d.s {
			j := d.k
			for k := range d.k {
				if d.lots[(i*d.k+k)*d.s+s] > 1 {
					j = k
					break
				}
			}
			d.first[i*d.s+s] = uint8(j)
		}
	}
	for _, q := range in.Questions {
		d.vars = append(d.vars, codeVariable(q.Key, q.Options, in.Records, func(r *grid.Record) string { return r.About[q.Key] }))
	}
	d.vars = append(d.vars, codeVariable(ChannelVariable, nil, in.Records, func(r *grid.Record) string { return r.Channel }))
	return d, nil
}

func (d *data) code(i int, r *grid.Record, plan grid.LotPlan) error {
	g := d.g
	if len(r.Lots) != d.k {
		return fmt.Errorf("%d lots answered, want %d", len(r.Lots), d.k)
	}
	if plan.Budgets != nil {
		if errs := g.CheckLots(plan, r.Lots); len(errs) > 0 {
			return errs[0]
		}
	}
	for k, p := range r.Lots {
		if plan.Budgets == nil {
			if err := g.CheckPackage(p); err != nil {
				return fmt.Errorf("lot %d: %w", k+1, err)
			}
		}
		for s, l := range p {
			d.lots[(i*d.k+k)*d.s+s] = uint8(l)
		}
	}
	if d.cur != nil && r.Current != nil {
		if len(r.Current) != d.s {
			return fmt.Errorf("current service has %d answers, grid has %d services", len(r.Current), d.s)
		}
		for s, l := range r.Current {
			if l < 0 || l > len(g.Services[s].Levels) {
				return fmt.Errorf("current %s: level %d does not exist", g.Services[s].Key, l)
			}
			d.cur[i*d.s+s] = uint8(l)
		}
	}
	if d.unacc != nil && r.Unacceptable != nil {
		if len(r.Unacceptable) != d.s {
			return fmt.Errorf("unacceptable levels given for %d services, grid has %d", len(r.Unacceptable), d.s)
		}
		for s, ls := range r.Unacceptable {
			for _, l := range ls {
				if l < 1 || l > len(g.Services[s].Levels) {
					return fmt.Errorf("unacceptable %s: level %d does not exist", g.Services[s].Key, l)
				}
				d.unacc[i*d.s+s] |= 1 << (l - 1)
			}
		}
	}
	return nil
}

// codeVariable codes one respondent variable. Known options keep their
// order; other non-empty values seen follow, sorted; empty is missing.
func codeVariable(name string, options []string, recs []grid.Record, get func(*grid.Record) string) variable {
	v := variable{name: name, values: append([]string(nil), options...), of: make([]int32, len(recs))}
	index := make(map[string]int32, len(options))
	for j, o := range options {
		index[o] = int32(j)
	}
	var extra []string
	for i := range recs {
		x := get(&recs[i])
		if x == "" {
			v.of[i] = -1
			continue
		}
		j, ok := index[x]
		if !ok {
			j = int32(len(options) + len(extra))
			index[x] = j
			extra = append(extra, x)
		}
		v.of[i] = j
	}
	if len(extra) == 0 {
		return v
	}
	// Renumber the extra values in sorted order.
	sorted := slices.Clone(extra)
	slices.Sort(sorted)
	remap := make([]int32, len(extra))
	for k, x := range extra {
		remap[k] = int32(len(options) + slices.Index(sorted, x))
	}
	for i, j := range v.of {
		if int(j) >= len(options) {
			v.of[i] = remap[int(j)-len(options)]
		}
	}
	v.values = append(v.values, sorted...)
	return v
}

// variable returns the respondent variable with the given name, or nil.
func (d *data) variable(name string) *variable {
	for i := range d.vars {
		if d.vars[i].name == name {
			return &d.vars[i]
		}
	}
	return nil
}

// stageNames lists the stages present: current and unacceptable when any
// record answered them, then lot1..lotK.
func (d *data) stageNames() []string {
	var st []string
	if d.cur != nil {
		st = append(st, "current")
	}
	if d.unacc != nil {
		st = append(st, "unacceptable")
	}
	for k := range d.k {
		st = append(st, fmt.Sprintf("lot%d", k+1))
	}
	return st
}
