package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// CreateResponse stores a new in-progress response, setting r.CreatedAt
// and r.UpdatedAt. A zero r.GridVersion is filled with the consultation's
// current grid version. ECONFLICT if the id exists; ENOTFOUND if the
// consultation or grid version does not.
func (db *DB) CreateResponse(ctx context.Context, r *consult.Response) error {
	if r.ID == "" {
		return consult.Errorf(consult.EINVALID, "A response needs an id.")
	}
	answers, err := json.Marshal(&r.Answers)
	if err != nil {
		return fmt.Errorf("create response %s: encode answers: %w", r.ID, err)
	}
	now := db.now().UTC()
	var version int64
	err = db.write.QueryRowContext(ctx, `
		INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers, created_at, updated_at)
		VALUES (?1, ?2, COALESCE(NULLIF(?3, 0), (SELECT grid_version FROM consultations WHERE id = ?2)), ?4, ?5, ?6, ?7, ?7)
		RETURNING grid_version`,
		r.ID, r.ConsultationID, r.GridVersion, r.Channel, r.Reached, string(answers), formatTime(now)).Scan(&version)
	switch {
	case isPrimaryKey(err):
		return consult.Errorf(consult.ECONFLICT, "The response %s exists already.", r.ID)
	case isForeignKey(err) || isNotNull(err):
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
func scanResponse(row interface{ Scan(...any) error }) (*consult.Response, error) {
	var (
		r                    consult.Response
		answers              []byte
		reference, completed sql.NullString
		created, updated     string
		err                  error
	)
	if err := row.Scan(&r.ID, &r.ConsultationID, &r.GridVersion, &r.Channel, &r.Reached, &answers,
		&reference, &created, &updated, &completed, &r.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(answers, &r.Answers); err != nil {
		return nil, fmt.Errorf("decode answers of response %s: %w", r.ID, err)
	}
	r.Reference = reference.String
	if r.CreatedAt, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("response %s: %w", r.ID, err)
	}
	if r.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, fmt.Errorf("response %s: %w", r.ID, err)
	}
	if r.CompletedAt, err = parseNullTime(completed); err != nil {
		return nil, fmt.Errorf("response %s: %w", r.ID, err)
	}
	return &r, nil
}

// Response returns the response with the given id. ENOTFOUND if there is
// none.
func (db *DB) Response(ctx context.Context, id string) (*consult.Response, error) {
	r, err := scanResponse(db.read.QueryRowContext(ctx, `SELECT `+responseColumns+` FROM responses WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	now := db.now().UTC()
	// The completed_at and version conditions make the refusal atomic: a
	// response completed or saved a moment ago is not overwritten.
	res, err := db.write.ExecContext(ctx, `
		UPDATE responses SET reached = ?, answers = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND completed_at IS NULL AND version = ?`,
		r.Reached, string(answers), formatTime(now), r.ID, r.Version)
	if err != nil {
		return fmt.Errorf("save response %s: %w", r.ID, err)
	}
	if err := checkUpdated(ctx, db.read, res, r.ID); err != nil {
		return err
	}
	r.UpdatedAt = now
	r.Version++
	return nil
}

// querier is what checkUpdated needs: a pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkUpdated turns an UPDATE ... WHERE id = ? AND completed_at IS NULL
// AND version = ? that changed no row into ENOTFOUND, ESUBMITTED or (the
// version was stale) ECONFLICT, looking through q.
func checkUpdated(ctx context.Context, q querier, res sql.Result, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update response %s: %w", id, err)
	} else if n == 1 {
		return nil
	}
	var completed bool
	err = q.QueryRowContext(ctx, `SELECT completed_at IS NOT NULL FROM responses WHERE id = ?`, id).Scan(&completed)
	if errors.Is(err, sql.ErrNoRows) {
		return consult.Errorf(consult.ENOTFOUND, "There is no response %s.", id)
	} else if err != nil {
		return fmt.Errorf("update response %s: %w", id, err)
	} else if completed {
		return consult.Errorf(consult.ESUBMITTED, "These answers have already been sent. They cannot be changed.")
	}
	return consult.Errorf(consult.ECONFLICT, "%s", consult.ChangedElsewhereMessage)
}

// CountResponses counts a consultation's responses: all and completed.
func (db *DB) CountResponses(ctx context.Context, consultationID int64) (all, completed int, err error) {
	err = db.read.QueryRowContext(ctx, `
		SELECT COUNT(*), COUNT(completed_at) FROM responses WHERE consultation_id = ?`,
		consultationID).Scan(&all, &completed)
	if err != nil {
		return 0, 0, fmt.Errorf("count responses of consultation %d: %w", consultationID, err)
	}
	return all, completed, nil
}

// eachCompletedQuery lists a consultation's completed responses in export
// order, read straight from the responses_export index (no sort).
const eachCompletedQuery = `
	SELECT ` + responseColumns + `
	FROM responses
	WHERE consultation_id = ? AND completed_at IS NOT NULL
	ORDER BY substr(completed_at, 1, 19), id`

// EachCompleted calls fn for every completed response of a consultation,
// ordered by completion time then id. Rows stream from the database one at
// a time, on one read connection held until the walk ends; fn may write to
// the store meanwhile. An error from fn stops the walk and is returned as is.
func (db *DB) EachCompleted(ctx context.Context, consultationID int64, fn func(*consult.Response) error) error {
	rows, err := db.read.QueryContext(ctx, eachCompletedQuery, consultationID)
	if err != nil {
		return fmt.Errorf("list completed responses of consultation %d: %w", consultationID, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return fmt.Errorf("list completed responses of consultation %d: %w", consultationID, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list completed responses of consultation %d: %w", consultationID, err)
	}
	return nil
}

// PurgeAbandoned deletes the in-progress responses last updated before
// before, with their resume codes (by the foreign key's cascade), and
// returns how many it deleted. Completed responses are never touched.
func (db *DB) PurgeAbandoned(ctx context.Context, before time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `
		DELETE FROM responses WHERE completed_at IS NULL AND updated_at < ?`, formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("purge abandoned responses: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge abandoned responses: %w", err)
	}
	return int(n), nil
}
