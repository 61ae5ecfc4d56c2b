package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/jackc/pgx/v5"
)

var _ consult.DeploymentStore = (*DB)(nil)

// EachItem calls fn for every stored item, from one repeatable-read
// snapshot, streaming row by row.
func (db *DB) EachItem(ctx context.Context, fn func(consult.DeploymentItem) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("read deployment: begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	each := func(what, query string, scan func(pgx.Rows) (consult.DeploymentItem, error)) error {
		rows, err := tx.Query(ctx, query)
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
	if err := each("consultations", consultationQuery+` ORDER BY c.id`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		c, err := scanConsultation(rows)
		return consult.DeploymentItem{Consultation: c}, err
	}); err != nil {
		return err
	}
	if err := each("grid versions", `SELECT id, consultation_id, grid, created_at FROM grids ORDER BY id`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		var (
			g        consult.GridVersion
			gridJSON string
		)
		if err := rows.Scan(&g.ID, &g.ConsultationID, &gridJSON, &g.CreatedAt); err != nil {
			return consult.DeploymentItem{}, err
		}
		g.CreatedAt = g.CreatedAt.UTC()
		g.Grid = &grid.Grid{}
		if err := json.Unmarshal([]byte(gridJSON), g.Grid); err != nil {
			return consult.DeploymentItem{}, fmt.Errorf("decode grid %d: %w", g.ID, err)
		}
		return consult.DeploymentItem{GridVersion: &g}, nil
	}); err != nil {
		return err
	}
	if err := each("responses", `SELECT `+responseColumns+` FROM responses ORDER BY id`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		r, err := scanResponse(rows)
		return consult.DeploymentItem{Response: r}, err
	}); err != nil {
		return err
	}
	if err := each("resume codes", `SELECT code_hash, response_id, stage, created_at FROM resume_codes ORDER BY code_hash`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		var k consult.ResumeCode
		err := rows.Scan(&k.Hash, &k.ResponseID, &k.Stage, &k.CreatedAt)
		k.CreatedAt = k.CreatedAt.UTC()
		return consult.DeploymentItem{ResumeCode: &k}, err
	}); err != nil {
		return err
	}
	if err := each("settings", `SELECT key, value FROM settings ORDER BY key`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		var s consult.Setting
		err := rows.Scan(&s.Key, &s.Value)
		if s.Value == nil {
			s.Value = []byte{}
		}
		return consult.DeploymentItem{Setting: &s}, err
	}); err != nil {
		return err
	}
	if err := each("devices", `SELECT `+deviceColumns+` FROM devices ORDER BY id`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		d, err := scanDevice(rows)
		return consult.DeploymentItem{Device: d}, err
	}); err != nil {
		return err
	}
	if err := eachAdminItem(ctx, tx, each); err != nil {
		return err
	}
	return each("erased responses", `SELECT id, consultation_id, erased_at FROM erased_responses ORDER BY id`, func(rows pgx.Rows) (consult.DeploymentItem, error) {
		var e consult.Erasure
		err := rows.Scan(&e.ResponseID, &e.ConsultationID, &e.ErasedAt)
		e.ErasedAt = e.ErasedAt.UTC()
		return consult.DeploymentItem{Erasure: &e}, err
	})
}

