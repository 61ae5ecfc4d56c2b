package storetest

import (
	"bytes"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

func (su *suite) testResumeCodes(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "resume")
	r := createResponse(t, s, c)
	other := createResponse(t, s, c)
	code := consult.NewResumeCode()
	if err := s.SetResumeCode(ctx, r.ID, consult.HashResumeCode(code), "lot-1"); err != nil {
		t.Fatal(err)
	}
	t.Run("the code finds its response and stage", func(t *testing.T) {
		got, stage, err := s.ResponseByResumeCode(ctx, consult.HashResumeCode(code))
		if err != nil || got.ID != r.ID || stage != "lot-1" || got.Version != r.Version {
			t.Fatalf("ResponseByResumeCode = %+v, %q, %v; want %s at lot-1", got, stage, err, r.ID)
		}
	})
	t.Run("an unknown code is not found", func(t *testing.T) {
		_, _, err := s.ResponseByResumeCode(ctx, consult.HashResumeCode(consult.NewResumeCode()))
		wantCode(t, err, consult.ENOTFOUND)
	})
	t.Run("hashes are compared as bytes", func(t *testing.T) {
		h := consult.HashResumeCode(code)
		_, _, err := s.ResponseByResumeCode(ctx, bytes.ToUpper(h[:len(h)-1]))
		wantCode(t, err, consult.ENOTFOUND)
	})
	t.Run("saving again adds a code; the first still works", func(t *testing.T) {
		code2 := consult.NewResumeCode()
		if err := s.SetResumeCode(ctx, r.ID, consult.HashResumeCode(code2), "lot-2"); err != nil {
			t.Fatal(err)
		}
		for c, stage := range map[string]string{code: "lot-1", code2: "lot-2"} {
			got, gotStage, err := s.ResponseByResumeCode(ctx, consult.HashResumeCode(c))
			if err != nil || got.ID != r.ID || gotStage != stage {
				t.Fatalf("code %s: %v, %q, %v; want %s at %s", c, got, gotStage, err, r.ID, stage)
			}
		}
	})
	t.Run("a taken hash is a conflict", func(t *testing.T) {
		wantCode(t, s.SetResumeCode(ctx, other.ID, consult.HashResumeCode(code), "lot-1"), consult.ECONFLICT)
		if got, _, _ := s.ResponseByResumeCode(ctx, consult.HashResumeCode(code)); got == nil || got.ID != r.ID {
			t.Errorf("the refused code now finds %+v", got)
		}
	})
	t.Run("an unknown response", func(t *testing.T) {
		wantCode(t, s.SetResumeCode(ctx, "no-such-id", []byte("x"), "lot-1"), consult.ENOTFOUND)
	})
	t.Run("a submitted response's code stops working", func(t *testing.T) {
		r.Answers = testAnswers("north")
		if err := s.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.ResponseByResumeCode(ctx, consult.HashResumeCode(code))
		wantCode(t, err, consult.ENOTFOUND)
		wantCode(t, s.SetResumeCode(ctx, r.ID, consult.HashResumeCode(consult.NewResumeCode()), "lot-1"), consult.ESUBMITTED)
	})
}

func (su *suite) testSettings(t *testing.T) {
	s := su.open(t)
	_, err := s.Setting(ctx, "session_key")
	wantCode(t, err, consult.ENOTFOUND)
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"first set stores", "secret-1", "secret-1"},
		{"second set keeps the first", "secret-2", "secret-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SetSettingIfAbsent(ctx, "session_key", []byte(tt.value))
			if err != nil || string(got) != tt.want {
				t.Errorf("SetSettingIfAbsent = %q, %v; want %q", got, err, tt.want)
			}
			stored, err := s.Setting(ctx, "session_key")
			if err != nil || string(stored) != tt.want {
				t.Errorf("Setting = %q, %v; want %q", stored, err, tt.want)
			}
		})
	}
	t.Run("binary and empty values", func(t *testing.T) {
		for key, value := range map[string][]byte{"raw": {0, 1, 2, 255}, "empty": {}} {
			got, err := s.SetSettingIfAbsent(ctx, key, value)
			if err != nil || !bytes.Equal(got, value) {
				t.Errorf("SetSettingIfAbsent(%s) = %v, %v; want %v", key, got, err, value)
			}
			stored, err := s.Setting(ctx, key)
			if err != nil || !bytes.Equal(stored, value) {
				t.Errorf("Setting(%s) = %v, %v; want %v", key, stored, err, value)
			}
		}
	})
}
