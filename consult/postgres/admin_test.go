package postgres

import (
	"context"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

// The admin stores' behaviour is in the conformance suite (storetest); this
// checks what only SQL can reach: the audit log's triggers.
func TestAuditLogRefusesChanges(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	if err := db.AddAudit(ctx, &consult.AuditEntry{Actor: "ann@x.gov.uk", Action: "sign_in"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := db.pool.Exec(ctx, q); err == nil {
			t.Errorf("%s: the audit log could be changed", q)
		}
	}
	if es, err := db.Audit(ctx, consult.AuditFilter{}); err != nil || len(es) != 1 || es[0].Actor != "ann@x.gov.uk" {
		t.Fatalf("after refused changes: %+v, %v", es, err)
	}
}

// A database migrated by main's release (0001 and 0020, no 0010) gets the
// admin tables on its next Open, though 0010 is older than 0020.
func TestAdminMigrationAfterLaterOnes(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	old, err := connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.pool.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version == 10 {
			continue
		}
		if _, err := old.applyMigration(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	db, err := Open(ctx, u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if got := db.Applied(); len(got) != 1 || got[0] != "0010_admin.sql" {
		t.Fatalf("Open applied %v, want [0010_admin.sql]", got)
	}
	if err := db.CreateUser(ctx, &consult.User{Email: "ann@fenshire.gov.uk"}); err != nil {
		t.Fatalf("CreateUser after the late migration: %v", err)
	}
}
