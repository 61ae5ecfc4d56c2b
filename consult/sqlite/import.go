package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// ImportResponses stores completed responses (from the wide CSV, or a
// tablet's upload) all or nothing, in one transaction. A response whose id
// exists with identical answers, channel and completion time is skipped;
// any other difference is an ECONFLICT naming the id, and nothing is
// stored. A zero GridVersion means the consultation's current grid. Each
// added response gets a fresh reference; after the commit the added
// responses carry their consultation, grid version, reference and times.
// Added responses are stored with Version 1.
// It returns how many were added. ENOTFOUND if the consultation does not
// exist; EINVALID for a response without an id or completion time.
func (db *DB) ImportResponses(ctx context.Context, consultationID int64, rs []*consult.Response) (added int, err error) {
	type addedResponse struct {
		r       *consult.Response
		version int64
		ref     string
	}
	var done []addedResponse
	i := 0
	now, err := db.importRows(ctx, consultationID, func() (*consult.Response, error) {
		if i == len(rs) {
			return nil, io.EOF
		}
		i++
		return rs[i-1], nil
	}, func(r *consult.Response, version int64, ref string) {
		done = append(done, addedResponse{r, version, ref})
	})
	if err != nil {
		return 0, err
	}
	for _, a := range done {
		a.r.ConsultationID, a.r.GridVersion, a.r.Reference = consultationID, a.version, a.ref
		a.r.CreatedAt, a.r.UpdatedAt, a.r.CompletedAt = now, now, a.r.CompletedAt.UTC()
		a.r.Version = 1
	}
	return len(done), nil
}

var _ consult.StreamImporter = (*DB)(nil)

// ImportStream stores the completed responses next returns all or nothing
// in one transaction, holding one at a time; see ImportResponses for the
// rules. The responses are not changed.
func (db *DB) ImportStream(ctx context.Context, consultationID int64, next func() (*consult.Response, error)) (int, error) {
	added := 0
	_, err := db.importRows(ctx, consultationID, next, func(*consult.Response, int64, string) { added++ })
	if err != nil {
		return 0, err
	}
	return added, nil
}

// importRows inserts the responses next returns in one transaction,
// calling onAdded for each one added (not skipped), and returns the time
// stored as their creation.
func (db *DB) importRows(ctx context.Context, consultationID int64, next func() (*consult.Response, error),
	onAdded func(r *consult.Response, version int64, ref string)) (time.Time, error) {
	now := formatTime(db.now())
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("import responses: begin: %w", err)
	}
	defer tx.Rollback()
	var current int64
	err = tx.QueryRowContext(ctx, `SELECT grid_version FROM consultations WHERE id = ?`, consultationID).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, consult.Errorf(consult.ENOTFOUND, "There is no consultation %d.", consultationID)
	} else if err != nil {
		return time.Time{}, fmt.Errorf("import responses: %w", err)
	}
	insert, err := tx.PrepareContext(ctx, `
		INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers,
			reference, created_at, updated_at, completed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return time.Time{}, fmt.Errorf("import responses: prepare insert: %w", err)
	}
	defer insert.Close()
	existing, err := tx.PrepareContext(ctx, `
		SELECT consultation_id, channel, answers, completed_at FROM responses WHERE id = ?`)
	if err != nil {
		return time.Time{}, fmt.Errorf("import responses: prepare lookup: %w", err)
	}
	defer existing.Close()

	for i := 1; ; i++ {
		r, err := next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return time.Time{}, err
		}
		if r.ID == "" {
			return time.Time{}, consult.Errorf(consult.EINVALID, "Response %d of the import has no id.", i)
		}
		if r.CompletedAt.IsZero() {
			return time.Time{}, consult.Errorf(consult.EINVALID, "The response %s has no completion time.", r.ID)
		}
		b, err := json.Marshal(&r.Answers)
		if err != nil {
			return time.Time{}, fmt.Errorf("import response %s: encode answers: %w", r.ID, err)
		}
		version := r.GridVersion
		if version == 0 {
			version = current
		}
		ref, inserted, err := db.insertImported(ctx, insert, r, consultationID, version, string(b), now)
		if err != nil {
			return time.Time{}, err
		}
		if inserted {
			onAdded(r, version, ref)
			continue
		}
		var (
			storedConsultation    int64
			channel, storedAnswer string
			completedAt           sql.NullString
		)
		err = existing.QueryRowContext(ctx, r.ID).Scan(&storedConsultation, &channel, &storedAnswer, &completedAt)
		if err != nil {
			return time.Time{}, fmt.Errorf("import response %s: look up existing: %w", r.ID, err)
		}
		if storedConsultation != consultationID || !completedAt.Valid || !sameRecord(channel, storedAnswer, completedAt.String, r) {
			return time.Time{}, consult.Errorf(consult.ECONFLICT,
				"The response %s is stored already with different answers; nothing was imported.", r.ID)
		}
	}
	if err := tx.Commit(); err != nil {
		return time.Time{}, fmt.Errorf("import responses: commit: %w", err)
	}
	created, _ := parseTime(now)
	return created, nil
}

// insertImported inserts one imported response with a fresh reference,
// trying another reference if the first is taken. It reports false if a
// response with the id exists already.
func (db *DB) insertImported(ctx context.Context, insert *sql.Stmt, r *consult.Response, consultationID, version int64, answers, now string) (ref string, inserted bool, err error) {
	for try := 0; ; try++ {
		ref, err := db.newReference()
		if err != nil {
			return "", false, fmt.Errorf("import response %s: %w", r.ID, err)
		}
		res, err := insert.ExecContext(ctx, r.ID, consultationID, version, r.Channel, r.Reached, answers,
			ref, now, now, formatTime(r.CompletedAt))
		switch {
		case isUnique(err, "responses.reference") && try < maxReferenceTries:
			continue
		case isForeignKey(err):
			return "", false, consult.Errorf(consult.EINVALID,
				"The response %s names grid version %d, which is not one of this consultation's.", r.ID, version)
		case err != nil:
			return "", false, fmt.Errorf("import response %s: %w", r.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return "", false, fmt.Errorf("import response %s: %w", r.ID, err)
		}
		return ref, n == 1, nil
	}
}

// sameRecord reports whether a stored response carries the same wide CSV
// record as r: what an export wrote is what a re-import must match.
func sameRecord(channel, answers, completedAt string, r *consult.Response) bool {
	stored := &consult.Response{Channel: channel}
	if err := json.Unmarshal([]byte(answers), &stored.Answers); err != nil {
		return false
	}
	t, err := parseTime(completedAt)
	if err != nil {
		return false
	}
	stored.CompletedAt = t
	return consult.SameRecord(stored, r)
}
