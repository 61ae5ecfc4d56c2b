package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Share is the weighted share of respondents choosing one level of one
// service at one stage, for the whole sample or a segment.
type Share struct {
	SegmentVariable string // "" for the whole sample
	Segment         string
	Stage           string // current, unacceptable, lot1..lotK
	Service         string
	Level           int
	// Share is among those who answered the service for current, among all
	// respondents (of the segment) otherwise.
	Share float64
	// SE is the linearization standard error accounting for raking.
	SE            float64
	CILow, CIHigh float64
	N             int     // respondents in the base
	NEff          float64 // effective n of this estimate
	Differs       bool    // the segment differs from the rest at the confidence level
	// Tested is false when the difference could not be tested (the segment
	// or the rest has fewer than MinBase respondents, or no variance):
	// Differs is then false and the table cell empty.
	Tested  bool
	LowBase bool // N < MinBase: SE, interval, n_eff and differs are not given
}

// ServiceLot summarises one service at one lot: the weighted mean level and
// points, the shares below, at and above as-now, and the service's share of
// all points spent at the lot.
type ServiceLot struct {
	SegmentVariable, Segment string
	Service                  string
	Lot                      int
	MeanLevel, MeanPoints    float64
	Below, At, Above         float64
	PointsShare              float64
	N                        int
	LowBase                  bool
	// Standard errors of the mean level and mean points (linearization
	// accounting for raking) and, for a segment, whether each differs from
	// the rest's at the confidence level.
	MeanLevelSE, MeanPointsSE           float64
	MeanLevelDiffers, MeanPointsDiffers bool
	MeanLevelTested, MeanPointsTested   bool
}

// DefaultMinBase is the minimum base (unweighted respondents) for a
// standard error, an interval, an effective n or a segment test.
const DefaultMinBase = 30

// estimator computes estimates from tallies on one design.
type estimator struct {
	d        *data
	des      *design
	level    float64
	interval string
	whole    *tally
	inf      *influence
	minBase  int
}

// estimate returns a domain share with its standard error, the weighted
// domain total and the domain's n, given per cell the counts y with the
// attribute and dn in the domain.
func (e *estimator) estimate(y, dn []float64) (p, se, wd float64, nd int) {
	return e.estimateMean(y, y, dn)
}

// estimateMean returns a domain mean with its standard error, the weighted
// domain total and the domain's n, given per cell the sum y of the variable
// and the sum y2 of its squares over the dn respondents in the domain.
func (e *estimator) estimateMean(y, y2, dn []float64) (m, se, wd float64, nd int) {
	var wy, nf float64
	for g := range y {
		w := e.des.cellW[g]
		wy += w * y[g]
		wd += w * dn[g]
		nf += dn[g]
	}
	nd = int(math.Round(nf))
	if wd == 0 {
		return math.NaN(), math.NaN(), 0, nd
	}
	m = wy / wd
	if nd < e.minBase {
		return m, math.NaN(), wd, nd
	}
	e.inf.reset()
	e.des.addMean(e.inf, 1, y, y2, dn, m, wd)
	return m, math.Sqrt(e.des.variance(e.inf, nd)), wd, nd
}

// cellSums holds, per raking cell, the sum y of a variable, the sum y2 of
// its squares and the count dn over the respondents of a domain: all a
// domain mean and its standard error need.
type cellSums struct{ y, y2, dn []float64 }

func newCellSums(gc int) *cellSums {
	return &cellSums{make([]float64, gc), make([]float64, gc), make([]float64, gc)}
}

func (c *cellSums) reset() {
	clear(c.y)
	clear(c.y2)
	clear(c.dn)
}

// add adds count respondents of the cell with value x each.
func (c *cellSums) add(cell int, x, count float64) {
	c.y[cell] += x * count
	c.y2[cell] += x * x * count
	c.dn[cell] += count
}

// fromLevels sets c to the sums of x[l] over per-level counts ys (by level,
// then cell; levels 1..len(x)−1) with domain counts dn.
func (c *cellSums) fromLevels(ys [][]float64, dn, x []float64) {
	for g := range c.y {
		var y, y2 float64
		for l := 1; l < len(x); l++ {
			y += x[l] * ys[l][g]
			y2 += x[l] * x[l] * ys[l][g]
		}
		c.y[g], c.y2[g], c.dn[g] = y, y2, dn[g]
	}
}

