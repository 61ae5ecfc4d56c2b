package consult

import (
	"crypto/sha256"
	"strings"
)

// resumeAlphabet has no letters or digits that are easily confused when
// read aloud or typed: no 0/O, 1/I/L.
const resumeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewResumeCode returns a random resume code of 3 groups of 4 characters
// ("K7QM-3XPA-9FTR"): about 59 bits of randomness, enough that guessing is
// hopeless under rate limiting.
func NewResumeCode() string { return RandomCode(resumeAlphabet, 3, 4) }

// NormalizeResumeCode turns what a resident typed into the canonical code:
// case, spaces and hyphens do not matter. It reports false when the input
// cannot be a code.
func NormalizeResumeCode(s string) (string, bool) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case strings.ContainsRune(resumeAlphabet, r):
			if sb.Len() > 0 && sb.Len()%5 == 4 {
				sb.WriteByte('-')
			}
			sb.WriteRune(r)
		default:
			return "", false
		}
	}
	if sb.Len() != 14 {
		return "", false
	}
	return sb.String(), true
}

// HashResumeCode is what the store keeps instead of the code. The code's
// randomness makes a fast hash enough; the store never holds the code.
func HashResumeCode(code string) []byte {
	sum := sha256.Sum256([]byte("budgetgrid resume code\x00" + code))
	return sum[:]
}
