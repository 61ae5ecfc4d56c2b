package sqlite

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
	if _, err := db.write.ExecContext(ctx, `UPDATE audit_log SET actor = 'x'`); err == nil {
		t.Error("the audit log could be changed")
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
		t.Error("the audit log could be deleted")
	}
	if es, err := db.Audit(ctx, consult.AuditFilter{}); err != nil || len(es) != 1 || es[0].Actor != "ann@x.gov.uk" {
		t.Fatalf("after refused changes: %+v, %v", es, err)
	}
}
