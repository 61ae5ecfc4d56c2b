package analysis

import "testing"

func TestSegmentsDifferAndLowBase(t *testing.T) {
	g, plan, qs := fenshire(t)
	recs := Simulate(g, plan, qs, 600, 5)
	roads, libs := g.ServiceIndex("roads"), g.ServiceIndex("libraries")
	for i := range recs {
		recs[i].Current = make([]int, len(g.Services))
		recs[i].Current[roads] = 2
		if recs[i].About["sex"] == "female" {
			recs[i].Current[roads] = 1
		}
		recs[i].Current[libs] = 1 + i%2
	}
	rep, err := analyseRecords(g, plan, qs, recs, Options{Targets: fenshireTargets(t), RenormaliseTargets: true, By: []string{"sex"}})
	if err != nil {
		t.Fatal(err)
	}
	var libRows, libDiffer int
	seen := map[string]bool{}
	for _, s := range rep.Shares {
		if s.SegmentVariable != "sex" || s.Stage != "current" {
			continue
		}
		seen[s.Segment] = true
		if s.LowBase != (s.N < 30) {
			t.Errorf("%s: n %d low base %v", s.Segment, s.N, s.LowBase)
		}
		if s.Segment == "female" && s.Service == "roads" && s.Level <= 2 && !s.Differs {
			t.Errorf("female roads level %d: all women differ from the rest, not flagged", s.Level)
		}
		if s.Service == "libraries" && s.Level <= 2 && s.N >= 30 {
			libRows++
			if s.Differs {
				libDiffer++
			}
		}
	}
	if !seen["prefer_not_to_say"] || !seen["male"] {
		t.Errorf("segments seen %v", seen)
	}
	if libRows < 4 || libDiffer > 1 {
		t.Errorf("libraries: %d of %d segment rows flagged; levels were assigned independently of sex", libDiffer, libRows)
	}
	for _, s := range rep.Shares {
		if s.SegmentVariable == "sex" && s.Segment == "prefer_not_to_say" && !s.LowBase {
			t.Fatalf("prefer_not_to_say has n %d and is not low base", s.N)
		}
	}
}
