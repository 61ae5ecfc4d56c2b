package analysis

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Plackett–Luce consensus of purchase orders. A respondent's purchase
// order is read from the lot at which each service first rose above level
// 1: the services first bought at lot 1 were chosen, together, before the
// rest; those at lot 2 before the remaining; and so on. Services never
// bought are simply never chosen, so no value stands in for "never". The
// likelihood of one respondent is Π_j Π_{s∈G_j} γ_s / (Σ_{m∈R_j} γ_m)^{|G_j|}
// (G_j bought at lot j, R_j not bought before it; ties by Breslow's
// approximation; a group that takes every remaining service carries no
// information and is left out), weighted by the survey weights. The fit is
// by minorization–maximization (Hunter 2004) on the distinct (R, G) pairs.
// Uncertainty: a sandwich covariance of the centred log-worths, design-based
// (the linearized scores projected off the raking margins as every SE), and
// rank intervals from 2,000 draws of the normal approximation.

// plPair is one (remaining, chosen) pair of service sets, as bit masks.
type plPair struct{ remain, chosen uint64 }

// plFit holds a view segment's fit.
type plFit struct {
	worth   []float64 // γ, summing to 1
	se      []float64 // SE of log γ (centred)
	rankLo  []int
	rankHi  []int
	rank    []int
	rankTo  []int
	ok      bool
	singled bool
}

// pairsOf returns the informative (R, G) pairs of one respondent's first
// purchases (first[s] = lot index, k = never).
func pairsOf(first []uint8, k int, out []plPair) []plPair {
	out = out[:0]
	var remain uint64
	for s := range first {
		remain |= 1 << s
	}
	for j := range k {
		var g uint64
		for s, f := range first {
			if int(f) == j {
				g |= 1 << s
			}
		}
		if g != 0 && g != remain {
			out = append(out, plPair{remain, g})
		}
		remain &^= g
		if remain == 0 {
			break
		}
	}
	return out
}

