package analysis

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Adjustments of the family-wise tests' p-values (Options.Adjust).
const (
	AdjustNone = "none"
	AdjustHolm = "holm"
	AdjustBH   = "bh"
)

// VariableTest is the test, across all segments of one By variable at
// once, of whether the level chosen for one service at one lot depends on
// the segment: Pearson's X² on the weighted segment × level table with
// the Rao–Scott second-order correction, as an F test (survey::svychisq,
// statistic = "F"). It tells a real segment difference from the few
// segment flags that noise alone produces.
type VariableTest struct {
	SegmentVariable string
	Stage           string // lot1..lotK
	Service         string
	// Segments and Levels count the non-empty rows and columns of the
	// table; N the respondents in it.
	Segments, Levels, N int
	// F = X²/tr(Δ), on NDF = tr(Δ)²/tr(Δ²) and DDF = NDF·(N−1) degrees of
	// freedom; P its p-value and PAdjusted after Options.Adjust over the
	// variable's tests (every service and lot). NaN when not tested (fewer
	// than MinBase respondents, or fewer than two segments or levels).
	F, NDF, DDF, P, PAdjusted float64
	// Significant is PAdjusted < 1 − confidence level.
	Significant bool
	// Singular is true when empty cells made svychisq's system singular
	// and a pseudo-inverse was used.
	Singular bool
}

// pseudoInverse returns the Moore–Penrose inverse of a square matrix.
func pseudoInverse(a *mat.Dense) (*mat.Dense, bool) {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, false
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	if len(s) == 0 || !(s[0] > 0) {
		return nil, false
	}
	inv := mat.NewDiagDense(len(s), nil)
	for i, x := range s {
		if x > s[0]*1e-10 {
			inv.SetDiag(i, 1/x)
		}
	}
	var vi, out mat.Dense
	vi.Mul(&v, inv)
	out.Mul(&vi, u.T())
	return &out, true
}

