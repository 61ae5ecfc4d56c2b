package analysis

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

func TestReadTargetsFenshire(t *testing.T) {
	f, err := os.Open("/work/shared/examples/fenshire/targets.csv")
	if err != nil {
		t.Skip("Fenshire example not present:", err)
	}
	defer f.Close()
	tg, err := ReadTargets(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.Variables) != 3 || tg.Variables[0].Name != "area" || len(tg.Variables[0].Categories) != 5 {
		t.Fatalf("read %+v", tg)
	}
	if tg.Variables[1].Categories[3] != "75+" || math.Abs(tg.Variables[1].Shares[3]-0.12) > 1e-12 {
		t.Errorf("age_band 75+ = %v %v", tg.Variables[1].Categories, tg.Variables[1].Shares)
	}
}

func TestReadTargets(t *testing.T) {
	counts, err := ReadTargets(strings.NewReader("variable,category,target\nsex,female,510\nsex,male,490\n"))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(counts.Variables[0].Shares[0]-0.51) > 1e-12 {
		t.Errorf("counts not scaled: %v", counts.Variables[0].Shares)
	}
	tests := []struct {
		name, in  string
		row, col  int
		wantInMsg string
	}{
		{"header", "var,category,target\n", 1, 1, "variable"},
		{"not a number", "variable,category,target\nsex,female,abc\nsex,male,0.5\n", 2, 3, "not a number"},
		{"negative", "variable,category,target\nsex,female,0.5\nsex,male,-0.5\n", 3, 3, "positive"},
		{"empty category", "variable,category,target\nsex,,0.5\nsex,male,0.5\n", 2, 2, "empty"},
		{"repeat", "variable,category,target\nsex,male,0.5\nsex,female,0.25\nsex,male,0.25\n", 4, 2, "repeats row 2"},
		{"one category", "variable,category,target\nsex,male,1\n", 2, 0, "one category"},
		{"columns", "variable,category,target\nsex,male\n", 2, 0, "2 columns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTargets(strings.NewReader(tc.in))
			var te *TargetsError
			if !errors.As(err, &te) {
				t.Fatalf("error %v, want a *TargetsError", err)
			}
			if te.Row != tc.row || te.Column != tc.col || !strings.Contains(te.Msg, tc.wantInMsg) {
				t.Errorf("got row %d col %d %q, want row %d col %d containing %q", te.Row, te.Column, te.Msg, tc.row, tc.col, tc.wantInMsg)
			}
		})
	}
}

func FuzzReadTargets(f *testing.F) {
	f.Add("variable,category,target\nsex,female,0.51\nsex,male,0.49\n")
	f.Add("variable,category,target\narea,a,3\narea,b,1\nage,x,0.5\nage,y,0.5\n")
	f.Add("variable,category,target\nsex,\"fe\nmale\",1\n")
	f.Add("variable,category,target\nsex,f,1e308\nsex,m,1e308\n")
	f.Fuzz(func(t *testing.T, in string) {
		tg, err := ReadTargets(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, v := range tg.Variables {
			if len(v.Categories) < 2 || len(v.Categories) != len(v.Shares) {
				t.Fatalf("variable %q: %d categories, %d shares", v.Name, len(v.Categories), len(v.Shares))
			}
			sum := 0.0
			for _, x := range v.Shares {
				if !(x > 0) {
					t.Fatalf("share %g", x)
				}
				sum += x
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("variable %q: shares sum to %g", v.Name, sum)
			}
		}
	})
}
