package consult

import (
	"bytes"
	"regexp"
	"testing"
)

func TestResumeCode(t *testing.T) {
	shape := regexp.MustCompile(`^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$`)
	seen := map[string]bool{}
	for range 1000 {
		c := NewResumeCode()
		if !shape.MatchString(c) {
			t.Fatalf("code %q is not 3 groups of 4 unambiguous characters", c)
		}
		if seen[c] {
			t.Fatalf("code %q made twice", c)
		}
		seen[c] = true
	}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"K7QM-3XPA-9FTR", "K7QM-3XPA-9FTR", true},
		{"k7qm 3xpa 9ftr", "K7QM-3XPA-9FTR", true},
		{" K7QM3XPA9FTR ", "K7QM-3XPA-9FTR", true},
		{"K7QM-3XPA-9FT", "", false},
		{"K7QM-3XPA-9FTRR", "", false},
		{"K7QO-3XPA-9FTR", "", false}, // O is not in the alphabet
		{"", "", false},
		{"<script>", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := NormalizeResumeCode(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("NormalizeResumeCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
	if bytes.Equal(HashResumeCode("K7QM-3XPA-9FTR"), HashResumeCode("K7QM-3XPA-9FTS")) {
		t.Fatal("different codes hash alike")
	}
	if bytes.Contains(HashResumeCode("K7QM-3XPA-9FTR"), []byte("K7QM")) {
		t.Fatal("the hash holds the code")
	}
}
