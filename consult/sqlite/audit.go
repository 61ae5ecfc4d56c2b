package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult"
)

// AddAudit appends an entry to the audit log.
func (db *DB) AddAudit(ctx context.Context, e *consult.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, actor, action, target, before, after, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		nanos(e.At), e.UserID, e.Actor, e.Action, e.Target, e.Before, e.After, e.Address)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	return nil
}

// Audit lists the audit entries matching f, newest first.
func (db *DB) Audit(ctx context.Context, f consult.AuditFilter) ([]*consult.AuditEntry, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	q := `SELECT id, at, user_id, actor, action, target, before, after, address FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	var es []*consult.AuditEntry
	for rows.Next() {
		e := &consult.AuditEntry{}
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Actor, &e.Action, &e.Target, &e.Before, &e.After, &e.Address); err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		e.At = fromNanos(at)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return es, nil
}
