package sqlite

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "roads-2027")
	u := &consult.User{Email: "ann@fenshire.gov.uk", Name: "Ann", Grants: []consult.Grant{{Role: consult.RoleEditor, ConsultationID: c.ID}, {Role: consult.RoleAnalyst}}}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser set ID %d, CreatedAt %v", u.ID, u.CreatedAt)
	}
	wantCode(t, db.CreateUser(ctx, &consult.User{Email: u.Email}), consult.ECONFLICT)
	got, err := db.UserByEmail(ctx, "ann@fenshire.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.Name != "Ann" || len(got.Grants) != 2 || !got.Can(consult.ActEditConsultation, c.ID) || got.Can(consult.ActEditConsultation, c.ID+1) {
		t.Fatalf("UserByEmail = %+v", got)
	}
	_, err = db.User(ctx, 999)
	wantCode(t, err, consult.ENOTFOUND)
	wantCode(t, db.SetPasswordHash(ctx, 999, "x"), consult.ENOTFOUND)

	if err := db.SetPasswordHash(ctx, u.ID, "hash"); err != nil {
		t.Fatal(err)
	}
	secret := consult.NewTOTPSecret()
	if err := db.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	got, _ = db.User(ctx, u.ID)
	if got.PasswordHash != "hash" || !bytes.Equal(got.TOTPSecret, secret) {
		t.Fatalf("after setting: hash %q secret %x", got.PasswordHash, got.TOTPSecret)
	}
	for i, tc := range []struct {
		step int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		ok, err := db.UseTOTPStep(ctx, u.ID, tc.step)
		if err != nil || ok != tc.want {
			t.Errorf("%d: UseTOTPStep(%d) = %v, %v; want %v", i, tc.step, ok, err, tc.want)
		}
	}
	if err := db.SetTOTPSecret(ctx, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = db.User(ctx, u.ID)
	if got.TOTPSecret != nil {
		t.Fatalf("TOTP secret not cleared: %x", got.TOTPSecret)
	}
	if err := db.CreateUser(ctx, &consult.User{Email: "bob@fenshire.gov.uk"}); err != nil {
		t.Fatal(err)
	}
	us, err := db.Users(ctx)
	if err != nil || len(us) != 2 || us[0].Email != "ann@fenshire.gov.uk" {
		t.Fatalf("Users = %v, %v", us, err)
	}
}

