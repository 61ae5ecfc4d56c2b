package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/jackc/pgx/v5"
)

// importBatchSize is how many inserts one round trip carries.
const importBatchSize = 500

// insertImported inserts one imported response unless a row with its id
// or reference exists; it returns the id when it inserted.
const insertImported = `
	INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers,
		reference, version, created_at, updated_at, completed_at, completed_second)
	VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8, $9, $10)
	ON CONFLICT DO NOTHING
	RETURNING id`

// ImportResponses stores completed responses (from the wide CSV, or a
// tablet's upload) all or nothing, in one transaction. A response whose id
// exists with the same wide CSV record is skipped; any other difference is
// an ECONFLICT naming the id, and nothing is stored. A zero GridVersion
// means the consultation's current grid. Each added response gets a fresh
// reference and Version 1; after the commit the added responses carry
// their consultation, grid version, reference and times. It returns how
// many were added. ENOTFOUND if the consultation does not exist; EINVALID
// for a response without an id or completion time, or naming another
// consultation's grid version.
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
		a.r.ConsultationID, a.r.GridVersion, a.r.Reference, a.r.Version = consultationID, a.version, a.ref, 1
		a.r.CreatedAt, a.r.UpdatedAt, a.r.CompletedAt = now, now, stamp(a.r.CompletedAt)
	}
	return len(done), nil
}

var _ consult.StreamImporter = (*DB)(nil)

// ImportStream stores the completed responses next returns all or nothing
// in one transaction, holding one batch at a time; see ImportResponses for
// the rules. The responses are not changed.
func (db *DB) ImportStream(ctx context.Context, consultationID int64, next func() (*consult.Response, error)) (int, error) {
	added := 0
	_, err := db.importRows(ctx, consultationID, next, func(*consult.Response, int64, string) { added++ })
	if err != nil {
		return 0, err
	}
	return added, nil
}

// importRows inserts the responses next returns in one transaction, in
// batches of importBatchSize, calling onAdded for each one added (not
// skipped), and returns the time stored as their creation.
func (db *DB) importRows(ctx context.Context, consultationID int64, next func() (*consult.Response, error),
	onAdded func(r *consult.Response, version int64, ref string)) (time.Time, error) {
	now := stamp(db.now())
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var current int64
		err := tx.QueryRow(ctx, `SELECT grid_version FROM consultations WHERE id = $1`, consultationID).Scan(&current)
		if errors.Is(err, pgx.ErrNoRows) {
			return consult.Errorf(consult.ENOTFOUND, "There is no consultation %d.", consultationID)
		} else if err != nil {
			return err
		}
		chunk := make([]*consult.Response, 0, importBatchSize)
		answers := make([]string, 0, importBatchSize)
		for row, eof := 1, false; !eof; {
			chunk, answers = chunk[:0], answers[:0]
			for len(chunk) < importBatchSize {
				r, err := next()
				if errors.Is(err, io.EOF) {
					eof = true
					break
				} else if err != nil {
					return err
				}
				if r.ID == "" {
					return consult.Errorf(consult.EINVALID, "Response %d of the import has no id.", row)
				}
				if r.CompletedAt.IsZero() {
					return consult.Errorf(consult.EINVALID, "The response %s has no completion time.", r.ID)
				}
				b, err := json.Marshal(&r.Answers)
				if err != nil {
					return fmt.Errorf("import response %s: encode answers: %w", r.ID, err)
				}
				chunk, answers = append(chunk, r), append(answers, string(b))
				row++
			}
			if err := db.importChunk(ctx, tx, consultationID, current, chunk, answers, now, onAdded); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if consult.ErrorCode(err) != consult.EINTERNAL {
			return time.Time{}, err
		}
		return time.Time{}, fmt.Errorf("import responses: %w", err)
	}
	return now, nil
}

