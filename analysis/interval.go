package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Interval methods for Options.Interval.
const (
	// IntervalKornGraubard is the Korn–Graubard interval: Clopper–Pearson
	// on the effective sample size (svyciprop method "beta").
	IntervalKornGraubard = "kg"
	// IntervalWilson is the Wilson score interval on the effective sample
	// size.
	IntervalWilson = "wilson"
)

// KornGraubard returns the Korn–Graubard confidence interval for a
// proportion p estimated with effective sample size neff: the Clopper–Pearson
// interval for p·neff successes in neff trials, with non-integer counts, as
// survey::svyciprop(method = "beta"). Its degrees-of-freedom adjustment,
// (t(n-1)/t(df))², is 1 for the designs built here, whose degrees of freedom
// are n-1. level is e.g. 0.95. With unweighted data neff = n and this is the
// exact Clopper–Pearson interval.
func KornGraubard(p, neff, level float64) (lo, hi float64) {
	if math.IsNaN(p) || neff <= 0 || math.IsNaN(neff) {
		return math.NaN(), math.NaN()
	}
	alpha := 1 - level
	x := p * neff
	lo, hi = 0, 1
	if x > 0 {
		lo = distuv.Beta{Alpha: x, Beta: neff - x + 1}.Quantile(alpha / 2)
	}
	if neff-x > 0 {
		hi = distuv.Beta{Alpha: x + 1, Beta: neff - x}.Quantile(1 - alpha/2)
	}
	return lo, hi
}

// Wilson returns the Wilson score interval for a proportion p with
// effective sample size neff at the given level.
func Wilson(p, neff, level float64) (lo, hi float64) {
	if math.IsNaN(p) || neff <= 0 || math.IsNaN(neff) {
		return math.NaN(), math.NaN()
	}
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	z2 := z * z
	den := 1 + z2/neff
	centre := (p + z2/(2*neff)) / den
	half := z / den * math.Sqrt(p*(1-p)/neff+z2/(4*neff*neff))
	return math.Max(0, centre-half), math.Min(1, centre+half)
}

// zValue is the two-sided normal quantile for the level (1.96 for 0.95).
func zValue(level float64) float64 {
	return distuv.UnitNormal.Quantile(1 - (1-level)/2)
}