func TestTokensWorkOnceUntilExpiry(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	u := &consult.User{Email: "ann@fenshire.gov.uk"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	tok := &consult.Token{Hash: consult.HashSecret("a"), Purpose: consult.TokenSetPassword, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.CreateToken(ctx, tok), consult.ECONFLICT)
	if _, err := db.Token(ctx, tok.Hash, "other", now); consult.ErrorCode(err) != consult.ENOTFOUND {
		t.Fatalf("token for another purpose: %v", err)
	}
	if got, err := db.Token(ctx, tok.Hash, consult.TokenSetPassword, now); err != nil || got.UserID != u.ID {
		t.Fatalf("Token = %+v, %v", got, err)
	}
	if _, err := db.Token(ctx, tok.Hash, consult.TokenSetPassword, now.Add(time.Hour)); consult.ErrorCode(err) != consult.ENOTFOUND {
		t.Fatalf("expired token found: %v", err)
	}
	if got, err := db.UseToken(ctx, tok.Hash, consult.TokenSetPassword, now); err != nil || got.UserID != u.ID {
		t.Fatalf("UseToken = %+v, %v", got, err)
	}
	_, err := db.UseToken(ctx, tok.Hash, consult.TokenSetPassword, now)
	wantCode(t, err, consult.ENOTFOUND)

	late := &consult.Token{Hash: consult.HashSecret("b"), Purpose: consult.TokenSetPassword, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateToken(ctx, late); err != nil {
		t.Fatal(err)
	}
	_, err = db.UseToken(ctx, late.Hash, consult.TokenSetPassword, now.Add(2*time.Hour))
	wantCode(t, err, consult.ENOTFOUND)
}

func TestAdminSessions(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	u := &consult.User{Email: "ann@fenshire.gov.uk"}
	other := &consult.User{Email: "bob@fenshire.gov.uk"}
	for _, x := range []*consult.User{u, other} {
		if err := db.CreateUser(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	mk := func(user *consult.User, key string, at time.Time) *consult.AdminSession {
		s := &consult.AdminSession{IDHash: consult.HashSecret(key), UserID: user.ID, CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(time.Hour), Address: "192.0.2.1", UserAgent: "test"}
		if err := db.CreateAdminSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1, s2 := mk(u, "one", now), mk(u, "two", now.Add(time.Minute))
	b := mk(other, "three", now)
	wantCode(t, db.CreateAdminSession(ctx, &consult.AdminSession{IDHash: s1.IDHash, UserID: u.ID}), consult.ECONFLICT)
	got, err := db.AdminSession(ctx, consult.HashSecret("one"))
	if err != nil || got.ID != s1.ID || !got.ExpiresAt.Equal(s1.ExpiresAt) || got.Address != "192.0.2.1" {
		t.Fatalf("AdminSession = %+v, %v", got, err)
	}
	if err := db.TouchAdminSession(ctx, s1.IDHash, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, _ = db.AdminSession(ctx, s1.IDHash)
	if !got.LastSeenAt.Equal(now.Add(5 * time.Minute)) {
		t.Fatalf("LastSeenAt = %v", got.LastSeenAt)
	}
	ss, err := db.AdminSessions(ctx, u.ID)
	if err != nil || len(ss) != 2 || ss[0].ID != s2.ID {
		t.Fatalf("AdminSessions = %v, %v", ss, err)
	}
	wantCode(t, db.DeleteAdminSession(ctx, u.ID, b.ID), consult.ENOTFOUND) // not hers
	if err := db.DeleteAdminSession(ctx, u.ID, s1.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.AdminSession(ctx, s1.IDHash)
	wantCode(t, err, consult.ENOTFOUND)
	mk(u, "four", now)
	if n, err := db.DeleteAdminSessions(ctx, u.ID); err != nil || n != 2 {
		t.Fatalf("DeleteAdminSessions = %d, %v; want 2", n, err)
	}
	if _, err := db.AdminSession(ctx, b.IDHash); err != nil {
		t.Fatalf("another user's session went too: %v", err)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	at := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	for i, e := range []consult.AuditEntry{
		{Actor: "ann@x.gov.uk", Action: "sign_in"},
		{Actor: "bob@x.gov.uk", Action: "sign_in"},
		{Actor: "ann@x.gov.uk", Action: "consultation_status", Target: "roads", Before: "draft", After: "open"},
	} {
		e.At = at.Add(time.Duration(i) * time.Second)
		if err := db.AddAudit(ctx, &e); err != nil || e.ID == 0 {
			t.Fatalf("AddAudit: %v (id %d)", err, e.ID)
		}
	}
	for _, tc := range []struct {
		f    consult.AuditFilter
		want int
	}{{consult.AuditFilter{}, 3}, {consult.AuditFilter{Actor: "ann@x.gov.uk"}, 2}, {consult.AuditFilter{Action: "sign_in"}, 2},
		{consult.AuditFilter{Actor: "ann@x.gov.uk", Action: "sign_in"}, 1}, {consult.AuditFilter{Limit: 1}, 1}, {consult.AuditFilter{Actor: "' OR 1=1 --"}, 0}} {
		es, err := db.Audit(ctx, tc.f)
		if err != nil || len(es) != tc.want {
			t.Errorf("Audit(%+v) = %d entries, %v; want %d", tc.f, len(es), err, tc.want)
		}
	}
	es, _ := db.Audit(ctx, consult.AuditFilter{})
	if es[0].Action != "consultation_status" || es[0].Before != "draft" || !es[0].At.Equal(at.Add(2*time.Second)) {
		t.Fatalf("newest entry = %+v", es[0])
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE audit_log SET actor = 'x'`); err == nil {
		t.Error("the audit log could be changed")
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
		t.Error("the audit log could be deleted")
	}
}

func TestResponseStatsAndHiddenComments(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	day1 := time.Date(2027, 1, 10, 23, 59, 0, 0, time.UTC)
	db.now = func() time.Time { return day1 }
	c := createConsultation(t, db, "roads-2027")
	other := createConsultation(t, db, "other-2027")
	done := completeResponse(t, db, c)
	createResponse(t, db, c) // stops at Reached 1
	createResponse(t, db, other)
	db.now = func() time.Time { return day1.Add(time.Minute) } // the next day
	r := createResponse(t, db, c)
	r.Reached = 3
	if err := db.SaveResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	st, err := db.ResponseStats(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []consult.DayCount{{Day: "2027-01-10", Channel: "online", Started: 2, Completed: 1}, {Day: "2027-01-11", Channel: "online", Started: 1}}
	if len(st.Days) != 2 || st.Days[0] != want[0] || st.Days[1] != want[1] {
		t.Errorf("Days = %+v, want %+v", st.Days, want)
	}
	if st.Completed != 1 || st.StoppedAt[1] != 1 || st.StoppedAt[3] != 1 || len(st.StoppedAt) != 2 {
		t.Errorf("Completed %d, StoppedAt %v", st.Completed, st.StoppedAt)
	}

	wantCode(t, db.SetCommentHidden(ctx, "no-such", true, 1, day1), consult.ENOTFOUND)
	if err := db.SetCommentHidden(ctx, done.ID, true, 1, day1); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCommentHidden(ctx, done.ID, true, 1, day1); err != nil {
		t.Fatalf("hiding twice: %v", err)
	}
	if h, err := db.HiddenComments(ctx, c.ID); err != nil || !h[done.ID] || len(h) != 1 {
		t.Fatalf("HiddenComments = %v, %v", h, err)
	}
	if h, _ := db.HiddenComments(ctx, other.ID); len(h) != 0 {
		t.Fatalf("another consultation's hidden comments: %v", h)
	}
	if err := db.SetCommentHidden(ctx, done.ID, false, 1, day1); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.HiddenComments(ctx, c.ID); len(h) != 0 {
		t.Fatalf("shown again, still hidden: %v", h)
	}
}
