package consult

import (
	"crypto/rand"
	"strings"
)

// RandomCode returns a code of groups of size characters each, drawn
// uniformly from alphabet with crypto/rand and joined by hyphens, such as
// "K7QM-3XPA". Every character is equally likely whatever the alphabet's
// length (bytes past the largest multiple of it are drawn again). The
// confirmation references, resume codes and enrolment codes all come from
// here.
func RandomCode(alphabet string, groups, size int) string {
	n := len(alphabet)
	limit := 256 - 256%n // bytes below limit map evenly onto the alphabet
	var sb strings.Builder
	sb.Grow(groups*size + groups)
	buf := make([]byte, 2*groups*size)
	count := 0
	for count < groups*size {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand: " + err.Error()) // does not fail on supported systems
		}
		for _, x := range buf {
			if int(x) >= limit {
				continue
			}
			if count > 0 && count%size == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(alphabet[int(x)%n])
			if count++; count == groups*size {
				break
			}
		}
	}
	return sb.String()
}

// ReferenceAlphabet has 32 letters and digits that cannot be mistaken for
// one another when read aloud or copied by hand: no I, O, 0 or 1.
const ReferenceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewReference returns a random confirmation reference such as
// "K7QM-3XRA": 8 characters (40 bits) in two groups of four.
func NewReference() string { return RandomCode(ReferenceAlphabet, 2, 4) }