// minus sets c to a − b (the rest of the sample: all respondents less a
// segment).
func (c *cellSums) minus(a, b *cellSums) {
	for g := range c.y {
		c.y[g] = a.y[g] - b.y[g]
		c.y2[g] = a.y2[g] - b.y2[g]
		c.dn[g] = a.dn[g] - b.dn[g]
	}
}

// meanStat estimates the domain mean of seg with its standard error and,
// when rest is not nil (a segment), whether it differs from the mean of
// rest at the estimator's level.
func (e *estimator) meanStat(seg, rest *cellSums) (m, se float64, differs, tested bool) {
	m, se, _, _ = e.estimateMean(seg.y, seg.y2, seg.dn)
	if rest != nil && !math.IsNaN(m) {
		differs, tested = e.differsMean(seg.y, seg.y2, seg.dn, rest.y, rest.y2, rest.dn)
	}
	return m, se, differs, tested
}

// effectiveN is n/deff of a share: deff compares its variance with simple
// random sampling's p(1−p)/(n−1), so an unweighted share has n_eff = n.
// When p is 0 or 1 it is Kish's effective n of the base.
func (e *estimator) effectiveN(p, se float64, nd int, dn []float64) float64 {
	if p > 0 && p < 1 && se > 0 && nd > 1 {
		return float64(nd) * p * (1 - p) / (float64(nd-1) * se * se)
	}
	var s, s2 float64
	for g, x := range dn {
		w := e.des.cellW[g]
		s += w * x
		s2 += w * w * x
	}
	if s2 == 0 {
		return 0
	}
	return s * s / s2
}

// ci is the interval of a share p with standard error se on a base of nd
// respondents. Wilson uses n_eff. Korn–Graubard is exactly
// svyciprop(method = "beta"): Clopper–Pearson on
// n* = p(1−p)/se² · (t(α/2, rows−1)/t(α/2, nd−1))², where rows is the
// design's number of rows (every respondent for a raked design, whose
// domains keep everyone; the domain's nd otherwise) and nd−1 the domain's
// degrees of freedom. When p is 0 or 1 (se 0) it uses n_eff instead.
func (e *estimator) ci(p, se, neff float64, nd int) (float64, float64) {
	if e.interval == IntervalWilson {
		return Wilson(p, neff, e.level)
	}
	nstar := neff
	if p > 0 && p < 1 && se > 0 && nd > 1 {
		rows := nd
		if e.des.raked {
			rows = e.des.n
		}
		nstar = p * (1 - p) / (se * se)
		if rows != nd {
			a := (1 - e.level) / 2
			r := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(rows - 1)}.Quantile(a) / distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(nd - 1)}.Quantile(a)
			nstar *= r * r
		}
	}
	return KornGraubard(p, nstar, e.level)
}

