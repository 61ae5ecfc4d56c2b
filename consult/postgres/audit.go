package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult"
)

// AddAudit appends an entry to the audit log, setting e.ID (and e.At, to
// now if it was zero, as stored).
func (db *DB) AddAudit(ctx context.Context, e *consult.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	at := stamp(e.At)
	err := db.pool.QueryRow(ctx, `INSERT INTO audit_log (at, user_id, actor, action, target, before, after, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		at, e.UserID, e.Actor, e.Action, e.Target, e.Before, e.After, e.Address).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	e.At = at
	return nil
}

// Audit lists the audit entries matching f, newest first.
func (db *DB) Audit(ctx context.Context, f consult.AuditFilter) ([]*consult.AuditEntry, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Actor != "" {
		where = append(where, "actor = "+arg(f.Actor))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	q := `SELECT id, at, user_id, actor, action, target, before, after, address FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	var es []*consult.AuditEntry
	for rows.Next() {
		e := &consult.AuditEntry{}
		if err := rows.Scan(&e.ID, &e.At, &e.UserID, &e.Actor, &e.Action, &e.Target, &e.Before, &e.After, &e.Address); err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		e.At = e.At.UTC()
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return es, nil
}