// chisq builds the Rao–Scott test of segment × level for one stage and
// service of a view, from the tally.
func (e *estimator) chisq(t *tally, vw view, st, s int) VariableTest {
	nan := math.NaN()
	vt := VariableTest{F: nan, NDF: nan, DDF: nan, P: nan, PAdjusted: nan}
	gc := t.gc
	// counts[g][j], j = r*nc + c over non-empty rows and columns.
	var rows, cols []int
	for v := range vw.values {
		n := 0.0
		for c := range gc {
			n += t.segN[v*gc+c]
		}
		if n > 0 {
			rows = append(rows, v)
		}
	}
	for l := 1; l < t.l; l++ {
		n := 0.0
		for _, v := range rows {
			for c := range gc {
				n += t.at(st, s, v, c)[l]
			}
		}
		if n > 0 {
			cols = append(cols, l)
		}
	}
	nr, nc := len(rows), len(cols)
	vt.Segments, vt.Levels = nr, nc
	T := nr * nc
	cnt := make([][]float64, gc)
	cellD := make([]float64, gc) // respondents of the cell in the table
	nIn := 0.0
	for g := range gc {
		cnt[g] = make([]float64, T)
		for ri, v := range rows {
			row := t.at(st, s, v, g)
			for ci, l := range cols {
				cnt[g][ri*nc+ci] = row[l]
				cellD[g] += row[l]
			}
		}
		nIn += cellD[g]
	}
	vt.N = int(math.Round(nIn))
	if nr < 2 || nc < 2 || vt.N < e.minBase {
		return vt
	}
	// Weighted cell shares p_j among the table's respondents.
	w := e.des.cellW
	var wd float64
	p := make([]float64, T)
	for g := range gc {
		wd += w[g] * cellD[g]
		for j := range T {
			p[j] += w[g] * cnt[g][j]
		}
	}
	for j := range p {
		p[j] /= wd
	}
	V := e.shareCov(cnt, cellD, p, wd)
	N := nIn
	// Pearson's X² on the table scaled to N.
	pr, pc := make([]float64, nr), make([]float64, nc)
	for r := range nr {
		for c := range nc {
			pr[r] += p[r*nc+c]
			pc[c] += p[r*nc+c]
		}
	}
	x2 := 0.0
	for r := range nr {
		for c := range nc {
			ex := pr[r] * pc[c]
			d := p[r*nc+c] - ex
			x2 += N * d * d / ex
		}
	}
	// Cmat: the interaction columns of the saturated model, residual on
	// the main effects (rows of the table in R's expand.grid order: the
	// row index varies fastest).
	idx := func(r, c int) int { return c*nr + r } // R order → our j = r*nc+c
	X1 := mat.NewDense(T, nr+nc-1, nil)
	Xi := mat.NewDense(T, (nr-1)*(nc-1), nil)
	for c := range nc {
		for r := range nr {
			k := idx(r, c)
			X1.Set(k, 0, 1)
			if r > 0 {
				X1.Set(k, r, 1)
			}
			if c > 0 {
				X1.Set(k, nr-1+c, 1)
			}
			if r > 0 && c > 0 {
				Xi.Set(k, (c-1)*(nr-1)+(r-1), 1)
			}
		}
	}
	var qr mat.QR
	qr.Factorize(X1)
	var coef mat.Dense
	if err := qr.SolveTo(&coef, false, Xi); err != nil {
		return vt
	}
	var fit, C mat.Dense
	fit.Mul(X1, &coef)
	C.Sub(Xi, &fit)
	// In R order: D⁻¹ and V.
	iD := mat.NewDiagDense(T, nil)
	Vr := mat.NewSymDense(T, nil)
	for r := range nr {
		for c := range nc {
			j := r*nc + c
			k := idx(r, c)
			if p[j] > 0 {
				iD.SetDiag(k, 1/p[j])
			}
			for r2 := range nr {
				for c2 := range nc {
					k2 := idx(r2, c2)
					if k2 >= k {
						Vr.SetSym(k, k2, V[j][r2*nc+c2])
					}
				}
			}
		}
	}
	var iDC, denom, tmp, numr mat.Dense
	iDC.Mul(iD, &C)
	denom.Mul(C.T(), &iDC)
	denom.Scale(1/N, &denom)
	tmp.Mul(Vr, &iDC)
	numr.Mul(iDC.T(), &tmp)
	var delta mat.Dense
	if err := delta.Solve(&denom, &numr); err != nil {
		// Empty cells (a segment nobody of which chose some level) can
		// make the system singular, where svychisq stops: use the
		// pseudo-inverse over the identifiable directions.
		pinv, ok := pseudoInverse(&denom)
		if !ok {
			return vt
		}
		delta.Mul(pinv, &numr)
		vt.Singular = true
	}
	var d2 mat.Dense
	d2.Mul(&delta, &delta)
	tr, tr2 := mat.Trace(&delta), mat.Trace(&d2)
	if !(tr > 0) || !(tr2 > 0) {
		return vt
	}
	vt.F = x2 / tr
	vt.NDF = tr * tr / tr2
	vt.DDF = vt.NDF * (N - 1)
	vt.P = distuv.F{D1: vt.NDF, D2: vt.DDF}.Survival(vt.F)
	return vt
}

