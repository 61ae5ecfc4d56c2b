package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

func (su *suite) testDevices(t *testing.T) {
	s := su.open(t)
	_, h1 := consult.NewDeviceToken()
	_, h2 := consult.NewDeviceToken()
	d1 := &consult.Device{UserID: 7, Label: "Tablet 1", TokenHash: h1, Consultations: []int64{3, 5}}
	if err := s.CreateDevice(ctx, d1); err != nil {
		t.Fatalf("CreateDevice: %v", err)
	}
	if d1.ID == 0 || d1.CreatedAt.IsZero() {
		t.Fatalf("CreateDevice left id %d, created %v", d1.ID, d1.CreatedAt)
	}
	wantCode(t, s.CreateDevice(ctx, &consult.Device{UserID: 8, Label: "copy", TokenHash: h1}), consult.ECONFLICT)
	d2 := &consult.Device{UserID: 8, Label: "Tablet 2", TokenHash: h2}
	if err := s.CreateDevice(ctx, d2); err != nil {
		t.Fatalf("CreateDevice: %v", err)
	}

	got, err := s.DeviceByToken(ctx, h1)
	if err != nil {
		t.Fatalf("DeviceByToken: %v", err)
	}
	if got.ID != d1.ID || got.UserID != 7 || got.Label != "Tablet 1" || !bytes.Equal(got.TokenHash, h1) ||
		!slices.Equal(got.Consultations, []int64{3, 5}) || got.Revoked() || !got.CreatedAt.Equal(d1.CreatedAt) {
		t.Fatalf("DeviceByToken = %+v, want %+v", got, d1)
	}
	if got, _ := s.DeviceByToken(ctx, h2); got == nil || len(got.Consultations) != 0 {
		t.Fatalf("a device with no consultations came back as %+v", got)
	}
	_, unknown := consult.NewDeviceToken()
	_, err = s.DeviceByToken(ctx, unknown)
	wantCode(t, err, consult.ENOTFOUND)

	ds, err := s.Devices(ctx)
	if err != nil || len(ds) != 2 || ds[0].ID != d2.ID || ds[1].ID != d1.ID {
		t.Fatalf("Devices = %v, %v; want newest first", ds, err)
	}

	at := time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC)
	if err := s.RevokeDevice(ctx, d1.ID, at); err != nil {
		t.Fatalf("RevokeDevice: %v", err)
	}
	if err := s.RevokeDevice(ctx, d1.ID, at.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeDevice again: %v", err)
	}
	got, _ = s.DeviceByToken(ctx, h1)
	if got == nil || !got.RevokedAt.Equal(at) {
		t.Fatalf("revoked device = %+v, want revoked at %v (the first time)", got, at)
	}
	wantCode(t, s.RevokeDevice(ctx, 99999, at), consult.ENOTFOUND)
}

func (su *suite) testErasure(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "erasure")
	done := completeResponse(t, s, c)
	if err := s.SetResumeCode(ctx, createResponse(t, s, c).ID, consult.HashResumeCode("AAAA-BBBB-CCCC"), "about-you"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	byRef, err := s.ResponseByReference(ctx, c.ID, done.Reference)
	if err != nil || byRef.ID != done.ID {
		t.Fatalf("ResponseByReference(%s) = %+v, %v", done.Reference, byRef, err)
	}
	_, err = s.ResponseByReference(ctx, c.ID+1000, done.Reference)
	wantCode(t, err, consult.ENOTFOUND)
	_, err = s.ResponseByReference(ctx, c.ID, "AAAA-AAAA")
	wantCode(t, err, consult.ENOTFOUND)
	if erased, err := s.Erased(ctx, done.ID); err != nil || erased {
		t.Fatalf("Erased before erasing = %v, %v", erased, err)
	}
	if err := s.EraseResponse(ctx, done.ID, at); err != nil {
		t.Fatalf("EraseResponse: %v", err)
	}
	_, err = s.Response(ctx, done.ID)
	wantCode(t, err, consult.ENOTFOUND)
	_, err = s.ResponseByReference(ctx, c.ID, done.Reference)
	wantCode(t, err, consult.ENOTFOUND)
	if erased, err := s.Erased(ctx, done.ID); err != nil || !erased {
		t.Fatalf("Erased after erasing = %v, %v", erased, err)
	}
	wantCode(t, s.EraseResponse(ctx, done.ID, at), consult.ENOTFOUND)
	_, completed, err := s.CountResponses(ctx, c.ID)
	if err != nil || completed != 0 {
		t.Fatalf("completed after erasure = %d, %v", completed, err)
	}
	// An erased id cannot come back by import: the tombstone is checked
	// by the use case; the store keeps the tombstone whatever happens.
	rs := importBatch(1, at)
	rs[0].ID = done.ID
	if _, err := s.ImportResponses(ctx, c.ID, rs); err != nil {
		t.Fatalf("ImportResponses of an erased id: %v", err)
	}
	if erased, _ := s.Erased(ctx, done.ID); !erased {
		t.Fatal("the tombstone went with a new import")
	}
	// An in-progress response with resume codes is erased with them.
	r := createResponse(t, s, c)
	if err := s.SetResumeCode(ctx, r.ID, consult.HashResumeCode("DDDD-EEEE-FFFF"), "about-you"); err != nil {
		t.Fatal(err)
	}
	if err := s.EraseResponse(ctx, r.ID, at); err != nil {
		t.Fatalf("EraseResponse in progress: %v", err)
	}
	_, _, err = s.ResponseByResumeCode(ctx, consult.HashResumeCode("DDDD-EEEE-FFFF"))
	wantCode(t, err, consult.ENOTFOUND)
}

func (su *suite) testRedact(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "redact")
	other := createConsultation(t, s, "redact-other")
	done := completeResponse(t, s, c)
	kept := completeResponse(t, s, other)
	inProgress := createResponse(t, s, c)
	calls := 0
	n, err := s.RedactResponses(ctx, c.ID, func(a *consult.Answers) bool {
		calls++
		return consult.RedactPersonal(a)
	})
	if err != nil || n != 1 || calls != 1 {
		t.Fatalf("RedactResponses = %d, %v after %d calls; want 1 change, 1 call (completed responses only)", n, err, calls)
	}
	got := mustResponse(t, s, done.ID)
	if len(got.Answers.About) != 0 || got.Answers.Comments != "" {
		t.Fatalf("redacted answers %+v still hold personal answers", got.Answers)
	}
	if len(got.Answers.Lots) != 3 || got.Answers.Lots[2][0] != 3 || !got.Completed() || got.Reference != done.Reference {
		t.Fatalf("redaction changed the level choices or completion: %+v", got)
	}
	if a := mustResponse(t, s, kept.ID).Answers; a.About["area"] != "south" {
		t.Fatalf("another consultation's response was redacted: %+v", a)
	}
	if a := mustResponse(t, s, inProgress.ID).Answers; a.About["area"] != "north" {
		t.Fatalf("an in-progress response was redacted: %+v", a)
	}
	if n, err := s.RedactResponses(ctx, c.ID, consult.RedactPersonal); err != nil || n != 0 {
		t.Fatalf("a second redaction changed %d, %v; want 0", n, err)
	}
}
