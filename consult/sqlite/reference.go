package sqlite

import (
	"crypto/rand"
	"fmt"
)

// referenceAlphabet has 32 letters and digits that cannot be mistaken for
// one another when read aloud or copied by hand: no I, O, 0 or 1.
const referenceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newReference returns a random confirmation reference such as "K7QM-3XRA":
// 8 characters (40 bits) in two groups of four.
func newReference() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make reference: %w", err)
	}
	ref := make([]byte, 0, 9)
	for i, x := range b {
		if i == 4 {
			ref = append(ref, '-')
		}
		// 256 is a multiple of 32, so every letter is equally likely.
		ref = append(ref, referenceAlphabet[x%32])
	}
	return string(ref), nil
}
