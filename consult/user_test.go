package consult_test

import (
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestUserCan(t *testing.T) {
	admin := &consult.User{Grants: []consult.Grant{{Role: consult.RoleAdmin}}}
	editor7 := &consult.User{Grants: []consult.Grant{{Role: consult.RoleEditor, ConsultationID: 7}}}
	editorAll := &consult.User{Grants: []consult.Grant{{Role: consult.RoleEditor}}}
	analyst := &consult.User{Grants: []consult.Grant{{Role: consult.RoleAnalyst}}}
	interviewer := &consult.User{Grants: []consult.Grant{{Role: consult.RoleInterviewer, ConsultationID: 7}}}
	disabled := &consult.User{Grants: []consult.Grant{{Role: consult.RoleAdmin}}, DisabledAt: time.Now()}
	tests := []struct {
		name string
		u    *consult.User
		a    consult.Action
		cid  int64
		want bool
	}{
		{"admin manages users", admin, consult.ActManageUsers, 0, true},
		{"admin edits any", admin, consult.ActEditConsultation, 9, true},
		{"editor edits theirs", editor7, consult.ActEditConsultation, 7, true},
		{"editor cannot edit another", editor7, consult.ActEditConsultation, 8, false},
		{"editor cannot see another's results", editor7, consult.ActViewResults, 8, false},
		{"editor of one cannot create", editor7, consult.ActCreateConsultation, 0, false},
		{"editor of all may create", editorAll, consult.ActCreateConsultation, 0, true},
		{"editor cannot manage users", editorAll, consult.ActManageUsers, 0, false},
		{"analyst sees results", analyst, consult.ActViewResults, 3, true},
		{"analyst cannot edit", analyst, consult.ActEditConsultation, 3, false},
		{"analyst cannot moderate", analyst, consult.ActModerateComments, 3, false},
		{"interviewer interviews theirs", interviewer, consult.ActInterview, 7, true},
		{"interviewer sees no results", interviewer, consult.ActViewResults, 7, false},
		{"disabled admin does nothing", disabled, consult.ActViewResults, 1, false},
		{"nobody does nothing", nil, consult.ActViewResults, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.Can(tt.a, tt.cid); got != tt.want {
				t.Errorf("Can = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw, email, code string
	}{
		{"correct horse battery", "a@b.gov.uk", ""},
		{"short", "", "password.short"},
		{"elevenchars", "", "password.short"},
		{"Password1234", "", "password.common"},
		{"officer.name@fenshire.gov.uk", "officer.name@fenshire.gov.uk", "password.email"},
		{"officer.name", "officer.name@fenshire.gov.uk", "password.email"},
		{strings.Repeat("x", 300), "", "password.long"},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4", "", "password.utf8"},
	}
	for _, tt := range tests {
		err := consult.CheckPassword(tt.pw, tt.email)
		got := ""
		if fs := consult.ErrorFields(err); len(fs) > 0 {
			got = fs[0].Code
		}
		if got != tt.code {
			t.Errorf("CheckPassword(%.20q) = %q (%v), want %q", tt.pw, got, err, tt.code)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h := consult.HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id in PHC form", h)
	}
	if h == consult.HashPassword("correct horse battery") {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !consult.VerifyPassword(h, "correct horse battery") {
		t.Fatal("the password does not verify")
	}
	for _, bad := range []string{"correct horse batterY", "", "correct horse battery "} {
		if consult.VerifyPassword(h, bad) {
			t.Errorf("%q verified", bad)
		}
	}
	for _, hash := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=999999999,t=2,p=1$c2FsdA$aGFzaA", h[:len(h)-2]} {
		if consult.VerifyPassword(hash, "correct horse battery") {
			t.Errorf("malformed hash %q verified", hash)
		}
	}
}

// TestTOTPVectors checks the HOTP/TOTP code against RFC 6238's appendix B
// (SHA-1, secret "12345678901234567890"), whose 8-digit codes end in our
// 6 digits.
func TestTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		want string // the RFC's 8-digit code
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		at := time.Unix(tt.unix, 0)
		if got := consult.TOTPCode(secret, at); got != tt.want[2:] {
			t.Errorf("TOTP at %d = %s, want %s", tt.unix, got, tt.want[2:])
		}
		if _, ok := consult.VerifyTOTP(secret, tt.want[2:], at.Add(29*time.Second)); !ok {
			t.Errorf("code at %d not accepted a step later", tt.unix)
		}
		if _, ok := consult.VerifyTOTP(secret, tt.want[2:], at.Add(95*time.Second)); ok {
			t.Errorf("code at %d accepted three steps later", tt.unix)
		}
	}
	if uri := consult.TOTPURI(secret, "Fenshire", "a@b.gov.uk"); !strings.HasPrefix(uri, "otpauth://totp/Fenshire:a@b.gov.uk?") || !strings.Contains(uri, "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") {
		t.Errorf("URI %s", uri)
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{" Officer@Fenshire.GOV.uk ": "officer@fenshire.gov.uk", "a@b.co": "a@b.co"} {
		if got, err := consult.NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "Name <a@b.gov.uk>", "a@b.gov.uk, c@d.gov.uk"} {
		if _, err := consult.NormalizeEmail(bad); consult.ErrorCode(err) != consult.EINVALID {
			t.Errorf("NormalizeEmail(%q) accepted", bad)
		}
	}
}