// fitPL fits worths from weighted pair counts over S services.
func fitPL(pairs []plPair, w []float64, S int) ([]float64, bool) {
	wins := make([]float64, S)
	for p, pr := range pairs {
		for s := range S {
			if pr.chosen&(1<<s) != 0 {
				wins[s] += w[p]
			}
		}
	}
	g := make([]float64, S)
	active := 0
	for s := range S {
		if wins[s] > 0 {
			g[s] = 1
			active++
		}
	}
	if active < 2 {
		return g, false
	}
	den := make([]float64, S)
	for iter := 0; iter < 2000; iter++ {
		clear(den)
		for p, pr := range pairs {
			sum := 0.0
			for s := range S {
				if pr.remain&(1<<s) != 0 {
					sum += g[s]
				}
			}
			if sum == 0 {
				continue
			}
			c := w[p] * float64(popcount(pr.chosen)) / sum
			for s := range S {
				if pr.remain&(1<<s) != 0 {
					den[s] += c
				}
			}
		}
		tot, change := 0.0, 0.0
		next := make([]float64, S)
		for s := range S {
			if wins[s] > 0 && den[s] > 0 {
				next[s] = wins[s] / den[s]
			}
			tot += next[s]
		}
		for s := range S {
			next[s] /= tot
			if g[s] > 0 {
				change = math.Max(change, math.Abs(next[s]-g[s])/g[s])
			}
		}
		copy(g, next)
		if change < 1e-10 {
			break
		}
	}
	tot := 0.0
	for _, x := range g {
		tot += x
	}
	for s := range g {
		g[s] /= tot
	}
	return g, true
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// plScore adds to u (length S) the score of one pair at worths γ and, if h
// is not nil, its information to h: u_s = 1(s∈G) − |G|·π_s, π_s = γ_s/Σ_R γ
// on R; information |G|·(diag π − ππ').
func plScore(pr plPair, g []float64, u []float64, h *mat.SymDense) {
	S := len(g)
	sum := 0.0
	for s := range S {
		if pr.remain&(1<<s) != 0 {
			sum += g[s]
		}
	}
	m := float64(popcount(pr.chosen))
	for s := range S {
		if pr.chosen&(1<<s) != 0 {
			u[s]++
		}
		if pr.remain&(1<<s) != 0 {
			u[s] -= m * g[s] / sum
		}
	}
	if h == nil {
		return
	}
	for a := range S {
		if pr.remain&(1<<a) == 0 {
			continue
		}
		pa := g[a] / sum
		for b := a; b < S; b++ {
			if pr.remain&(1<<b) == 0 {
				continue
			}
			pb := g[b] / sum
			x := -m * pa * pb
			if a == b {
				x += m * pa
			}
			h.SetSym(a, b, h.At(a, b)+x)
		}
	}
}

// plackettLuceView fits the consensus for every segment of a view: worths,
// SEs of the centred log-worths, rank ranges and rank intervals. Two passes
// over the respondents in all: one to collect the distinct pairs of every
// segment, one for the sandwich.
func (e *estimator) plackettLuceView(vw view, seed uint64) []plFit {
	d, des := e.d, e.des
	S, K := d.s, d.k
	V := len(vw.values)
	index := make([]map[uint64]int32, V) // key remain<<32 | chosen (at most 32 services)
	pairs := make([][]plPair, V)
	wts := make([][]float64, V)
	for v := range V {
		index[v] = map[uint64]int32{}
	}
	pid := make([]int32, d.n*K) // respondent -> its pairs' ids, -1 after the last
	var buf []plPair
	for i := range d.n {
		ids := pid[i*K : (i+1)*K]
		for j := range ids {
			ids[j] = -1
		}
		v := 0
		if vw.of != nil {
			if v = int(vw.of[i]); v < 0 {
				continue
			}
		}
		w := des.cellW[des.cells.of[i]]
		buf = pairsOf(d.first[i*S:(i+1)*S], K, buf)
		for j, pr := range buf {
			key := pr.remain<<32 | pr.chosen
			id, ok := index[v][key]
			if !ok {
				id = int32(len(pairs[v]))
				index[v][key] = id
				pairs[v] = append(pairs[v], pr)
				wts[v] = append(wts[v], 0)
			}
			wts[v][id] += w
			ids[j] = id
		}
	}
	fits := make([]plFit, V)
	type acc struct {
		U1, UU [][]float64
		nIn    []float64
	}
	accs := make([]acc, V)
	pairScores := make([][][]float64, V)
	acts := make([][]int, V)
	Jinvs := make([]*mat.Dense, V)
	gc := des.cells.count()
	for v := range V {
		fit, act, ps, Jinv := e.plFitSegment(pairs[v], wts[v])
		fits[v] = fit
		if Jinv == nil {
			continue
		}
		acts[v], pairScores[v], Jinvs[v] = act, ps, Jinv
		accs[v] = acc{make([][]float64, gc), make([][]float64, gc), make([]float64, gc)}
	}
	ui := make([]float64, S)
	for i := range d.n {
		v := 0
		if vw.of != nil {
			if v = int(vw.of[i]); v < 0 {
				continue
			}
		}
		if Jinvs[v] == nil {
			continue
		}
		A := len(acts[v])
		ac := &accs[v]
		c := des.cells.of[i]
		if ac.U1[c] == nil {
			ac.U1[c], ac.UU[c] = make([]float64, A), make([]float64, A*A)
		}
		ac.nIn[c]++
		u := ui[:A]
		clear(u)
		for _, id := range pid[i*K : (i+1)*K] {
			if id < 0 {
				break
			}
			for a, x := range pairScores[v][id] {
				u[a] += x
			}
		}
		u1, uu := ac.U1[c], ac.UU[c]
		for a := range A {
			u1[a] += u[a]
			row := uu[a*A : (a+1)*A]
			for b := range A {
				row[b] += u[a] * u[b]
			}
		}
	}
	for v := range V {
		if Jinvs[v] != nil {
			e.plSandwich(&fits[v], acts[v], Jinvs[v], accs[v].U1, accs[v].UU, accs[v].nIn, seed+uint64(v))
		}
	}
	return fits
}

// plFitSegment fits one segment's worths and returns the fit, the services
// with positive worth, the pairs' scores in those coordinates and J⁺ (nil
// when the fit is not identified).
func (e *estimator) plFitSegment(pairs []plPair, wts []float64) (plFit, []int, [][]float64, *mat.Dense) {
	S := e.d.s
	fit := plFit{}
	g, ok := fitPL(pairs, wts, S)
	fit.worth = g
	if !ok {
		return fit, nil, nil, nil
	}
	fit.ok = true
	neg := make([]float64, S)
	for s := range S {
		neg[s] = -g[s]
	}
	fit.rank, fit.rankTo = rankRanges(neg, nil, nil)
	var act []int
	for s := range S {
		if g[s] > 0 {
			act = append(act, s)
		}
	}
	A := len(act)
	fit.se = make([]float64, S)
	for s := range fit.se {
		fit.se[s] = math.NaN()
	}
	pairScore := make([][]float64, len(pairs))
	J := mat.NewSymDense(A, nil)
	full := make([]float64, S)
	h := mat.NewSymDense(S, nil)
	for p, pr := range pairs {
		clear(full)
		h.Zero()
		plScore(pr, g, full, h)
		u := make([]float64, A)
		for a, s := range act {
			u[a] = full[s]
		}
		pairScore[p] = u
		for a, s := range act {
			for b := a; b < A; b++ {
				J.SetSym(a, b, J.At(a, b)+wts[p]*h.At(s, act[b]))
			}
		}
	}
	Jinv, ok := pseudoInverse(mat.DenseCopyOf(J))
	if !ok {
		return fit, nil, nil, nil
	}
	return fit, act, pairScore, Jinv
}

// plSandwich sets the SEs and rank intervals of a fit from the per-cell
// sums of the respondents' scores.
func (e *estimator) plSandwich(fit *plFit, act []int, Jinv *mat.Dense, U1, UU [][]float64, nIn []float64, seed uint64) {
	des := e.des
	S := e.d.s
	A := len(act)
	g := fit.worth
	sub := make([]float64, A)
	for a, s := range act {
		sub[a] = g[s]
	}
	gc := des.cells.count()
	// r_i = J⁺u_i; x_i = w·(r_i − fit_c); Cov = n/(n−1)Σ(x−x̄)(x−x̄)'.
	R1 := make([][]float64, gc)
	RR := make([]*mat.Dense, gc)
	for c := range gc {
		if U1[c] == nil {
			continue
		}
		r := mat.NewVecDense(A, nil)
		r.MulVec(Jinv, mat.NewVecDense(A, U1[c]))
		R1[c] = r.RawVector().Data
		var t1, t2 mat.Dense
		t1.Mul(Jinv, mat.NewDense(A, A, UU[c]))
		t2.Mul(&t1, Jinv.T())
		RR[c] = &t2
	}
	fitv := make([][]float64, gc)
	var nAll float64
	if des.raked {
		for a := range A {
			xr := make([]float64, des.ncol)
			for c, cols := range des.cols {
				if R1[c] == nil {
					continue
				}
				for _, k := range cols {
					xr[k] += R1[c][a]
				}
			}
			b := make([]float64, des.ncol)
			for k := range b {
				for m := range xr {
					b[k] += des.pinv.At(k, m) * xr[m]
				}
			}
			for c, cols := range des.cols {
				if fitv[c] == nil {
					fitv[c] = make([]float64, A)
				}
				for _, k := range cols {
					fitv[c][a] += b[k]
				}
			}
		}
		nAll = float64(des.n)
	} else {
		for c := range gc {
			fitv[c] = make([]float64, A)
			nAll += nIn[c]
		}
	}
	sx := make([]float64, A)
	sxx := mat.NewDense(A, A, nil)
	for c := range gc {
		w := des.cellW[c]
		ng := nIn[c]
		if des.raked {
			ng = des.cellN[c]
		}
		f := fitv[c]
		r1 := R1[c]
		if r1 == nil {
			r1 = make([]float64, A)
		}
		for a := range A {
			sx[a] += w * (r1[a] - ng*f[a])
			for b := range A {
				rr := 0.0
				if RR[c] != nil {
					rr = RR[c].At(a, b)
				}
				sxx.Set(a, b, sxx.At(a, b)+w*w*(rr-f[b]*r1[a]-f[a]*r1[b]+ng*f[a]*f[b]))
			}
		}
	}
	if nAll < 2 {
		return
	}
	cov := mat.NewSymDense(A, nil)
	for a := range A {
		for b := a; b < A; b++ {
			cov.SetSym(a, b, nAll/(nAll-1)*(sxx.At(a, b)-sx[a]*sx[b]/nAll))
		}
	}
	// Centred log-worths θ = log γ − mean: Cov(Cθ) = C Cov C'.
	C := mat.NewDense(A, A, nil)
	for a := range A {
		for b := range A {
			x := -1 / float64(A)
			if a == b {
				x++
			}
			C.Set(a, b, x)
		}
	}
	var t1, cc mat.Dense
	t1.Mul(C, cov)
	cc.Mul(&t1, C.T())
	for a, s := range act {
		fit.se[s] = math.Sqrt(math.Max(0, cc.At(a, a)))
	}
	// Rank intervals from draws of N(θ̂, Cov).
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(A, mat.DenseCopyOf(&cc).RawMatrix().Data), true) {
		return
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	theta := make([]float64, A)
	mean := 0.0
	for a := range A {
		theta[a] = math.Log(sub[a])
		mean += theta[a] / float64(A)
	}
	rng := rand.New(rand.NewPCG(seed, 77))
	const draws = 2000
	lows := make([][]int, S)
	highs := make([][]int, S)
	z := make([]float64, A)
	score := make([]float64, S)
	var lo, hi []int
	for range draws {
		for a := range A {
			z[a] = rng.NormFloat64() * math.Sqrt(math.Max(0, vals[a]))
		}
		for s := range S {
			score[s] = math.Inf(1) // never chosen: last
		}
		for a, s := range act {
			x := theta[a] - mean
			for b := range A {
				x += vecs.At(a, b) * z[b]
			}
			score[s] = -x
		}
		lo, hi = rankRanges(score, lo, hi)
		for s := range S {
			lows[s] = append(lows[s], lo[s])
			highs[s] = append(highs[s], hi[s])
		}
	}
	fit.rankLo, fit.rankHi = make([]int, S), make([]int, S)
	for s := range S {
		slices.Sort(lows[s])
		slices.Sort(highs[s])
		fit.rankLo[s] = lows[s][int(math.Floor(0.025*(draws-1)))]
		fit.rankHi[s] = highs[s][int(math.Ceil(0.975*(draws-1)))]
	}
}
