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
	// Each, when set, streams the records instead of Records: it calls
	// add once per record, in order, and returns add's first error (or
	// its own). Analyse codes each record into compact arrays as it comes,
	// so the records need never be held together.
	Each func(add func(*grid.Record) error) error
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
// them into arrays: streamed from in.Each when set, else from in.Records.
func prepare(in Input) (*data, error) {
	c, err := newCollector(in)
	if err != nil {
		return nil, err
	}
	if in.Each != nil {
		if err := in.Each(c.add); err != nil {
			return nil, err
		}
	} else {
		for i := range in.Records {
			if err := c.add(&in.Records[i]); err != nil {
				return nil, err
			}
		}
	}
	return c.finish()
}

// collector codes records one at a time into the compact arrays of data,
// so that a caller streaming records never holds them all.
type collector struct {
	d     *data
	plan  grid.LotPlan
	qs    []Question
	index []map[string]int32 // variable -> value -> code (in first-seen order beyond the options)
	extra [][]string         // variable -> values beyond the options, in first-seen order
}

func newCollector(in Input) (*collector, error) {
	g := in.Grid
	if g == nil || len(g.Services) == 0 {
		return nil, fmt.Errorf("analysis: no grid")
	}
	d := &data{g: g, s: len(g.Services)}
	for _, sv := range g.Services {
		d.maxLevel = max(d.maxLevel, len(sv.Levels))
	}
	if d.maxLevel > 8 {
		return nil, fmt.Errorf("analysis: a service has %d levels; at most 8 are supported", d.maxLevel)
	}
	if d.s > 32 {
		return nil, fmt.Errorf("analysis: the grid has %d services; at most 32 are supported", d.s)
	}
	d.k = len(in.Plan.Budgets)
	if in.Plan.Budgets != nil && d.k == 0 {
		return nil, fmt.Errorf("analysis: responses have no lots")
	}
	if d.k > 200 {
		return nil, fmt.Errorf("analysis: %d lots; at most 200 are supported", d.k)
	}
	c := &collector{d: d, plan: in.Plan, qs: in.Questions}
	names := make([]string, 0, len(in.Questions)+1)
	for _, q := range in.Questions {
		names = append(names, q.Key)
	}
	names = append(names, ChannelVariable)
	for j, name := range names {
		v := variable{name: name}
		idx := map[string]int32{}
		if j < len(in.Questions) {
			v.values = append([]string(nil), in.Questions[j].Options...)
			for o, x := range v.values {
				idx[x] = int32(o)
			}
		}
		d.vars = append(d.vars, v)
		c.index = append(c.index, idx)
		c.extra = append(c.extra, nil)
	}
	return c, nil
}

// add codes one record.
func (c *collector) add(r *grid.Record) error {
	d := c.d
	i := d.n
	if d.k == 0 {
		d.k = len(r.Lots)
		if d.k == 0 {
			return fmt.Errorf("analysis: responses have no lots")
		}
		if d.k > 200 {
			return fmt.Errorf("analysis: %d lots; at most 200 are supported", d.k)
		}
	}
	if r.Current != nil && d.cur == nil {
		d.cur = make([]uint8, i*d.s, max(2*i, 1024)*d.s)
	}
	if r.Unacceptable != nil && d.unacc == nil {
		d.unacc = make([]uint8, i*d.s, max(2*i, 1024)*d.s)
	}
	d.lots = append(d.lots, make([]uint8, d.k*d.s)...)
	if d.cur != nil {
		d.cur = append(d.cur, make([]uint8, d.s)...)
	}
	if d.unacc != nil {
		d.unacc = append(d.unacc, make([]uint8, d.s)...)
	}
	if err := d.code(i, r, c.plan); err != nil {
		d.lots = d.lots[:i*d.k*d.s]
		return fmt.Errorf("analysis: response %d (%s): %w", i+1, r.ResponseID, err)
	}
	d.ids = append(d.ids, r.ResponseID)
	for j := range d.vars {
		var x string
		if j < len(c.qs) {
			x = r.About[c.qs[j].Key]
		} else {
			x = r.Channel
		}
		code := int32(-1)
		if x != "" {
			k, ok := c.index[j][x]
			if !ok {
				k = int32(len(d.vars[j].values) + len(c.extra[j]))
				c.index[j][x] = k
				c.extra[j] = append(c.extra[j], x)
			}
			code = k
		}
		d.vars[j].of = append(d.vars[j].of, code)
	}
	d.n++
	return nil
}

// finish computes first purchases and orders the values beyond each
// question's options, sorted.
func (c *collector) finish() (*data, error) {
	d := c.d
	if d.n == 0 {
		return nil, fmt.Errorf("analysis: no responses")
	}
	if d.cur != nil && len(d.cur) < d.n*d.s {
		d.cur = append(d.cur, make([]uint8, d.n*d.s-len(d.cur))...)
	}
	if d.unacc != nil && len(d.unacc) < d.n*d.s {
		d.unacc = append(d.unacc, make([]uint8, d.n*d.s-len(d.unacc))...)
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
	for j := range d.vars {
		extra := c.extra[j]
		if len(extra) == 0 {
			continue
		}
		v := &d.vars[j]
		nopt := len(v.values)
		sorted := slices.Clone(extra)
		slices.Sort(sorted)
		remap := make([]int32, len(extra))
		for k, x := range extra {
			remap[k] = int32(nopt + slices.Index(sorted, x))
		}
		for i, code := range v.of {
			if int(code) >= nopt {
				v.of[i] = remap[int(code)-nopt]
			}
		}
		v.values = append(v.values, sorted...)
	}
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
