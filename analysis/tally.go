package analysis

// tally counts respondents per segment value and raking cell: for every
// stage, service and level; the first lot at which each service rose above
// level 1; and whether a level below as-now was marked unacceptable. The
// weights are equal within a cell, so every weighted estimate and its
// standard error follow from these counts.
type tally struct {
	stages []string
	nst    int // number of stages
	st0    int // first stage counted (the first lot, for a replicate)
	s, v   int // services, segment values
	gc     int // raking cells
	l      int // level slots: 0 (unanswered) .. maxLevel
	k      int // lots
	counts []float64
	segN   []float64 // [v*gc+g]
	first  []float64 // [((s*v+val)*gc+g)*(k+1)+j], j = lot index, k = never
	below  []float64 // [(s*v+val)*gc+g]
}

func (t *tally) at(st, s, v, g int) []float64 {
	o := ((((st-t.st0)*t.s+s)*t.v+v)*t.gc + g) * t.l
	return t.counts[o : o+t.l]
}

// newTally counts the records for a view. mult multiplies each
// respondent's count (bootstrap multiplicities); nil counts each once.
// Without full, only the lots' levels and first purchases are counted
// (what a bootstrap replicate needs).
func (d *data) newTally(cellOf []int32, gc int, vw view, mult []int32, full bool) *tally {
	t := &tally{stages: d.stageNames(), s: d.s, v: len(vw.values), gc: gc, l: d.maxLevel + 1, k: d.k}
	t.nst = len(t.stages)
	if !full {
		t.st0 = t.nst - t.k
	}
	t.counts = make([]float64, (t.nst-t.st0)*t.s*t.v*t.gc*t.l)
	t.segN = make([]float64, t.v*t.gc)
	t.first = make([]float64, t.s*t.v*t.gc*(t.k+1))
	t.below = make([]float64, t.s*t.v*t.gc)
	asNow := make([]uint8, d.s)
	for s := range d.g.Services {
		asNow[s] = uint8(d.g.Services[s].AsNowLevel())
	}
	stCur, stUnacc, stLot := -1, -1, 0
	if d.cur != nil {
		stCur = 0
		stLot++
	}
	if d.unacc != nil {
		stUnacc = stLot
		stLot++
	}
	firstLot := 0
	if !full {
		stCur, stUnacc = -1, -1
	}
	stride := t.v * t.gc * t.l
	for i := range d.n {
		c := 1.0
		if mult != nil {
			if mult[i] == 0 {
				continue
			}
			c = float64(mult[i])
		}
		v := 0
		if vw.of != nil {
			v = int(vw.of[i])
			if v < 0 {
				continue
			}
		}
		cell := v*gc + int(cellOf[i])
		t.segN[cell] += c
		base := cell * t.l
		if stCur >= 0 {
			o := (stCur-t.st0)*t.s*stride + base
			for s, l := range d.cur[i*d.s : (i+1)*d.s] {
				t.counts[o+s*stride+int(l)] += c
			}
		}
		if stUnacc >= 0 {
			o := (stUnacc-t.st0)*t.s*stride + base
			for s, bits := range d.unacc[i*d.s : (i+1)*d.s] {
				if bits == 0 {
					continue
				}
				for l := 1; l < t.l; l++ {
					if bits&(1<<(l-1)) != 0 {
						t.counts[o+s*stride+l] += c
					}
				}
				if a := asNow[s]; a > 1 && bits&(1<<(a-1)-1) != 0 {
					t.below[s*t.v*t.gc+cell] += c
				}
			}
		}
		lots := d.lots[i*d.k*d.s : (i+1)*d.k*d.s]
		for k := firstLot; k < d.k; k++ {
			o := (stLot+k-t.st0)*t.s*stride + base
			for s, l := range lots[k*d.s : (k+1)*d.s] {
				t.counts[o+s*stride+int(l)] += c
			}
		}
		fo := cell * (t.k + 1)
		fstride := t.v * t.gc * (t.k + 1)
		for s, j := range d.first[i*d.s : (i+1)*d.s] {
			t.first[s*fstride+fo+int(j)] += c
		}
	}
	return t
}

// stageKind tells how a stage's shares are based.
func stageKind(name string) int {
	switch name {
	case "current":
		return kindCurrent
	case "unacceptable":
		return kindUnacceptable
	}
	return kindLot
}

const (
	kindCurrent = iota
	kindUnacceptable
	kindLot
)
