package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/jackc/pgx/v5"
)

// marshalConsultation returns c's definition without its grid, as JSON,
// and its grid in the canonical JSON form.
func marshalConsultation(c *consult.Consultation) (definition, gridJSON string, err error) {
	if c.Grid == nil {
		return "", "", consult.Errorf(consult.EINVALID, "The consultation %q has no grid.", c.Slug)
	}
	def := *c
	def.Grid = nil
	d, err := json.Marshal(&def)
	if err != nil {
		return "", "", fmt.Errorf("encode consultation %s: %w", c.Slug, err)
	}
	g, err := c.Grid.MarshalCanonical()
	if err != nil {
		return "", "", fmt.Errorf("encode grid of consultation %s: %w", c.Slug, err)
	}
	return string(d), string(g), nil
}

// insertGrid stores a new grid version of a consultation and makes it the
// current one.
func insertGrid(ctx context.Context, tx pgx.Tx, consultationID int64, gridJSON string, now time.Time) (int64, error) {
	var version int64
	err := tx.QueryRow(ctx, `
		INSERT INTO grids (consultation_id, grid, created_at) VALUES ($1, $2, $3) RETURNING id`,
		consultationID, gridJSON, now).Scan(&version)
	if err != nil {
		return 0, fmt.Errorf("insert grid: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE consultations SET grid_version = $1 WHERE id = $2`, version, consultationID); err != nil {
		return 0, fmt.Errorf("point consultation at grid %d: %w", version, err)
	}
	return version, nil
}

// CreateConsultation stores a new consultation with its grid, setting c.ID,
// c.GridVersion and c.CreatedAt. ECONFLICT if the slug exists.
func (db *DB) CreateConsultation(ctx context.Context, c *consult.Consultation) error {
	definition, gridJSON, err := marshalConsultation(c)
	if err != nil {
		return err
	}
	now := stamp(db.now())
	var id, version int64
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO consultations (slug, definition, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`,
			c.Slug, definition, string(c.Status), now).Scan(&id)
		if code, constraint := pgCode(err); code == uniqueViolation && constraint == "consultations_slug_key" {
			return consult.Errorf(consult.ECONFLICT, "A consultation with the address %q already exists.", c.Slug)
		} else if err != nil {
			return err
		}
		version, err = insertGrid(ctx, tx, id, gridJSON, now)
		return err
	})
	if err != nil {
		if consult.ErrorCode(err) != consult.EINTERNAL {
			return err
		}
		return fmt.Errorf("create consultation %s: %w", c.Slug, err)
	}
	c.ID, c.GridVersion, c.CreatedAt = id, version, now
	return nil
}

// ReplaceConsultation replaces the definition and grid of the consultation
// with c.Slug, storing the grid as a new version. An empty c.Status keeps
// the stored status. ECONFLICT if the consultation has any response;
// ENOTFOUND if there is none with that slug.
func (db *DB) ReplaceConsultation(ctx context.Context, c *consult.Consultation) error {
	now := stamp(db.now())
	var (
		id, version int64
		created     time.Time
	)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var (
			status    string
			responses int
		)
		// FOR UPDATE holds the consultation while it is checked and
		// replaced; a response created meanwhile waits on its foreign key.
		err := tx.QueryRow(ctx, `
			SELECT id, status, created_at FROM consultations WHERE slug = $1 FOR UPDATE`,
			c.Slug).Scan(&id, &status, &created)
		if errors.Is(err, pgx.ErrNoRows) {
			return consult.Errorf(consult.ENOTFOUND, "There is no consultation with the address %q.", c.Slug)
		} else if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM responses WHERE consultation_id = $1`, id).Scan(&responses); err != nil {
			return err
		}
		if responses > 0 {
			return consult.Errorf(consult.ECONFLICT,
				"The consultation %q cannot be replaced: it has %d %s, and its grid is frozen once answered.",
				c.Slug, responses, plural(responses, "response", "responses"))
		}
		if c.Status == "" {
			c.Status = consult.Status(status)
		}
		definition, gridJSON, err := marshalConsultation(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE consultations SET definition = $1, status = $2, updated_at = $3 WHERE id = $4`,
			definition, string(c.Status), now, id); err != nil {
			return err
		}
		version, err = insertGrid(ctx, tx, id, gridJSON, now)
		return err
	})
	if err != nil {
		if consult.ErrorCode(err) != consult.EINTERNAL {
			return err
		}
		return fmt.Errorf("replace consultation %s: %w", c.Slug, err)
	}
	c.ID, c.GridVersion, c.CreatedAt = id, version, created.UTC()
	return nil
}

// consultationQuery selects a consultation with its current grid version;
// callers append a WHERE or ORDER BY clause.
const consultationQuery = `SELECT c.id, c.definition, c.status, c.grid_version, c.created_at FROM consultations c`

// scanConsultation reads one row of consultationQuery; the grid is read by
// grid.
func scanConsultation(row pgx.Row) (*consult.Consultation, error) {
	var (
		id, version int64
		definition  string
		status      string
		createdAt   time.Time
	)
	if err := row.Scan(&id, &definition, &status, &version, &createdAt); err != nil {
		return nil, err
	}
	c := &consult.Consultation{}
	if err := json.Unmarshal([]byte(definition), c); err != nil {
		return nil, fmt.Errorf("decode consultation %d: %w", id, err)
	}
	c.ID, c.Status, c.GridVersion, c.CreatedAt = id, consult.Status(status), version, createdAt.UTC()
	return c, nil
}

// Consultation returns the consultation with the given slug, with its
// current grid. ENOTFOUND if there is none.
func (db *DB) Consultation(ctx context.Context, slug string) (*consult.Consultation, error) {
	c, err := scanConsultation(db.pool.QueryRow(ctx, consultationQuery+` WHERE c.slug = $1`, slug))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, consult.Errorf(consult.ENOTFOUND, "There is no consultation with the address %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("get consultation %s: %w", slug, err)
	}
	if c.Grid, err = db.grid(ctx, c.GridVersion); err != nil {
		return nil, err
	}
	return c, nil
}

// grid returns a stored grid version. A version never changes once
// written, so each is decoded once and then shared: callers must not
// change the grid they get.
func (db *DB) grid(ctx context.Context, version int64) (*grid.Grid, error) {
	if g, ok := db.grids.Load(version); ok {
		return g.(*grid.Grid), nil
	}
	var gridJSON string
	if err := db.pool.QueryRow(ctx, `SELECT grid FROM grids WHERE id = $1`, version).Scan(&gridJSON); err != nil {
		return nil, fmt.Errorf("get grid %d: %w", version, err)
	}
	g := &grid.Grid{}
	if err := json.Unmarshal([]byte(gridJSON), g); err != nil {
		return nil, fmt.Errorf("decode grid %d: %w", version, err)
	}
	db.grids.Store(version, g)
	return g, nil
}

// Consultations lists every consultation, newest first.
func (db *DB) Consultations(ctx context.Context) ([]*consult.Consultation, error) {
	rows, err := db.pool.Query(ctx, consultationQuery+` ORDER BY c.created_at DESC, c.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list consultations: %w", err)
	}
	defer rows.Close()
	var cs []*consult.Consultation
	for rows.Next() {
		c, err := scanConsultation(rows)
		if err != nil {
			return nil, fmt.Errorf("list consultations: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list consultations: %w", err)
	}
	rows.Close()
	for _, c := range cs {
		if c.Grid, err = db.grid(ctx, c.GridVersion); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// SetStatus moves a consultation through its lifecycle. ENOTFOUND if there
// is no consultation with the slug; EINVALID for an unknown status.
func (db *DB) SetStatus(ctx context.Context, slug string, s consult.Status) error {
	switch s {
	case consult.Draft, consult.Open, consult.Closed:
	default:
		return consult.Errorf(consult.EINVALID, "The status %q must be draft, open or closed.", s)
	}
	// The status column is the truth; the copy in the definition follows it.
	tag, err := db.pool.Exec(ctx, `
		UPDATE consultations
		SET status = $1, definition = jsonb_set(definition::jsonb, '{status}', to_jsonb($1::text))::text, updated_at = $2
		WHERE slug = $3`,
		string(s), stamp(db.now()), slug)
	if err != nil {
		return fmt.Errorf("set status of consultation %s: %w", slug, err)
	}
	if tag.RowsAffected() == 0 {
		return consult.Errorf(consult.ENOTFOUND, "There is no consultation with the address %q.", slug)
	}
	return nil
}

// plural picks the singular or plural word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
