package storetest

import (
	"bytes"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// testAdmin runs the tests of the admin area's stores: users, one-time
// tokens, admin sessions, the audit log, hidden comments and the
// dashboard's counts.
func (su *suite) testAdmin(t *testing.T) {
	t.Run("Users", su.testUsers)
	t.Run("Tokens", su.testTokens)
	t.Run("Sessions", su.testAdminSessions)
	t.Run("Audit", su.testAudit)
	t.Run("Stats", su.testResponseStats)
	t.Run("HiddenComments", su.testHiddenComments)
	t.Run("Parallel", su.testAdminParallel)
}

// createUser stores a user with the given email address.
func createUser(t *testing.T, s consult.Store, email string) *consult.User {
	t.Helper()
	u := &consult.User{Email: email}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func (su *suite) testUsers(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "roads-2027")
	u := &consult.User{Email: "ann@fenshire.gov.uk", Name: "Ann", Grants: []consult.Grant{
		{Role: consult.RoleEditor, ConsultationID: c.ID}, {Role: consult.RoleAnalyst}, {Role: consult.RoleAnalyst}}}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser set ID %d, CreatedAt %v", u.ID, u.CreatedAt)
	}
	wantCode(t, s.CreateUser(ctx, &consult.User{Email: u.Email}), consult.ECONFLICT)
	got, err := s.UserByEmail(ctx, "ann@fenshire.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	wantGrants := []consult.Grant{{Role: consult.RoleAnalyst}, {Role: consult.RoleEditor, ConsultationID: c.ID}}
	if got.ID != u.ID || got.Name != "Ann" || !got.CreatedAt.Equal(u.CreatedAt) || !got.DisabledAt.IsZero() ||
		got.PasswordHash != "" || got.TOTPSecret != nil || !slices.Equal(got.Grants, wantGrants) {
		t.Fatalf("UserByEmail = %+v, want %+v with grants %v (a repeated grant stored once)", got, u, wantGrants)
	}
	if !got.Can(consult.ActEditConsultation, c.ID) || got.Can(consult.ActEditConsultation, c.ID+1) {
		t.Fatalf("grants read back give the wrong rights: %+v", got.Grants)
	}
	if byID, err := s.User(ctx, u.ID); err != nil || byID.Email != u.Email || !slices.Equal(byID.Grants, wantGrants) {
		t.Fatalf("User(%d) = %+v, %v", u.ID, byID, err)
	}
	_, err = s.User(ctx, 999999)
	wantCode(t, err, consult.ENOTFOUND)
	_, err = s.UserByEmail(ctx, "nobody@fenshire.gov.uk")
	wantCode(t, err, consult.ENOTFOUND)
	wantCode(t, s.SetPasswordHash(ctx, 999999, "x"), consult.ENOTFOUND)
	wantCode(t, s.SetTOTPSecret(ctx, 999999, []byte("k")), consult.ENOTFOUND)

	if err := s.SetPasswordHash(ctx, u.ID, "hash"); err != nil {
		t.Fatal(err)
	}
	secret := consult.NewTOTPSecret()
	if err := s.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	got, _ = s.User(ctx, u.ID)
	if got.PasswordHash != "hash" || !bytes.Equal(got.TOTPSecret, secret) {
		t.Fatalf("after setting: hash %q secret %x", got.PasswordHash, got.TOTPSecret)
	}
	for i, tc := range []struct {
		step int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		ok, err := s.UseTOTPStep(ctx, u.ID, tc.step)
		if err != nil || ok != tc.want {
			t.Errorf("%d: UseTOTPStep(%d) = %v, %v; want %v", i, tc.step, ok, err, tc.want)
		}
	}
	if err := s.SetTOTPSecret(ctx, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = s.User(ctx, u.ID)
	if got.TOTPSecret != nil {
		t.Fatalf("TOTP secret not cleared: %x", got.TOTPSecret)
	}
	// Turning codes on again forgets the last step used.
	if err := s.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.UseTOTPStep(ctx, u.ID, 50); err != nil || !ok {
		t.Errorf("after a new secret, UseTOTPStep(50) = %v, %v; want true", ok, err)
	}

	disabled := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.CreateUser(ctx, &consult.User{Email: "bob@fenshire.gov.uk", DisabledAt: disabled}); err != nil {
		t.Fatal(err)
	}
	createUser(t, s, "Zed@fenshire.gov.uk") // upper case sorts first byte-wise
	us, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, x := range us {
		emails = append(emails, x.Email)
	}
	if want := []string{"Zed@fenshire.gov.uk", "ann@fenshire.gov.uk", "bob@fenshire.gov.uk"}; !slices.Equal(emails, want) {
		t.Fatalf("Users = %v, want %v", emails, want)
	}
	if !us[1].Can(consult.ActEditConsultation, c.ID) || !us[2].DisabledAt.Equal(disabled) {
		t.Fatalf("Users lost grants or DisabledAt: %+v, %+v", us[1], us[2])
	}
}

func (su *suite) testTokens(t *testing.T) {
	s := su.open(t)
	u := createUser(t, s, "ann@fenshire.gov.uk")
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	tok := &consult.Token{Hash: consult.HashSecret("a"), Purpose: consult.TokenSetPassword, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateToken(ctx, tok), consult.ECONFLICT)
	wantCode(t, s.CreateToken(ctx, &consult.Token{Hash: consult.HashSecret("nobody"), Purpose: consult.TokenSetPassword,
		UserID: 999999, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), consult.ENOTFOUND)
	_, err := s.Token(ctx, tok.Hash, "other", now)
	wantCode(t, err, consult.ENOTFOUND)
	got, err := s.Token(ctx, tok.Hash, consult.TokenSetPassword, now)
	if err != nil || got.UserID != u.ID || got.Purpose != consult.TokenSetPassword || !bytes.Equal(got.Hash, tok.Hash) ||
		!got.CreatedAt.Equal(now) || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("Token = %+v, %v; want %+v", got, err, tok)
	}
	// Reading does not use it.
	if _, err := s.Token(ctx, tok.Hash, consult.TokenSetPassword, now); err != nil {
		t.Fatalf("Token read twice: %v", err)
	}
	_, err = s.Token(ctx, tok.Hash, consult.TokenSetPassword, now.Add(time.Hour))
	wantCode(t, err, consult.ENOTFOUND) // expired at its ExpiresAt
	_, err = s.UseToken(ctx, tok.Hash, "other", now)
	wantCode(t, err, consult.ENOTFOUND)
	if got, err := s.UseToken(ctx, tok.Hash, consult.TokenSetPassword, now); err != nil || got.UserID != u.ID || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("UseToken = %+v, %v", got, err)
	}
	_, err = s.UseToken(ctx, tok.Hash, consult.TokenSetPassword, now)
	wantCode(t, err, consult.ENOTFOUND)
	_, err = s.Token(ctx, tok.Hash, consult.TokenSetPassword, now)
	wantCode(t, err, consult.ENOTFOUND)

	late := &consult.Token{Hash: consult.HashSecret("b"), Purpose: consult.TokenSetPassword, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateToken(ctx, late); err != nil {
		t.Fatal(err)
	}
	_, err = s.UseToken(ctx, late.Hash, consult.TokenSetPassword, now.Add(2*time.Hour))
	wantCode(t, err, consult.ENOTFOUND)
}

func (su *suite) testAdminSessions(t *testing.T) {
	s := su.open(t)
	u := createUser(t, s, "ann@fenshire.gov.uk")
	other := createUser(t, s, "bob@fenshire.gov.uk")
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	mk := func(user *consult.User, key string, at time.Time, pending bool) *consult.AdminSession {
		t.Helper()
		s1 := &consult.AdminSession{IDHash: consult.HashSecret(key), UserID: user.ID, CreatedAt: at, LastSeenAt: at,
			ExpiresAt: at.Add(time.Hour), CodePending: pending, Address: "192.0.2.1", UserAgent: "test"}
		if err := s.CreateAdminSession(ctx, s1); err != nil {
			t.Fatal(err)
		}
		if s1.ID == 0 {
			t.Fatal("CreateAdminSession set no ID")
		}
		return s1
	}
	s1, s2 := mk(u, "one", now, false), mk(u, "two", now.Add(time.Minute), true)
	b := mk(other, "three", now, false)
	wantCode(t, s.CreateAdminSession(ctx, &consult.AdminSession{IDHash: s1.IDHash, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now}), consult.ECONFLICT)
	wantCode(t, s.CreateAdminSession(ctx, &consult.AdminSession{IDHash: consult.HashSecret("nobody"), UserID: 999999, CreatedAt: now, LastSeenAt: now, ExpiresAt: now}), consult.ENOTFOUND)
	got, err := s.AdminSession(ctx, consult.HashSecret("one"))
	if err != nil || got.ID != s1.ID || got.UserID != u.ID || !bytes.Equal(got.IDHash, s1.IDHash) || !got.CreatedAt.Equal(now) ||
		!got.LastSeenAt.Equal(now) || !got.ExpiresAt.Equal(s1.ExpiresAt) || got.CodePending || got.Address != "192.0.2.1" || got.UserAgent != "test" {
		t.Fatalf("AdminSession = %+v, %v; want %+v", got, err, s1)
	}
	if got, _ := s.AdminSession(ctx, s2.IDHash); got == nil || !got.CodePending {
		t.Fatalf("CodePending not kept: %+v", got)
	}
	_, err = s.AdminSession(ctx, consult.HashSecret("unknown"))
	wantCode(t, err, consult.ENOTFOUND)
	if err := s.TouchAdminSession(ctx, s1.IDHash, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.TouchAdminSession(ctx, consult.HashSecret("unknown"), now), consult.ENOTFOUND)
	got, _ = s.AdminSession(ctx, s1.IDHash)
	if !got.LastSeenAt.Equal(now.Add(5*time.Minute)) || !got.CreatedAt.Equal(now) {
		t.Fatalf("after touch: LastSeenAt %v, CreatedAt %v", got.LastSeenAt, got.CreatedAt)
	}
	ss, err := s.AdminSessions(ctx, u.ID)
	if err != nil || len(ss) != 2 || ss[0].ID != s2.ID || ss[1].ID != s1.ID {
		t.Fatalf("AdminSessions = %v, %v; want %d then %d", ss, err, s2.ID, s1.ID)
	}
	wantCode(t, s.DeleteAdminSession(ctx, u.ID, b.ID), consult.ENOTFOUND) // not hers
	if err := s.DeleteAdminSession(ctx, u.ID, s1.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteAdminSession(ctx, u.ID, s1.ID), consult.ENOTFOUND)
	_, err = s.AdminSession(ctx, s1.IDHash)
	wantCode(t, err, consult.ENOTFOUND)
	mk(u, "four", now, false)
	if n, err := s.DeleteAdminSessions(ctx, u.ID); err != nil || n != 2 {
		t.Fatalf("DeleteAdminSessions = %d, %v; want 2", n, err)
	}
	if n, err := s.DeleteAdminSessions(ctx, u.ID); err != nil || n != 0 {
		t.Fatalf("DeleteAdminSessions again = %d, %v; want 0", n, err)
	}
	if ss, err := s.AdminSessions(ctx, u.ID); err != nil || len(ss) != 0 {
		t.Fatalf("AdminSessions after deleting all = %v, %v", ss, err)
	}
	if _, err := s.AdminSession(ctx, b.IDHash); err != nil {
		t.Fatalf("another user's session went too: %v", err)
	}
}

func (su *suite) testAudit(t *testing.T) {
	s := su.open(t)
	at := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	for i, e := range []consult.AuditEntry{
		{Actor: "ann@x.gov.uk", UserID: 1, Action: "sign_in", Address: "192.0.2.1"},
		{Actor: "bob@x.gov.uk", UserID: 2, Action: "sign_in"},
		{Actor: "ann@x.gov.uk", UserID: 1, Action: "consultation_status", Target: "roads", Before: "draft", After: "open"},
	} {
		e.At = at.Add(time.Duration(i) * time.Second)
		if err := s.AddAudit(ctx, &e); err != nil || e.ID == 0 {
			t.Fatalf("AddAudit: %v (id %d)", err, e.ID)
		}
	}
	for _, tc := range []struct {
		f    consult.AuditFilter
		want int
	}{{consult.AuditFilter{}, 3}, {consult.AuditFilter{Actor: "ann@x.gov.uk"}, 2}, {consult.AuditFilter{Action: "sign_in"}, 2},
		{consult.AuditFilter{Actor: "ann@x.gov.uk", Action: "sign_in"}, 1}, {consult.AuditFilter{Limit: 1}, 1},
		{consult.AuditFilter{Actor: "ann@x.gov.uk", Limit: 1}, 1}, {consult.AuditFilter{Actor: "' OR 1=1 --"}, 0}} {
		es, err := s.Audit(ctx, tc.f)
		if err != nil || len(es) != tc.want {
			t.Errorf("Audit(%+v) = %d entries, %v; want %d", tc.f, len(es), err, tc.want)
		}
	}
	es, _ := s.Audit(ctx, consult.AuditFilter{})
	want := consult.AuditEntry{ID: es[0].ID, At: at.Add(2 * time.Second), UserID: 1, Actor: "ann@x.gov.uk", Action: "consultation_status", Target: "roads", Before: "draft", After: "open"}
	if len(es) != 3 || !sameEntry(es[0], &want) {
		t.Fatalf("newest entry = %+v, want %+v", es[0], want)
	}
	if es[2].Address != "192.0.2.1" || es[2].ID >= es[1].ID || es[1].ID >= es[0].ID {
		t.Fatalf("entries not newest first by id: %+v", es)
	}
	if es, _ := s.Audit(ctx, consult.AuditFilter{Actor: "ann@x.gov.uk", Limit: 1}); len(es) != 1 || es[0].Action != "consultation_status" {
		t.Fatalf("Limit keeps the newest: %+v", es)
	}
	// An entry without a time gets the store's.
	e := consult.AuditEntry{Actor: "command line", Action: "user_add"}
	before := time.Now().Add(-time.Second)
	if err := s.AddAudit(ctx, &e); err != nil {
		t.Fatal(err)
	}
	if es, _ := s.Audit(ctx, consult.AuditFilter{Action: "user_add"}); len(es) != 1 || es[0].At.Before(before) || es[0].At.After(time.Now().Add(time.Second)) {
		t.Fatalf("entry without a time stored as %+v", es)
	}
}

// sameEntry compares audit entries, times by instant.
func sameEntry(a, b *consult.AuditEntry) bool {
	x, y := *a, *b
	if !x.At.Equal(y.At) {
		return false
	}
	x.At, y.At = time.Time{}, time.Time{}
	return x == y
}

// statsRun stores the dashboard's test responses in a new store and
// returns its stats and the UTC day the responses were created on; ok is
// false if that day changed while they were made.
func (su *suite) statsRun(t *testing.T) (st *consult.ResponseStats, today string, ok bool) {
	s := su.open(t)
	c := createConsultation(t, s, "roads-2027")
	other := createConsultation(t, s, "other-2027")
	today = time.Now().UTC().Format("2006-01-02")
	completeResponse(t, s, c)
	createResponse(t, s, c) // stops at Reached 1
	createResponse(t, s, other)
	r := createResponse(t, s, c)
	r.Reached = 3
	if err := s.SaveResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	// Imported interviews: started (stored) today, completed either side
	// of midnight UTC.
	rs := importBatch(2, time.Date(2027, 1, 10, 23, 59, 59, 0, time.UTC))
	if _, err := s.ImportResponses(ctx, c.ID, rs); err != nil {
		t.Fatal(err)
	}
	st, err := s.ResponseStats(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return st, today, time.Now().UTC().Format("2006-01-02") == today
}

func (su *suite) testResponseStats(t *testing.T) {
	st, today, ok := su.statsRun(t)
	if !ok { // midnight passed; it cannot twice in a moment
		st, today, ok = su.statsRun(t)
	}
	if !ok {
		t.Fatal("the day changed twice while the test ran")
	}
	want := []consult.DayCount{
		{Day: today, Channel: "interview", Started: 2},
		{Day: today, Channel: "online", Started: 3, Completed: 1},
		{Day: "2027-01-10", Channel: "interview", Completed: 1},
		{Day: "2027-01-11", Channel: "interview", Completed: 1},
	}
	slices.SortFunc(want, func(a, b consult.DayCount) int {
		if c := strings.Compare(a.Day, b.Day); c != 0 {
			return c
		}
		return strings.Compare(a.Channel, b.Channel)
	})
	if !slices.Equal(st.Days, want) {
		t.Errorf("Days = %+v, want %+v", st.Days, want)
	}
	if st.Completed != 3 || st.StoppedAt[1] != 1 || st.StoppedAt[3] != 1 || len(st.StoppedAt) != 2 {
		t.Errorf("Completed %d, StoppedAt %v; want 3, map[1:1 3:1]", st.Completed, st.StoppedAt)
	}

	s := su.open(t)
	c := createConsultation(t, s, "empty")
	st, err := s.ResponseStats(ctx, c.ID)
	if err != nil || len(st.Days) != 0 || st.Completed != 0 || len(st.StoppedAt) != 0 || st.StoppedAt == nil {
		t.Fatalf("stats of a consultation with no responses = %+v, %v", st, err)
	}
}

func (su *suite) testHiddenComments(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "roads-2027")
	other := createConsultation(t, s, "other-2027")
	done := completeResponse(t, s, c)
	elsewhere := completeResponse(t, s, other)
	day := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	wantCode(t, s.SetCommentHidden(ctx, "no-such", true, 1, day), consult.ENOTFOUND)
	if err := s.SetCommentHidden(ctx, done.ID, true, 1, day); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCommentHidden(ctx, done.ID, true, 1, day); err != nil {
		t.Fatalf("hiding twice: %v", err)
	}
	if err := s.SetCommentHidden(ctx, elsewhere.ID, true, 1, day); err != nil {
		t.Fatal(err)
	}
	if h, err := s.HiddenComments(ctx, c.ID); err != nil || !h[done.ID] || len(h) != 1 {
		t.Fatalf("HiddenComments = %v, %v; want only %s", h, err, done.ID)
	}
	if err := s.SetCommentHidden(ctx, done.ID, false, 1, day); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCommentHidden(ctx, done.ID, false, 1, day); err != nil {
		t.Fatalf("showing twice: %v", err)
	}
	if h, err := s.HiddenComments(ctx, c.ID); err != nil || len(h) != 0 {
		t.Fatalf("shown again, still hidden: %v, %v", h, err)
	}
	if h, _ := s.HiddenComments(ctx, other.ID); !h[elsewhere.ID] || len(h) != 1 {
		t.Fatalf("another consultation's hidden comment lost: %v", h)
	}
	// Erasing a response takes its hidden mark with it.
	if err := s.EraseResponse(ctx, elsewhere.ID, day); err != nil {
		t.Fatal(err)
	}
	if h, err := s.HiddenComments(ctx, other.ID); err != nil || len(h) != 0 {
		t.Fatalf("hidden comments of an erased response = %v, %v", h, err)
	}
}

// testAdminParallel checks the one-time rules under parallel callers, as
// several servers on one database would be.
func (su *suite) testAdminParallel(t *testing.T) {
	s := su.open(t)
	other := s
	if su.another != nil {
		other = su.another(t, s)
	}
	pick := func(i int) consult.Store {
		if i%2 == 1 {
			return other
		}
		return s
	}
	t.Run("one email", func(t *testing.T) {
		errs := parallel(func(i int) error { return pick(i).CreateUser(ctx, &consult.User{Email: "same@fenshire.gov.uk"}) })
		wantOneWinner(t, errs, consult.ECONFLICT)
		if us, err := s.Users(ctx); err != nil || len(us) != 1 {
			t.Fatalf("Users = %d, %v; want 1", len(us), err)
		}
	})
	u := createUser(t, s, "ann@fenshire.gov.uk")
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	t.Run("a token works once", func(t *testing.T) {
		tok := &consult.Token{Hash: consult.HashSecret("once"), Purpose: consult.TokenSetPassword, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		errs := parallel(func(i int) error {
			_, err := pick(i).UseToken(ctx, tok.Hash, consult.TokenSetPassword, now)
			return err
		})
		wantOneWinner(t, errs, consult.ENOTFOUND)
	})
	t.Run("a security code works once", func(t *testing.T) {
		var won atomic.Int32
		errs := parallel(func(i int) error {
			ok, err := pick(i).UseTOTPStep(ctx, u.ID, 1000)
			if ok {
				won.Add(1)
			}
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		if won.Load() != 1 {
			t.Errorf("%d of %d callers used step 1000, want 1", won.Load(), Parallel)
		}
	})
	t.Run("audit entries all kept", func(t *testing.T) {
		errs := parallel(func(i int) error {
			return pick(i).AddAudit(ctx, &consult.AuditEntry{At: now, Actor: "ann@fenshire.gov.uk", Action: "parallel"})
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		es, err := s.Audit(ctx, consult.AuditFilter{Action: "parallel"})
		if err != nil || len(es) != Parallel {
			t.Fatalf("Audit = %d entries, %v; want %d", len(es), err, Parallel)
		}
		ids := map[int64]bool{}
		for _, e := range es {
			ids[e.ID] = true
		}
		if len(ids) != Parallel {
			t.Errorf("%d distinct ids for %d entries", len(ids), Parallel)
		}
	})
}
