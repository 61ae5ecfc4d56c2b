package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

var _ consult.DeploymentStore = (*DB)(nil)

// EachItem calls fn for every stored item, from one read transaction's
// snapshot, streaming row by row.
func (db *DB) EachItem(ctx context.Context, fn func(consult.DeploymentItem) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read deployment: begin: %w", err)
	}
	defer tx.Rollback()
	each := func(what, query string, scan func(*sql.Rows) (consult.DeploymentItem, error)) error {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			item, err := scan(rows)
			if err != nil {
				return fmt.Errorf("read %s: %w", what, err)
			}
			if err := fn(item); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
		return nil
	}
	if err := each("consultations", consultationQuery+` ORDER BY c.id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		c, err := scanConsultation(rows)
		return consult.DeploymentItem{Consultation: c}, err
	}); err != nil {
		return err
	}
	if err := each("grid versions", `SELECT id, consultation_id, grid, created_at FROM grids ORDER BY id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		var (
			g         consult.GridVersion
			gridJSON  []byte
			createdAt string
		)
		if err := rows.Scan(&g.ID, &g.ConsultationID, &gridJSON, &createdAt); err != nil {
			return consult.DeploymentItem{}, err
		}
		g.Grid = &grid.Grid{}
		if err := json.Unmarshal(gridJSON, g.Grid); err != nil {
			return consult.DeploymentItem{}, fmt.Errorf("decode grid %d: %w", g.ID, err)
		}
		var err error
		g.CreatedAt, err = parseTime(createdAt)
		return consult.DeploymentItem{GridVersion: &g}, err
	}); err != nil {
		return err
	}
	if err := each("responses", `SELECT `+responseColumns+` FROM responses ORDER BY id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		r, err := scanResponse(rows)
		return consult.DeploymentItem{Response: r}, err
	}); err != nil {
		return err
	}
	if err := each("resume codes", `SELECT code_hash, response_id, stage, created_at FROM resume_codes ORDER BY code_hash`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		var (
			k         consult.ResumeCode
			createdAt string
		)
		if err := rows.Scan(&k.Hash, &k.ResponseID, &k.Stage, &createdAt); err != nil {
			return consult.DeploymentItem{}, err
		}
		var err error
		k.CreatedAt, err = parseTime(createdAt)
		return consult.DeploymentItem{ResumeCode: &k}, err
	}); err != nil {
		return err
	}
	if err := each("settings", `SELECT key, value FROM settings ORDER BY key`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		var s consult.Setting
		err := rows.Scan(&s.Key, &s.Value)
		if s.Value == nil {
			s.Value = []byte{}
		}
		return consult.DeploymentItem{Setting: &s}, err
	}); err != nil {
		return err
	}
	if err := each("devices", `SELECT `+deviceColumns+` FROM devices ORDER BY id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		d, err := scanDevice(rows)
		return consult.DeploymentItem{Device: d}, err
	}); err != nil {
		return err
	}
	if err := eachAdminItem(ctx, tx, each); err != nil {
		return err
	}
	return each("erased responses", `SELECT id, consultation_id, erased_at FROM erased_responses ORDER BY id`, func(rows *sql.Rows) (consult.DeploymentItem, error) {
		var (
			e  consult.Erasure
			at string
		)
		if err := rows.Scan(&e.ResponseID, &e.ConsultationID, &at); err != nil {
			return consult.DeploymentItem{}, err
		}
		var err error
		e.ErasedAt, err = parseTime(at)
		return consult.DeploymentItem{Erasure: &e}, err
	})
}

