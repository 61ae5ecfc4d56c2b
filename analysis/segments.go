package analysis

import (
	"fmt"
	"math"
)

// Segments: every output is repeated for each value of each respondent
// variable named in Options.By (an about-you question key or "channel").
// A segment's estimates are domain estimates on the whole design (as
// svyby on a raked design), so their standard errors keep the raking
// adjustment. Respondents who did not answer the variable are in no
// segment. A share or mean (shares, mean level and points, pain,
// unacceptable, never bought, purchase lot) is flagged Differs when the
// segment's estimate differs from the estimate among everyone else (all
// respondents not in the segment, with the same base) by more than z·SE of
// the difference, the difference linearized jointly. Estimates on fewer
// than Options.MinBase respondents are flagged LowBase and get no SE,
// interval or effective n; a segment is tested only when it and the rest
// both have at least MinBase respondents.

// view is the whole sample or one segmentation variable; its values split
// respondents into segments (respondents missing the variable are in none).
type view struct {
	variable string   // "" for the whole sample
	values   []string // {""} for the whole sample
	of       []int32  // respondent -> value, -1 in no segment; nil for the whole sample
}

func wholeView() view { return view{values: []string{""}} }

// views returns the whole sample followed by one view per By variable.
func (d *data) views(by []string) ([]view, error) {
	views := []view{wholeView()}
	for _, name := range by {
		v := d.variable(name)
		if v == nil {
			return nil, fmt.Errorf("analysis: --by %q is neither an about-you question nor %q", name, ChannelVariable)
		}
		views = append(views, view{variable: v.name, values: v.values, of: v.of})
	}
	return views, nil
}

// differs reports whether a segment's share differs from the rest's at the
// estimator's level: the difference over its linearized standard error.
func (e *estimator) differs(y, dn, yr, dr []float64) (differs, tested bool) {
	return e.differsMean(y, y, dn, yr, yr, dr)
}

// differsMean reports whether a segment's domain mean differs from the
// rest's at the estimator's level, given per cell the sums of the variable
// (y, yr), of its squares (y2, y2r) and the domain counts (dn, dr): the
// difference over its standard error, both means linearized together.
// tested is false, and differs with it, when the segment or the rest has
// fewer than the minimum base, or the difference has no variance.
func (e *estimator) differsMean(y, y2, dn, yr, y2r, dr []float64) (differs, tested bool) {
	var wy, wd, wyr, wdr, n, nr float64
	for g := range y {
		w := e.des.cellW[g]
		wy += w * y[g]
		wd += w * dn[g]
		wyr += w * yr[g]
		wdr += w * dr[g]
		n += dn[g]
		nr += dr[g]
	}
	if wd == 0 || wdr == 0 || n < float64(e.minBase) || nr < float64(e.minBase) {
		return false, false
	}
	p, pr := wy/wd, wyr/wdr
	e.inf.reset()
	e.des.addMean(e.inf, 1, y, y2, dn, p, wd)
	e.des.addMean(e.inf, -1, yr, y2r, dr, pr, wdr)
	v := e.des.variance(e.inf, int(math.Round(n+nr)))
	z := zValue(e.level)
	if v <= 0 || math.IsNaN(v) {
		// No variance on bases of at least the minimum: the segment and
		// the rest are each all alike, so they differ exactly when the
		// estimates do.
		return p != pr, true
	}
	return math.Abs(p-pr) > z*math.Sqrt(v), true
}
