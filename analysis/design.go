package analysis

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// design holds what standard errors need: respondents grouped into raking
// cells (within which weights are equal) and, for a raked design, the
// projection onto the raking margins.
//
// The linearization follows survey::svymean on a raked design. For a
// (domain) mean m of y — a share p is the mean of an indicator — the
// influence of respondent i is x_i = w_i·r_i with r_i = d_i(y_i − m)/W_D
// (d_i: in the domain, W_D: the domain's weighted total). Raking replaces r by its residual after a least-squares fit on the
// indicators of every margin's categories (and an intercept), unweighted as
// survey's svyrecvar does for raking (its backfitting converges to this
// projection). The variance is n/(n−1)·Σ(x_i − x̄)² over all n respondents
// (a domain keeps every respondent, as subset() of a calibrated design does);
// without raking, over the n_D respondents of the domain (as subset() of an
// uncalibrated design). Because weights are equal within a cell, every sum
// reduces to sums per cell of the domain count, y and y² (for an
// indicator, counts).
type design struct {
	cells *cellIndex
	n     int
	cellN []float64 // respondents per cell
	cellW []float64 // weight of each respondent of the cell
	raked bool
	ncol  int
	cols  [][]int    // cell -> columns of X equal to 1
	pinv  *mat.Dense // (X'X)⁺
}

func newDesign(cells *cellIndex, cellN, cellW []float64, margins []Margin, raked bool) (*design, error) {
	d := &design{cells: cells, cellN: cellN, cellW: cellW, raked: raked}
	for _, x := range cellN {
		d.n += int(x)
	}
	if !raked {
		return d, nil
	}
	off := make([]int, len(margins))
	d.ncol = 1
	for m, mg := range margins {
		off[m] = d.ncol
		d.ncol += len(mg.Categories)
	}
	d.cols = make([][]int, cells.count())
	xtx := mat.NewDense(d.ncol, d.ncol, nil)
	for g, cats := range cells.cats {
		cols := []int{0}
		for m, c := range cats {
			if c >= 0 {
				cols = append(cols, off[m]+int(c))
			}
		}
		d.cols[g] = cols
		for _, a := range cols {
			for _, b := range cols {
				xtx.Set(a, b, xtx.At(a, b)+cellN[g])
			}
		}
	}
	var svd mat.SVD
	if !svd.Factorize(xtx, mat.SVDThin) {
		return nil, errSVD
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	inv := mat.NewDiagDense(len(s), nil)
	for i, x := range s {
		if x > s[0]*1e-12 {
			inv.SetDiag(i, 1/x)
		}
	}
	var vi mat.Dense
	vi.Mul(&v, inv)
	d.pinv = mat.NewDense(d.ncol, d.ncol, nil)
	d.pinv.Mul(&vi, u.T())
	return d, nil
}

type designError string

// Error returns the message.
func (e designError) Error() string { return string(e) }

const errSVD = designError("analysis: cannot factorize the raking design")

// influence sums a linearized variable per cell: r1 = Σr, rw = Σw·r,
// rw2 = Σw²·r and rr = Σw²·r².
type influence struct {
	r1, rw, rw2, rr []float64
}

func (d *design) newInfluence() *influence {
	g := d.cells.count()
	return &influence{make([]float64, g), make([]float64, g), make([]float64, g), make([]float64, g)}
}

func (f *influence) reset() {
	clear(f.r1)
	clear(f.rw)
	clear(f.rw2)
	clear(f.rr)
}

// addShare adds sign × the influence of a domain share p with weighted
// domain total wd, given per cell the count y with the attribute and the
// count dn in the domain. Domains added to one influence must be disjoint.
// A share is the mean of an indicator, whose squares are itself.
func (d *design) addShare(f *influence, sign float64, y, dn []float64, p, wd float64) {
	d.addMean(f, sign, y, y, dn, p, wd)
}

// addMean adds sign × the influence of a domain mean m with weighted domain
// total wd, given per cell the sum y of the variable, the sum y2 of its
// squares and the count dn over the domain's respondents: r_i = (y_i − m)/W_D
// in the domain, so Σr = (y − m·dn)/W_D and Σr² = (y2 − 2m·y + m²·dn)/W_D².
// Domains added to one influence must be disjoint.
func (d *design) addMean(f *influence, sign float64, y, y2, dn []float64, m, wd float64) {
	for g := range y {
		if dn[g] == 0 {
			continue
		}
		w := d.cellW[g]
		r := (y[g] - m*dn[g]) / wd
		f.r1[g] += sign * r
		f.rw[g] += sign * w * r
		f.rw2[g] += sign * w * w * r
		f.rr[g] += w * w * (y2[g] - 2*m*y[g] + m*m*dn[g]) / (wd * wd)
	}
}

// variance returns the variance of the linearized variable f; m is the
// number of respondents the variance is taken over when the design is not
// raked (the domain's n).
func (d *design) variance(f *influence, m int) float64 {
	fit := make([]float64, len(f.r1))
	if d.raked {
		xr := make([]float64, d.ncol)
		for g, cols := range d.cols {
			for _, a := range cols {
				xr[a] += f.r1[g]
			}
		}
		b := make([]float64, d.ncol)
		for a := range b {
			for c := range xr {
				b[a] += d.pinv.At(a, c) * xr[c]
			}
		}
		for g, cols := range d.cols {
			for _, a := range cols {
				fit[g] += b[a]
			}
		}
		m = d.n
	}
	var sx, sxx float64
	for g := range f.r1 {
		w, nf := d.cellW[g], fit[g]
		sx += f.rw[g] - nf*d.cellN[g]*w
		sxx += f.rr[g] - 2*nf*f.rw2[g] + nf*nf*d.cellN[g]*w*w
	}
	if m < 2 {
		return math.NaN()
	}
	mm := float64(m)
	return math.Max(0, mm/(mm-1)*(sxx-sx*sx/mm))
}
