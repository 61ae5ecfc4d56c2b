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
