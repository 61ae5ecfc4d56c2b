package consult

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is the shortest password accepted, as the NCSC
// advises: length, not composition rules.
const MinPasswordLength = 12

// MaxPasswordLength bounds the work of hashing one password.
const MaxPasswordLength = 256

// commonPasswords are passwords of 12 characters or more that appear near
// the top of published breach lists, and ones a council officer might
// reach for. Compared in lower case.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
123456789012 1234567890123 12345678901234 123456789123 1q2w3e4r5t6y 1qaz2wsx3edc
qwertyuiopas qwertyuiop12 qwertyuiop123 qwerty123456 qwertyqwerty asdfghjklzxc
password1234 password12345 password123456 passwordpassword p@ssw0rd1234 passw0rd1234
iloveyou1234 letmein12345 welcome12345 welcome123456 welcome2024! welcome2025! welcome2026!
changeme1234 changeme12345 administrator admin1234567 adminadmin12 administrator1
football1234 baseball1234 sunshine1234 princess1234 superman1234 trustno11234
aaaaaaaaaaaa 111111111111 000000000000 123123123123 abcabcabcabc abcdefghijkl
abcdefgh1234 abc123456789 monkey123456 dragon123456 master123456 shadow123456
council12345 council123456 councilcouncil budget123456 budgetgrid12 budgetgrid123
consultation consultation1 password2024 password2025 password2026 password2027
summer2024!! winter2024!! spring2025!! autumn2025!! summer2025!! winter2025!!
correcthorsebatterystaple qwertyuiopasdfghjkl zaq12wsxcde3 1234qwerasdf
`) {
		commonPasswords[p] = true
	}
}

// CheckPassword checks a new password against the NCSC-style rules: at
// least MinPasswordLength characters, not a common password, not the
// user's email address. No composition rules.
func CheckPassword(password, email string) error {
	bad := func(code, msg string) error {
		return &Error{Code: EINVALID, Message: msg, Fields: []FieldError{{Field: "password", Code: code, Msg: msg}}}
	}
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return bad("password.utf8", "Your password contains characters we cannot read")
	case n < MinPasswordLength:
		return bad("password.short", fmt.Sprintf("Your password must be %d characters or more", MinPasswordLength))
	case len(password) > MaxPasswordLength:
		return bad("password.long", fmt.Sprintf("Your password must be %d characters or fewer", MaxPasswordLength))
	case commonPasswords[strings.ToLower(password)]:
		return bad("password.common", "This password is too common. Choose another, such as three random words")
	case email != "" && strings.EqualFold(password, email),
		email != "" && strings.EqualFold(password, strings.SplitN(email, "@", 2)[0]):
		return bad("password.email", "Your password must not be your email address")
	}
	return nil
}

// argon2id parameters: OWASP's minimum for argon2id (19 MiB, 2 passes, 1
// lane), which costs about 30 ms on a small server.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword hashes a password with argon2id and a random salt, in the
// PHC string format ("$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH").
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches an argon2id hash made
// by HashPassword (with whatever parameters it records), in constant time.
// A malformed hash never matches.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(password) > MaxPasswordLength {
		return false
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory == 0 || memory > 1<<20 || passes == 0 || passes > 16 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
