package storetest

import (
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// Items returns every item a store holds, in EachItem's order.
func Items(t *testing.T, s consult.DeploymentStore) []consult.DeploymentItem {
	t.Helper()
	var items []consult.DeploymentItem
	if err := s.EachItem(ctx, func(it consult.DeploymentItem) error {
		items = append(items, it)
		return nil
	}); err != nil {
		t.Fatalf("EachItem: %v", err)
	}
	return items
}

// Feed returns a next function for LoadItems over items.
func Feed(items []consult.DeploymentItem) func() (consult.DeploymentItem, error) {
	return func() (consult.DeploymentItem, error) {
		if len(items) == 0 {
			return consult.DeploymentItem{}, io.EOF
		}
		it := items[0]
		items = items[1:]
		return it, nil
	}
}

// Populate fills a store with one of everything a deployment holds: two
// consultations (one with two grid versions), in-progress, completed and
// imported responses, resume codes, settings, devices, an erasure and
// the admin area's users, hidden comment and audit entries.
func Populate(t *testing.T, s consult.Store) {
	t.Helper()
	createConsultation(t, s, "first")
	next := testConsultation("first")
	next.Title = "Second draft"
	if err := s.ReplaceConsultation(ctx, next); err != nil {
		t.Fatal(err)
	}
	second := createConsultation(t, s, "second")
	if err := s.SetStatus(ctx, "second", consult.Closed); err != nil {
		t.Fatal(err)
	}
	inProgress := createResponse(t, s, next)
	if err := s.SetResumeCode(ctx, inProgress.ID, consult.HashResumeCode("RESUMECODE1"), "lot-2"); err != nil {
		t.Fatal(err)
	}
	completeResponse(t, s, next)
	completeResponse(t, s, second)
	if _, err := s.ImportResponses(ctx, second.ID, importBatch(3, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	erased := createResponse(t, s, second)
	if err := s.EraseResponse(ctx, erased.ID, time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	_, token := consult.NewDeviceToken()
	device := &consult.Device{UserID: 7, Label: "Tablet 3", TokenHash: token, Consultations: []int64{second.ID}}
	if err := s.CreateDevice(ctx, device); err != nil {
		t.Fatal(err)
	}
	_, token2 := consult.NewDeviceToken()
	if err := s.CreateDevice(ctx, &consult.Device{UserID: 8, Label: "Tablet 4", TokenHash: token2}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeDevice(ctx, device.ID, time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string][]byte{"session_keys": {1, 2, 3, 0}, "empty": {}} {
		if _, err := s.SetSettingIfAbsent(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	// The admin area: users with and without grants, a password, security
	// codes, a disabled account; a hidden comment; audit entries. Tokens
	// and sessions are made too, and are not part of a deployment.
	ann := &consult.User{Email: "ann@fenshire.gov.uk", Name: "Ann", PasswordHash: "hash", TOTPSecret: consult.NewTOTPSecret(),
		Grants: []consult.Grant{{Role: consult.RoleEditor, ConsultationID: second.ID}, {Role: consult.RoleAnalyst}}}
	if err := s.CreateUser(ctx, ann); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, &consult.User{Email: "bob@fenshire.gov.uk", DisabledAt: time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	if err := s.CreateToken(ctx, &consult.Token{Hash: consult.HashSecret("link"), Purpose: consult.TokenSetPassword, UserID: ann.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAdminSession(ctx, &consult.AdminSession{IDHash: consult.HashSecret("session"), UserID: ann.ID, CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var hidden string
	if err := s.EachCompleted(ctx, second.ID, func(r *consult.Response) error {
		hidden = r.ID
		return nil
	}); err != nil || hidden == "" {
		t.Fatalf("no completed response to hide: %v", err)
	}
	if err := s.SetCommentHidden(ctx, hidden, true, ann.ID, at); err != nil {
		t.Fatal(err)
	}
	for i, e := range []consult.AuditEntry{
		{UserID: ann.ID, Actor: ann.Email, Action: "sign_in", Address: "192.0.2.1"},
		{UserID: ann.ID, Actor: ann.Email, Action: "comment_hidden", Target: hidden, Before: "shown", After: "hidden"},
	} {
		e.At = at.Add(time.Duration(i) * time.Second)
		if err := s.AddAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
}

func (su *suite) testDeployment(t *testing.T) {
	a := su.open(t)
	from, ok := a.(consult.DeploymentStore)
	if !ok {
		t.Skip("the store does not read and write whole deployments")
	}
	Populate(t, a)
	items := Items(t, from)
	counts := map[string]int{}
	for _, it := range items {
		switch {
		case it.Consultation != nil:
			counts["consultations"]++
			if it.Consultation.Grid != nil {
				t.Error("a consultation item carries its grid")
			}
		case it.GridVersion != nil:
			counts["grids"]++
		case it.Response != nil:
			counts["responses"]++
		case it.ResumeCode != nil:
			counts["codes"]++
		case it.Setting != nil:
			counts["settings"]++
		case it.Device != nil:
			counts["devices"]++
		case it.User != nil:
			counts["users"]++
		case it.HiddenComment != nil:
			counts["hidden"]++
		case it.AuditEntry != nil:
			counts["audit"]++
		case it.Erasure != nil:
			counts["erasures"]++
		}
	}
	if want := map[string]int{"consultations": 2, "grids": 3, "responses": 6, "codes": 1, "settings": 2, "devices": 2,
		"users": 2, "hidden": 1, "audit": 2, "erasures": 1}; !reflect.DeepEqual(counts, want) {
		t.Fatalf("items = %v, want %v", counts, want)
	}
	b := su.open(t)
	to := b.(consult.DeploymentStore)
	if err := to.LoadItems(ctx, Feed(items)); err != nil {
		t.Fatalf("LoadItems: %v", err)
	}
	t.Run("the copy holds the same items", func(t *testing.T) {
		if got := Items(t, to); !reflect.DeepEqual(got, items) {
			for i := range min(len(got), len(items)) {
				if !reflect.DeepEqual(got[i], items[i]) {
					t.Fatalf("item %d: got %+v\nwant %+v", i, got[i], items[i])
				}
			}
			t.Fatalf("copied %d items, want %d", len(got), len(items))
		}
	})
	t.Run("the copy works as a store", func(t *testing.T) {
		want, err := a.Consultation(ctx, "first")
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Consultation(ctx, "first")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("copied consultation = %+v, %v\nwant %+v", got, err, want)
		}
		r, stage, err := b.ResponseByResumeCode(ctx, consult.HashResumeCode("RESUMECODE1"))
		if err != nil || stage != "lot-2" {
			t.Fatalf("resume in the copy: %v, %q, %v", r, stage, err)
		}
		r.Answers = testAnswers("north")
		if err := b.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if erased, err := b.Erased(ctx, Items(t, to)[len(items)-1].Erasure.ResponseID); err != nil || !erased {
			t.Errorf("the copy forgot an erasure: %v, %v", erased, err)
		}
		_, token := consult.NewDeviceToken()
		if err := b.CreateDevice(ctx, &consult.Device{UserID: 9, Label: "new", TokenHash: token}); err != nil {
			t.Errorf("a new device in the copy: %v", err)
		}
		third := createConsultation(t, b, "third")
		if third.ID <= got.ID {
			t.Errorf("a new consultation in the copy got id %d, not after the copied ones", third.ID)
		}
		createResponse(t, b, third)

		ann, err := b.UserByEmail(ctx, "ann@fenshire.gov.uk")
		if err != nil || len(ann.Grants) != 2 || ann.PasswordHash != "hash" || len(ann.TOTPSecret) == 0 {
			t.Fatalf("copied user = %+v, %v", ann, err)
		}
		if h, err := b.HiddenComments(ctx, ann.Grants[1].ConsultationID); err != nil || len(h) != 1 {
			t.Errorf("copied hidden comments = %v, %v", h, err)
		}
		if es, err := b.Audit(ctx, consult.AuditFilter{}); err != nil || len(es) != 2 || es[0].Action != "comment_hidden" {
			t.Errorf("copied audit log = %+v, %v", es, err)
		}
		_, err = b.Token(ctx, consult.HashSecret("link"), consult.TokenSetPassword, time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
		wantCode(t, err, consult.ENOTFOUND) // one-time links are not copied
		_, err = b.AdminSession(ctx, consult.HashSecret("session"))
		wantCode(t, err, consult.ENOTFOUND) // nor sessions
		carl := createUser(t, b, "carl@fenshire.gov.uk")
		if carl.ID <= ann.ID {
			t.Errorf("a new user in the copy got id %d, not after the copied ones", carl.ID)
		}
		e := consult.AuditEntry{Actor: carl.Email, Action: "sign_in"}
		if err := b.AddAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
		if es, _ := b.Audit(ctx, consult.AuditFilter{Limit: 1}); len(es) != 1 || es[0].ID != e.ID || es[0].Actor != carl.Email {
			t.Errorf("a new audit entry in the copy is not the newest: %+v", es)
		}
	})
	t.Run("only into an empty store", func(t *testing.T) {
		wantCode(t, to.LoadItems(ctx, Feed(items)), consult.ECONFLICT)
		c := su.open(t)
		createConsultation(t, c, "there-already")
		wantCode(t, c.(consult.DeploymentStore).LoadItems(ctx, Feed(items)), consult.ECONFLICT)
		d := su.open(t)
		createUser(t, d, "there-already@fenshire.gov.uk")
		wantCode(t, d.(consult.DeploymentStore).LoadItems(ctx, Feed(items)), consult.ECONFLICT)
	})
	t.Run("all or nothing", func(t *testing.T) {
		c := su.open(t)
		broken := append([]consult.DeploymentItem{}, items...)
		broken = append(broken, broken[len(broken)-1]) // a tombstone twice
		if err := c.(consult.DeploymentStore).LoadItems(ctx, Feed(broken)); err == nil {
			t.Fatal("loading a tombstone twice succeeded")
		}
		if got := Items(t, c.(consult.DeploymentStore)); len(got) != 0 {
			t.Fatalf("a failed load left %d items", len(got))
		}
	})
}
