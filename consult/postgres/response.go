package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// maxReferenceTries bounds the retries when a fresh reference is taken.
const maxReferenceTries = 10

// CreateResponse stores a new in-progress response, setting r.CreatedAt,
// r.UpdatedAt and r.Version (1). A zero r.GridVersion is filled with the
// consultation's current grid version. ECONFLICT if the id exists;
// ENOTFOUND if the consultation or grid version does not.
func (db *DB) CreateResponse(ctx context.Context, r *consult.Response) error {
	if r.ID == "" {
		return consult.Errorf(consult.EINVALID, "A response needs an id.")
	}
	answers, err := json.Marshal(&r.Answers)
	if err != nil {
		return fmt.Errorf("create response %s: encode answers: %w", r.ID, err)
	}
	now := stamp(db.now())
	var version int64
	err = db.pool.QueryRow(ctx, `
		INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers, created_at, updated_at)
		VALUES ($1, $2, COALESCE(NULLIF($3, 0), (SELECT grid_version FROM consultations WHERE id = $2)), $4, $5, $6, $7, $7)
		RETURNING grid_version`,
		r.ID, r.ConsultationID, r.GridVersion, r.Channel, r.Reached, string(answers), now).Scan(&version)
	switch code, constraint := pgCode(err); {
	case code == uniqueViolation && constraint == "responses_pkey":
		return consult.Errorf(consult.ECONFLICT, "The response %s exists already.", r.ID)
	case code == foreignKeyViolation || code == notNullViolation:
		return consult.Errorf(consult.ENOTFOUND, "There is no consultation %d with grid version %d.", r.ConsultationID, r.GridVersion)
	case err != nil:
		return fmt.Errorf("create response %s: %w", r.ID, err)
	}
	r.GridVersion, r.CreatedAt, r.UpdatedAt, r.Version = version, now, now, 1
	return nil
}

// responseColumns are the columns scanResponse reads, in order.
const responseColumns = `id, consultation_id, grid_version, channel, reached, answers,
	reference, created_at, updated_at, completed_at, version`

// scanResponse reads one row of responseColumns.
func scanResponse(row pgx.Row) (*consult.Response, error) {
	var (
		r                consult.Response
		answers          string
		reference        *string
		created, updated time.Time
		completed        *time.Time
	)
	if err := row.Scan(&r.ID, &r.ConsultationID, &r.GridVersion, &r.Channel, &r.Reached, &answers,
		&reference, &created, &updated, &completed, &r.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
		return nil, fmt.Errorf("decode answers of response %s: %w", r.ID, err)
	}
	if reference != nil {
		r.Reference = *reference
	}
	r.CreatedAt, r.UpdatedAt = created.UTC(), updated.UTC()
	if completed != nil {
		r.CompletedAt = completed.UTC()
	}
	return &r, nil
}

