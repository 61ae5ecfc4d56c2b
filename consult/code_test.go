package consult_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestRandomCodeShape(t *testing.T) {
	tests := []struct {
		name    string
		make    func() string
		pattern string
	}{
		{"reference", consult.NewReference, `^[` + consult.ReferenceAlphabet + `]{4}-[` + consult.ReferenceAlphabet + `]{4}$`},
		{"resume code", consult.NewResumeCode, `^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := regexp.MustCompile(tt.pattern)
			seen := map[string]bool{}
			for range 2000 {
				c := tt.make()
				if !re.MatchString(c) || seen[c] {
					t.Fatalf("code %q does not match %s or repeated", c, tt.pattern)
				}
				seen[c] = true
			}
		})
	}
}

// TestRandomCodeIsUniform draws 62,000 characters from a 31-letter
// alphabet (256 is not a multiple of 31, so a plain modulo would favour
// the first 8 letters by 1 in 8) and checks every letter's count with a
// chi-square test: above 61.1 has probability 0.1% for a uniform draw
// with 30 degrees of freedom, while the modulo bias gives about 160.
func TestRandomCodeIsUniform(t *testing.T) {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	counts := map[rune]int{}
	total := 0
	for range 2000 {
		for _, r := range strings.ReplaceAll(consult.RandomCode(alphabet, 31, 1), "-", "") {
			counts[r]++
			total++
		}
	}
	want := float64(total) / float64(len(alphabet))
	chi := 0.0
	for _, r := range alphabet {
		d := float64(counts[r]) - want
		chi += d * d / want
	}
	if len(counts) != len(alphabet) || chi > 61.1 {
		t.Fatalf("%d letters seen, chi-square %.1f over %d draws", len(counts), chi, total)
	}
}