// shareCov returns the covariance matrix of the domain shares p_j (the
// table's cells among its respondents), linearized as the SEs of shares
// are: per-respondent influence r_ij = (δ_j − p_j)/W_D in the domain,
// projected off the raking margins when raked, x = w·r, and
// Cov = n/(n−1)·Σ(x_j − x̄_j)(x_k − x̄_k) over all respondents (raked) or
// the domain's (not raked).
func (e *estimator) shareCov(cnt [][]float64, cellD, p []float64, wd float64) [][]float64 {
	des := e.des
	T := len(p)
	gc := len(cellD)
	// R1[j][g] = Σ_{i∈g} r_ij.
	R1 := make([][]float64, T)
	fit := make([][]float64, T)
	for j := range T {
		R1[j] = make([]float64, gc)
		fit[j] = make([]float64, gc)
		for g := range gc {
			R1[j][g] = (cnt[g][j] - p[j]*cellD[g]) / wd
		}
	}
	var nAll float64
	if des.raked {
		xr := make([]float64, des.ncol)
		b := make([]float64, des.ncol)
		for j := range T {
			clear(xr)
			for g, cols := range des.cols {
				for _, a := range cols {
					xr[a] += R1[j][g]
				}
			}
			for a := range b {
				b[a] = 0
				for c := range xr {
					b[a] += des.pinv.At(a, c) * xr[c]
				}
			}
			for g, cols := range des.cols {
				f := 0.0
				for _, a := range cols {
					f += b[a]
				}
				fit[j][g] = f
			}
		}
		nAll = float64(des.n)
	} else {
		for g := range gc {
			nAll += cellD[g]
		}
	}
	// n_g: respondents of the cell counted (all, raked; the domain's, not).
	ng := make([]float64, gc)
	for g := range gc {
		if des.raked {
			ng[g] = des.cellN[g]
		} else {
			ng[g] = cellD[g]
		}
	}
	sx := make([]float64, T)
	for j := range T {
		for g := range gc {
			sx[j] += des.cellW[g] * (R1[j][g] - ng[g]*fit[j][g])
		}
	}
	cov := make([][]float64, T)
	for j := range T {
		cov[j] = make([]float64, T)
	}
	w2 := 1 / (wd * wd)
	for j := range T {
		for k := j; k < T; k++ {
			sxx := 0.0
			for g := range gc {
				w := des.cellW[g]
				rr := -p[k]*cnt[g][j] - p[j]*cnt[g][k] + p[j]*p[k]*cellD[g]
				if j == k {
					rr += cnt[g][j]
				}
				rr *= w2
				sxx += w * w * (rr - fit[k][g]*R1[j][g] - fit[j][g]*R1[k][g] + ng[g]*fit[j][g]*fit[k][g])
			}
			c := nAll / (nAll - 1) * (sxx - sx[j]*sx[k]/nAll)
			cov[j][k], cov[k][j] = c, c
		}
	}
	return cov
}

// adjust sets PAdjusted and Significant over one family of tests.
func adjust(ts []VariableTest, method string, alpha float64) {
	var idx []int
	for i := range ts {
		if !math.IsNaN(ts[i].P) {
			idx = append(idx, i)
		}
	}
	m := float64(len(idx))
	sort.SliceStable(idx, func(a, b int) bool { return ts[idx[a]].P < ts[idx[b]].P })
	adj := make([]float64, len(idx))
	switch method {
	case AdjustHolm:
		run := 0.0
		for r, i := range idx {
			run = math.Max(run, math.Min(1, (m-float64(r))*ts[i].P))
			adj[r] = run
		}
	case AdjustBH:
		run := 1.0
		for r := len(idx) - 1; r >= 0; r-- {
			run = math.Min(run, math.Min(1, m/float64(r+1)*ts[idx[r]].P))
			adj[r] = run
		}
	default:
		for r, i := range idx {
			adj[r] = ts[i].P
		}
	}
	for r, i := range idx {
		ts[i].PAdjusted = adj[r]
		ts[i].Significant = adj[r] < alpha
	}
}

// variableTests runs the Rao–Scott test for every lot and service of a
// By view and adjusts the family.
func (e *estimator) variableTests(t *tally, vw view, method string) []VariableTest {
	first := len(t.stages) - t.k
	var out []VariableTest
	for k := range t.k {
		for s := range e.d.s {
			vt := e.chisq(t, vw, first+k, s)
			vt.SegmentVariable, vt.Stage, vt.Service = vw.variable, t.stages[first+k], e.d.g.Services[s].Key
			out = append(out, vt)
		}
	}
	adjust(out, method, 1-e.level)
	return slices.Clip(out)
}