// shares estimates every stage, service and level for each segment of the
// view tallied in t, and the per-service lot summaries.
func (e *estimator) shares(t *tally, vw view) ([]Share, []ServiceLot) {
	g := e.d.g
	gc := t.gc
	var out []Share
	var sl []ServiceLot
	ys := make([][]float64, t.l)
	rest := make([][]float64, t.l)
	for l := range ys {
		ys[l] = make([]float64, gc)
		rest[l] = make([]float64, gc)
	}
	dn := make([]float64, gc)
	dnRest := make([]float64, gc)
	segSums, restSums := newCellSums(gc), newCellSums(gc)
	firstLot := len(t.stages) - t.k
	for v, value := range vw.values {
		for st, stage := range t.stages {
			kind := stageKind(stage)
			lotIndex := st - firstLot + 1
			var lotRows []ServiceLot
			for s := range g.Services {
				sv := &g.Services[s]
				e.gather(t, st, s, v, kind, ys, dn)
				if vw.of != nil {
					e.gather(e.whole, st, s, 0, kind, rest, dnRest)
					for l := range rest {
						for c := range gc {
							rest[l][c] -= ys[l][c]
						}
					}
					for c := range gc {
						dnRest[c] -= dn[c]
					}
				}
				shareOf := make([]float64, len(sv.Levels)+1)
				n := 0
				for l := 1; l <= len(sv.Levels); l++ {
					p, se, _, nd := e.estimate(ys[l], dn)
					n = nd
					neff, lo, hi := math.NaN(), math.NaN(), math.NaN()
					if !math.IsNaN(se) {
						neff = e.effectiveN(p, se, nd, dn)
						lo, hi = e.ci(p, se, neff, nd)
					}
					sh := Share{SegmentVariable: vw.variable, Segment: value, Stage: stage, Service: sv.Key, Level: l,
						Share: p, SE: se, CILow: lo, CIHigh: hi, N: nd, NEff: neff, LowBase: nd < e.minBase}
					if vw.of != nil {
						sh.Differs, sh.Tested = e.differs(ys[l], dn, rest[l], dnRest)
					}
					out = append(out, sh)
					shareOf[l] = p
				}
				if kind == kindLot {
					r := summarise(sv, shareOf, vw.variable, value, lotIndex, n, e.minBase)
					levelX, pointsX := make([]float64, len(sv.Levels)+1), make([]float64, len(sv.Levels)+1)
					for l := 1; l <= len(sv.Levels); l++ {
						levelX[l], pointsX[l] = float64(l), float64(sv.Levels[l-1].Points)
					}
					var restS *cellSums
					if vw.of != nil {
						restS = restSums
					}
					segSums.fromLevels(ys, dn, levelX)
					if restS != nil {
						restS.fromLevels(rest, dnRest, levelX)
					}
					_, r.MeanLevelSE, r.MeanLevelDiffers, r.MeanLevelTested = e.meanStat(segSums, restS)
					segSums.fromLevels(ys, dn, pointsX)
					if restS != nil {
						restS.fromLevels(rest, dnRest, pointsX)
					}
					_, r.MeanPointsSE, r.MeanPointsDiffers, r.MeanPointsTested = e.meanStat(segSums, restS)
					lotRows = append(lotRows, r)
				}
			}
			if kind == kindLot {
				total := 0.0
				for _, r := range lotRows {
					total += r.MeanPoints
				}
				for i := range lotRows {
					if total > 0 && lotRows[i].N > 0 {
						lotRows[i].PointsShare = lotRows[i].MeanPoints / total
					}
				}
				sl = append(sl, lotRows...)
			}
		}
	}
	return out, sl
}

// gather copies the counts of one stage, service and segment into ys
// (by level, then cell) and the base counts into dn.
func (e *estimator) gather(t *tally, st, s, v, kind int, ys [][]float64, dn []float64) {
	for c := range t.gc {
		row := t.at(st, s, v, c)
		sum := 0.0
		for l := range ys {
			ys[l][c] = row[l]
			if l > 0 {
				sum += row[l]
			}
		}
		if kind == kindCurrent {
			dn[c] = sum
		} else {
			dn[c] = t.segN[v*t.gc+c]
		}
	}
}

// summarise turns one service's level shares at a lot into a ServiceLot.
func summarise(s *grid.Service, shares []float64, variable, value string, lot, n, minBase int) ServiceLot {
	r := ServiceLot{SegmentVariable: variable, Segment: value, Service: s.Key, Lot: lot, N: n, LowBase: n < minBase}
	if n == 0 {
		nan := math.NaN()
		r.MeanLevel, r.MeanPoints, r.Below, r.At, r.Above, r.PointsShare = nan, nan, nan, nan, nan, nan
		return r
	}
	asNow := s.AsNowLevel()
	for l := 1; l < len(shares); l++ {
		p := shares[l]
		if math.IsNaN(p) {
			continue
		}
		r.MeanLevel += float64(l) * p
		r.MeanPoints += float64(s.Levels[l-1].Points) * p
		switch {
		case l < asNow:
			r.Below += p
		case l == asNow:
			r.At += p
		default:
			r.Above += p
		}
	}
	return r
}