// LoadItems stores a deployment's items into this empty database in one
// transaction, keeping ids and times, sending them in batches.
func (db *DB) LoadItems(ctx context.Context, next func() (consult.DeploymentItem, error)) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// The lock keeps two copies into one database from interleaving.
		if _, err := tx.Exec(ctx, `LOCK TABLE consultations, responses, settings, devices, users, audit_log IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM consultations) + (SELECT COUNT(*) FROM responses) + (SELECT COUNT(*) FROM settings) + (SELECT COUNT(*) FROM devices)
			+ (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM audit_log)`).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return consult.Errorf(consult.ECONFLICT, "The database to copy into is not empty: copy only into a new database.")
		}
		current := map[int64]int64{}
		batch := &pgx.Batch{}
		flush := func() error {
			if batch.Len() == 0 {
				return nil
			}
			err := tx.SendBatch(ctx, batch).Close()
			batch = &pgx.Batch{}
			return err
		}
		for {
			item, err := next()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			if err := queueItem(batch, item, current); err != nil {
				return err
			}
			if batch.Len() >= importBatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		for id, version := range current {
			if _, err := tx.Exec(ctx, `UPDATE consultations SET grid_version = $1 WHERE id = $2`, version, id); err != nil {
				return fmt.Errorf("consultation %d: %w", id, err)
			}
		}
		// Ids made from now on follow the copied ones.
		for _, table := range []string{"consultations", "grids", "devices", "users", "audit_log"} {
			if _, err := tx.Exec(ctx, fmt.Sprintf(
				`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), COALESCE((SELECT MAX(id) FROM %[1]s), 0) + 1, false)`, table)); err != nil {
				return fmt.Errorf("advance %s ids: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		if consult.ErrorCode(err) != consult.EINTERNAL {
			return err
		}
		return fmt.Errorf("load deployment: %w", err)
	}
	return nil
}

// queueItem adds one item's insert to the batch.
func queueItem(batch *pgx.Batch, item consult.DeploymentItem, current map[int64]int64) error {
	switch {
	case item.Consultation != nil:
		c := item.Consultation
		def := *c
		def.Grid = nil
		d, err := json.Marshal(&def)
		if err != nil {
			return fmt.Errorf("encode consultation %s: %w", c.Slug, err)
		}
		batch.Queue(`INSERT INTO consultations (id, slug, definition, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
			c.ID, c.Slug, string(d), string(c.Status), c.CreatedAt.UTC())
		current[c.ID] = c.GridVersion
	case item.GridVersion != nil:
		g := item.GridVersion
		b, err := g.Grid.MarshalCanonical()
		if err != nil {
			return fmt.Errorf("encode grid %d: %w", g.ID, err)
		}
		batch.Queue(`INSERT INTO grids (id, consultation_id, grid, created_at) VALUES ($1, $2, $3, $4)`,
			g.ID, g.ConsultationID, string(b), g.CreatedAt.UTC())
	case item.Response != nil:
		r := item.Response
		answers, err := json.Marshal(&r.Answers)
		if err != nil {
			return fmt.Errorf("encode response %s: %w", r.ID, err)
		}
		var (
			reference *string
			completed *time.Time
			second    *int64
		)
		if r.Reference != "" {
			reference = &r.Reference
		}
		if r.Completed() {
			t := r.CompletedAt.UTC()
			s := t.Unix()
			completed, second = &t, &s
		}
		batch.Queue(`
			INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers,
				reference, version, created_at, updated_at, completed_at, completed_second)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.ID, r.ConsultationID, r.GridVersion, r.Channel, r.Reached, string(answers),
			reference, r.Version, r.CreatedAt.UTC(), r.UpdatedAt.UTC(), completed, second)
	case item.ResumeCode != nil:
		k := item.ResumeCode
		batch.Queue(`INSERT INTO resume_codes (code_hash, response_id, stage, created_at) VALUES ($1, $2, $3, $4)`,
			k.Hash, k.ResponseID, k.Stage, k.CreatedAt.UTC())
	case item.Setting != nil:
		value := item.Setting.Value
		if value == nil {
			value = []byte{}
		}
		batch.Queue(`INSERT INTO settings (key, value) VALUES ($1, $2)`, item.Setting.Key, value)
	case item.Device != nil:
		d := item.Device
		ids := d.Consultations
		if ids == nil {
			ids = []int64{}
		}
		cs, err := json.Marshal(ids)
		if err != nil {
			return fmt.Errorf("encode device %d: %w", d.ID, err)
		}
		var revoked *time.Time
		if d.Revoked() {
			t := d.RevokedAt.UTC()
			revoked = &t
		}
		batch.Queue(`INSERT INTO devices (id, user_id, label, token_hash, consultations, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.ID, d.UserID, d.Label, d.TokenHash, string(cs), d.CreatedAt.UTC(), revoked)
	case item.User != nil, item.HiddenComment != nil, item.AuditEntry != nil:
		queueAdminItem(batch, item)
	case item.Erasure != nil:
		e := item.Erasure
		batch.Queue(`INSERT INTO erased_responses (id, consultation_id, erased_at) VALUES ($1, $2, $3)`,
			e.ResponseID, e.ConsultationID, e.ErasedAt.UTC())
	default:
		return errors.New("an empty item")
	}
	return nil
}