// Response returns the response with the given id. ENOTFOUND if there is
// none.
func (db *DB) Response(ctx context.Context, id string) (*consult.Response, error) {
	r, err := scanResponse(db.pool.QueryRow(ctx, `SELECT `+responseColumns+` FROM responses WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, consult.Errorf(consult.ENOTFOUND, "There is no response %s.", id)
	} else if err != nil {
		return nil, fmt.Errorf("get response %s: %w", id, err)
	}
	return r, nil
}

// SaveResponse writes an in-progress response's answers and progress
// (Reached), setting r.UpdatedAt and incrementing r.Version. ESUBMITTED if
// it has been completed; ECONFLICT if r.Version is not the stored version;
// ENOTFOUND if it does not exist.
func (db *DB) SaveResponse(ctx context.Context, r *consult.Response) error {
	answers, err := json.Marshal(&r.Answers)
	if err != nil {
		return fmt.Errorf("save response %s: encode answers: %w", r.ID, err)
	}
	now := stamp(db.now())
	// The completed_at and version conditions make the refusal atomic: a
	// concurrent writer of the row is waited for, then the conditions are
	// checked again on its result.
	tag, err := db.pool.Exec(ctx, `
		UPDATE responses SET reached = $1, answers = $2, updated_at = $3, version = version + 1
		WHERE id = $4 AND completed_at IS NULL AND version = $5`,
		r.Reached, string(answers), now, r.ID, r.Version)
	if err != nil {
		return fmt.Errorf("save response %s: %w", r.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return db.whyNotUpdated(ctx, r.ID)
	}
	r.UpdatedAt = now
	r.Version++
	return nil
}

// whyNotUpdated explains an UPDATE ... WHERE id AND completed_at IS NULL
// AND version that changed no row: ENOTFOUND, ESUBMITTED or (the version
// was stale) ECONFLICT.
func (db *DB) whyNotUpdated(ctx context.Context, id string) error {
	var completed bool
	err := db.pool.QueryRow(ctx, `SELECT completed_at IS NOT NULL FROM responses WHERE id = $1`, id).Scan(&completed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return consult.Errorf(consult.ENOTFOUND, "There is no response %s.", id)
	case err != nil:
		return fmt.Errorf("update response %s: %w", id, err)
	case completed:
		return consult.Errorf(consult.ESUBMITTED, "These answers have already been sent. They cannot be changed.")
	}
	return consult.Errorf(consult.ECONFLICT, "%s", consult.ChangedElsewhereMessage)
}

// CompleteResponse writes the final answers and progress and marks the
// response complete, setting r.Reference, r.CompletedAt and r.UpdatedAt and
// incrementing r.Version. It is one statement, committed with
// synchronous_commit=on: it returns once the commit is on disk.
// PostgreSQL flushes concurrent commits together, so parallel completions
// share fsyncs. Once the statement is sent it runs to its end even if ctx
// ends, so that a nil error always means stored and an error not stored.
// ESUBMITTED if the response was already complete; ECONFLICT if r.Version
// is not the stored version; ENOTFOUND if it does not exist.
func (db *DB) CompleteResponse(ctx context.Context, r *consult.Response) error {
	answers, err := json.Marshal(&r.Answers)
	if err != nil {
		return fmt.Errorf("complete response %s: encode answers: %w", r.ID, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("complete response %s: %w", r.ID, err)
	}
	run := context.WithoutCancel(ctx)
	now := stamp(db.now())
	for try := 0; ; try++ {
		ref := db.newReference()
		tag, err := db.pool.Exec(run, `
			UPDATE responses
			SET reached = $1, answers = $2, reference = $3, updated_at = $4, completed_at = $4,
				completed_second = $5, version = version + 1
			WHERE id = $6 AND completed_at IS NULL AND version = $7`,
			r.Reached, string(answers), ref, now, now.Unix(), r.ID, r.Version)
		if code, constraint := pgCode(err); code == uniqueViolation && constraint == "responses_reference_key" && try < maxReferenceTries {
			continue
		} else if err != nil {
			return fmt.Errorf("complete response %s: %w", r.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return db.whyNotUpdated(run, r.ID)
		}
		r.Reference, r.CompletedAt, r.UpdatedAt = ref, now, now
		r.Version++
		return nil
	}
}

// CountResponses counts a consultation's responses: all and completed.
func (db *DB) CountResponses(ctx context.Context, consultationID int64) (all, completed int, err error) {
	err = db.pool.QueryRow(ctx, `
		SELECT COUNT(*), COUNT(completed_at) FROM responses WHERE consultation_id = $1`,
		consultationID).Scan(&all, &completed)
	if err != nil {
		return 0, 0, fmt.Errorf("count responses of consultation %d: %w", consultationID, err)
	}
	return all, completed, nil
}

// eachCompletedQuery lists a consultation's completed responses in export
// order, which the responses_export index holds.
const eachCompletedQuery = `
	SELECT ` + responseColumns + `
	FROM responses
	WHERE consultation_id = $1 AND completed_at IS NOT NULL
	ORDER BY completed_second, id`

// exportFetch is how many rows EachCompleted fetches at a time.
const exportFetch = 1000

// EachCompleted calls fn for every completed response of a consultation,
// ordered by completion time to the second then id, the order of the
// responses_export index. It reads through a cursor, which PostgreSQL
// plans for a fast first row (the index in order, not a sort of every
// response), exportFetch rows at a time, in one read-only snapshot; fn may
// write to the store meanwhile (with the pool's other connections). An
// error from fn stops the walk and is returned as is.
func (db *DB) EachCompleted(ctx context.Context, consultationID int64, fn func(*consult.Response) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("list completed responses of consultation %d: begin: %w", consultationID, err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `DECLARE export NO SCROLL CURSOR FOR `+eachCompletedQuery, consultationID); err != nil {
		return fmt.Errorf("list completed responses of consultation %d: %w", consultationID, err)
	}
	for {
		rows, err := tx.Query(ctx, fmt.Sprintf(`FETCH FORWARD %d FROM export`, exportFetch))
		if err != nil {
			return fmt.Errorf("list completed responses of consultation %d: %w", consultationID, err)
		}
		var batch []*consult.Response
		for rows.Next() {
			r, err := scanResponse(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("list completed responses of consultation %d: %w", consultationID, err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list completed responses of consultation %d: %w", consultationID, err)
		}
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(batch) < exportFetch {
			return nil
		}
	}
}

// PurgeAbandoned deletes the in-progress responses last updated before
// before, with their resume codes (by the foreign key's cascade), and
// returns how many it deleted. Completed responses are never touched.
func (db *DB) PurgeAbandoned(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM responses WHERE completed_at IS NULL AND updated_at < $1`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("purge abandoned responses: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