// importChunk sends one batch of inserts, then settles those that stored
// nothing (an existing id, or a taken reference).
func (db *DB) importChunk(ctx context.Context, tx pgx.Tx, consultationID, current int64, chunk []*consult.Response, answers []string,
	now time.Time, onAdded func(r *consult.Response, version int64, ref string)) error {
	if len(chunk) == 0 {
		return nil
	}
	refs := make([]string, len(chunk))
	versions := make([]int64, len(chunk))
	batch := &pgx.Batch{}
	for i, r := range chunk {
		refs[i], versions[i] = db.newReference(), r.GridVersion
		if versions[i] == 0 {
			versions[i] = current
		}
		completed := stamp(r.CompletedAt)
		batch.Queue(insertImported, r.ID, consultationID, versions[i], r.Channel, r.Reached,
			answers[i], refs[i], now, completed, completed.Unix())
	}
	results := tx.SendBatch(ctx, batch)
	inserted := make([]bool, len(chunk))
	for i, r := range chunk {
		var id string
		err := results.QueryRow().Scan(&id)
		switch code, _ := pgCode(err); {
		case err == nil:
			inserted[i] = true
		case errors.Is(err, pgx.ErrNoRows):
		case code == foreignKeyViolation:
			results.Close()
			return consult.Errorf(consult.EINVALID,
				"The response %s names grid version %d, which is not one of this consultation's.", r.ID, versions[i])
		default:
			results.Close()
			return fmt.Errorf("import response %s: %w", r.ID, err)
		}
	}
	if err := results.Close(); err != nil {
		return err
	}
	for i, r := range chunk {
		if !inserted[i] {
			ref, ok, err := db.importOne(ctx, tx, r, consultationID, versions[i], answers[i], now)
			if err != nil {
				return err
			} else if !ok {
				continue
			}
			refs[i] = ref
		}
		onAdded(r, versions[i], refs[i])
	}
	return nil
}

// importOne settles a response whose batched insert stored nothing: its id
// exists (the same record is skipped, another is a conflict) or its
// reference was taken (it is inserted with another). It reports whether
// the response was added, and its reference.
func (db *DB) importOne(ctx context.Context, tx pgx.Tx, r *consult.Response, consultationID, version int64, answers string, now time.Time) (string, bool, error) {
	for try := 0; try <= maxReferenceTries; try++ {
		var (
			storedConsultation    int64
			channel, storedAnswer string
			completedAt           *time.Time
		)
		err := tx.QueryRow(ctx, `SELECT consultation_id, channel, answers, completed_at FROM responses WHERE id = $1`, r.ID).
			Scan(&storedConsultation, &channel, &storedAnswer, &completedAt)
		if err == nil {
			if storedConsultation != consultationID || completedAt == nil || !sameRecord(channel, storedAnswer, *completedAt, r) {
				return "", false, consult.Errorf(consult.ECONFLICT,
					"The response %s is stored already with different answers; nothing was imported.", r.ID)
			}
			return "", false, nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return "", false, fmt.Errorf("import response %s: look up existing: %w", r.ID, err)
		}
		ref := db.newReference()
		completed := stamp(r.CompletedAt)
		var id string
		err = tx.QueryRow(ctx, insertImported, r.ID, consultationID, version, r.Channel, r.Reached,
			answers, ref, now, completed, completed.Unix()).Scan(&id)
		if err == nil {
			return ref, true, nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return "", false, fmt.Errorf("import response %s: %w", r.ID, err)
		}
	}
	return "", false, fmt.Errorf("import response %s: no free reference after %d tries", r.ID, maxReferenceTries)
}

// sameRecord reports whether a stored response carries the same wide CSV
// record as r: what an export wrote is what a re-import must match.
func sameRecord(channel, answers string, completedAt time.Time, r *consult.Response) bool {
	stored := &consult.Response{Channel: channel, CompletedAt: completedAt.UTC()}
	if err := json.Unmarshal([]byte(answers), &stored.Answers); err != nil {
		return false
	}
	return consult.SameRecord(stored, r)
}