// LoadItems stores a deployment's items into this empty database in one
// transaction, keeping ids and times.
func (db *DB) LoadItems(ctx context.Context, next func() (consult.DeploymentItem, error)) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("load deployment: begin: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM consultations) + (SELECT COUNT(*) FROM responses) + (SELECT COUNT(*) FROM settings) + (SELECT COUNT(*) FROM devices)
		+ (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM audit_log)`).Scan(&n); err != nil {
		return fmt.Errorf("load deployment: %w", err)
	} else if n > 0 {
		return consult.Errorf(consult.ECONFLICT, "The database to copy into is not empty: copy only into a new database.")
	}
	current := map[int64]int64{} // consultation → its current grid version
	for {
		item, err := next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		if err := loadItem(ctx, tx, item, current); err != nil {
			return fmt.Errorf("load deployment: %w", err)
		}
	}
	for id, version := range current {
		if _, err := tx.ExecContext(ctx, `UPDATE consultations SET grid_version = ? WHERE id = ?`, version, id); err != nil {
			return fmt.Errorf("load deployment: consultation %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load deployment: commit: %w", err)
	}
	return nil
}

// loadItem inserts one item.
func loadItem(ctx context.Context, tx *sql.Tx, item consult.DeploymentItem, current map[int64]int64) error {
	switch {
	case item.Consultation != nil:
		c := item.Consultation
		def := *c
		def.Grid = nil
		d, err := json.Marshal(&def)
		if err != nil {
			return fmt.Errorf("encode consultation %s: %w", c.Slug, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO consultations (id, slug, definition, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, c.Slug, string(d), c.Status, formatTime(c.CreatedAt), formatTime(c.CreatedAt))
		if err != nil {
			return fmt.Errorf("consultation %s: %w", c.Slug, err)
		}
		current[c.ID] = c.GridVersion
	case item.GridVersion != nil:
		g := item.GridVersion
		b, err := g.Grid.MarshalCanonical()
		if err != nil {
			return fmt.Errorf("encode grid %d: %w", g.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grids (id, consultation_id, grid, created_at) VALUES (?, ?, ?, ?)`,
			g.ID, g.ConsultationID, string(b), formatTime(g.CreatedAt)); err != nil {
			return fmt.Errorf("grid %d: %w", g.ID, err)
		}
	case item.Response != nil:
		r := item.Response
		answers, err := json.Marshal(&r.Answers)
		if err != nil {
			return fmt.Errorf("encode response %s: %w", r.ID, err)
		}
		var reference, completed any
		if r.Reference != "" {
			reference = r.Reference
		}
		if r.Completed() {
			completed = formatTime(r.CompletedAt)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers,
				reference, created_at, updated_at, completed_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.ConsultationID, r.GridVersion, r.Channel, r.Reached, string(answers),
			reference, formatTime(r.CreatedAt), formatTime(r.UpdatedAt), completed, r.Version); err != nil {
			return fmt.Errorf("response %s: %w", r.ID, err)
		}
	case item.ResumeCode != nil:
		k := item.ResumeCode
		if _, err := tx.ExecContext(ctx, `INSERT INTO resume_codes (code_hash, response_id, stage, created_at) VALUES (?, ?, ?, ?)`,
			k.Hash, k.ResponseID, k.Stage, formatTime(k.CreatedAt)); err != nil {
			return fmt.Errorf("resume code of %s: %w", k.ResponseID, err)
		}
	case item.Setting != nil:
		s := item.Setting
		value := s.Value
		if value == nil {
			value = []byte{}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, s.Key, value); err != nil {
			return fmt.Errorf("setting %s: %w", s.Key, err)
		}
	case item.Device != nil:
		d := item.Device
		cs, err := json.Marshal(nonNil(d.Consultations))
		if err != nil {
			return fmt.Errorf("encode device %d: %w", d.ID, err)
		}
		var revoked any
		if d.Revoked() {
			revoked = formatTime(d.RevokedAt)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, user_id, label, token_hash, consultations, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.UserID, d.Label, d.TokenHash, string(cs), formatTime(d.CreatedAt), revoked); err != nil {
			return fmt.Errorf("device %d: %w", d.ID, err)
		}
	case item.User != nil, item.HiddenComment != nil, item.AuditEntry != nil:
		return loadAdminItem(ctx, tx, item)
	case item.Erasure != nil:
		e := item.Erasure
		if _, err := tx.ExecContext(ctx, `INSERT INTO erased_responses (id, consultation_id, erased_at) VALUES (?, ?, ?)`,
			e.ResponseID, e.ConsultationID, formatTime(e.ErasedAt)); err != nil {
			return fmt.Errorf("erased response %s: %w", e.ResponseID, err)
		}
	default:
		return errors.New("an empty item")
	}
	return nil
}
