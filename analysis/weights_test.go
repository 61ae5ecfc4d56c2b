package analysis

import (
	"math"
	"strings"
	"testing"
)

// expand builds per-respondent category indexes from cell counts.
func expand(counts []int, cats [][2]int) (a, b []int) {
	for k, n := range counts {
		for range n {
			a = append(a, cats[k][0])
			b = append(b, cats[k][1])
		}
	}
	return a, b
}

func ones(n int, x float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = x
	}
	return w
}

func TestRakeTenPeople(t *testing.T) {
	// male-young 3, male-old 2, female-young 1, female-old 4; sex (0 female,
	// 1 male), age (0 old, 1 young); targets female 60 / male 40, old 60 /
	// young 40 (R: rake with epsilon 1e-12).
	counts := []int{3, 2, 1, 4}
	cells := [][2]int{{1, 1}, {1, 0}, {0, 1}, {0, 0}}
	sex, age := expand(counts, cells)
	margins := []Margin{
		{Name: "sex", Categories: []string{"female", "male"}, Of: sex, Shares: []float64{0.6, 0.4}},
		{Name: "age", Categories: []string{"old", "young"}, Of: age, Shares: []float64{0.6, 0.4}},
	}
	res, err := Rake(ones(10, 1), margins, RakeOptions{Population: 100, Tolerance: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Fatalf("did not converge in %d sweeps", res.Iterations)
	}
	want := []float64{8.638936947, 7.041594579, 14.083189158, 11.479202711}
	i := 0
	for k, n := range counts {
		for range n {
			if math.Abs(res.Weights[i]-want[k]) > 1e-6 {
				t.Errorf("cell %d: weight %.9f, want %.9f", k, res.Weights[i], want[k])
			}
			i++
		}
	}
	deff, neff := Kish(res.Weights)
	if math.Abs(deff-1.0484864) > 5e-8 || math.Abs(neff-9.537558) > 5e-7 {
		t.Errorf("Kish deff %.8f n_eff %.7f, want 1.0484864 and 9.537558", deff, neff)
	}
}

func TestRakeAPIClus1(t *testing.T) {
	// survey's tests/rakecheck.R on apiclus1: stype (E,H,M) × sch.wide (No,Yes).
	counts := []int{12, 3, 8, 132, 11, 17}
	cells := [][2]int{{0, 0}, {1, 0}, {2, 0}, {0, 1}, {1, 1}, {2, 1}}
	stype, wide := expand(counts, cells)
	pop := 4421.0 + 755 + 1018
	margins := []Margin{
		{Name: "stype", Categories: []string{"E", "H", "M"}, Of: stype, Shares: []float64{4421 / pop, 755 / pop, 1018 / pop}},
		{Name: "sch.wide", Categories: []string{"No", "Yes"}, Of: wide, Shares: []float64{1072 / pop, 5122 / pop}},
	}
	res, err := Rake(ones(183, 33.846996307373), margins, RakeOptions{Population: pop, Tolerance: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{39.83923624, 67.12552924, 49.06907217, 29.87067549, 50.32940112, 36.79102487}
	i := 0
	for k, n := range counts {
		if math.Abs(res.Weights[i]-want[k]) > 1e-6 {
			t.Errorf("cell %d: weight %.8f, want %.8f", k, res.Weights[i], want[k])
		}
		i += n
	}
}

func TestRakeLeftOutAndErrors(t *testing.T) {
	// Respondent 4 is missing sex: left out of that margin, counted, and the
	// others still match the sex shares among themselves.
	sex := []int{0, 0, 1, 1, -1, 1}
	age := []int{0, 1, 0, 1, 1, 0}
	margins := []Margin{
		{Name: "sex", Categories: []string{"f", "m"}, Of: sex, Shares: []float64{0.5, 0.5}},
		{Name: "age", Categories: []string{"y", "o"}, Of: age, Shares: []float64{0.3, 0.7}},
	}
	res, err := Rake(ones(6, 1), margins, RakeOptions{Population: 6})
	if err != nil {
		t.Fatal(err)
	}
	if res.LeftOut[0] != 1 || res.LeftOut[1] != 0 {
		t.Errorf("left out %v, want [1 0]", res.LeftOut)
	}
	var tot, f, y float64
	for i, w := range res.Weights {
		tot += w
		if sex[i] == 0 {
			f += w
		}
		if age[i] == 0 {
			y += w
		}
	}
	answered := tot - res.Weights[4]
	if math.Abs(tot-6) > 1e-9 || math.Abs(f/answered-0.5) > 1e-9 || math.Abs(y/tot-0.3) > 1e-9 {
		t.Errorf("total %g, female share of answered %g, young share %g", tot, f/answered, y/tot)
	}

	margins[1].Categories = append(margins[1].Categories, "very_old")
	margins[1].Shares = []float64{0.3, 0.6, 0.1}
	_, err = Rake(ones(6, 1), margins, RakeOptions{})
	if err == nil || !strings.Contains(err.Error(), `"very_old"`) {
		t.Errorf("error %v, want one naming very_old", err)
	}
}

func TestTrimWeights(t *testing.T) {
	got, passes := TrimWeights([]float64{1, 1, 1, 10}, math.Inf(-1), 3.5, true)
	want := []float64{3.1667, 3.1667, 3.1667, 3.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 5e-5 {
			t.Fatalf("trimmed %v, want %v", got, want)
		}
	}
	if passes != 1 {
		t.Errorf("passes %d, want 1", passes)
	}
	// Strict trimming repeats until within bounds and keeps the total.
	w := []float64{1, 1, 2, 3, 10, 10}
	got, _ = TrimWeights(w, 1.2, 5, true)
	sum := 0.0
	for _, x := range got {
		sum += x
		if x > 5+1e-9 || x < 1.2-1e-9 {
			t.Errorf("weight %g outside [1.2, 5]", x)
		}
	}
	if math.Abs(sum-27) > 1e-9 {
		t.Errorf("total %g, want 27", sum)
	}
}

func TestIntervals(t *testing.T) {
	lo, hi := KornGraubard(7.0/20, 20, 0.95)
	if math.Abs(lo-0.1539092) > 5e-8 || math.Abs(hi-0.5921885) > 5e-8 {
		t.Errorf("Korn–Graubard 7/20 = (%.7f, %.7f), want (0.1539092, 0.5921885)", lo, hi)
	}
	lo, hi = Wilson(7.0/20, 20, 0.95)
	if math.Abs(lo-0.1811918) > 5e-8 || math.Abs(hi-0.5671457) > 5e-8 {
		t.Errorf("Wilson 7/20 = (%.7f, %.7f), want (0.1811918, 0.5671457)", lo, hi)
	}
	lo, hi = KornGraubard(0, 20, 0.95)
	if lo != 0 || math.Abs(hi-0.1684335) > 1e-6 {
		t.Errorf("Korn–Graubard 0/20 = (%g, %g), want (0, 0.1684335)", lo, hi)
	}
}
