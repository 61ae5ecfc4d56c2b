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
	answers := make([]string, len(rs))
	for i, r := range rs {
		if r.ID == "" {
			return 0, consult.Errorf(consult.EINVALID, "Response %d of the import has no id.", i+1)
		}
		if r.CompletedAt.IsZero() {
			return 0, consult.Errorf(consult.EINVALID, "The response %s has no completion time.", r.ID)
		}
		b, err := json.Marshal(&r.Answers)
		if err != nil {
			return 0, fmt.Errorf("import response %s: encode answers: %w", r.ID, err)
		}
		answers[i] = string(b)
	}
	now := stamp(db.now())
	type addedResponse struct {
		r       *consult.Response
		version int64
		ref     string
	}
	var done []addedResponse
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		var current int64
		err := tx.QueryRow(ctx, `SELECT grid_version FROM consultations WHERE id = $1`, consultationID).Scan(&current)
		if errors.Is(err, pgx.ErrNoRows) {
			return consult.Errorf(consult.ENOTFOUND, "There is no consultation %d.", consultationID)
		} else if err != nil {
			return err
		}
		for start := 0; start < len(rs); start += importBatchSize {
			chunk := rs[start:min(start+importBatchSize, len(rs))]
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
					answers[start+i], refs[i], now, completed, completed.Unix())
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
					ref, ok, err := db.importOne(ctx, tx, r, consultationID, versions[i], answers[start+i], now)
					if err != nil {
						return err
					} else if !ok {
						continue
					}
					refs[i] = ref
				}
				done = append(done, addedResponse{r, versions[i], refs[i]})
			}
		}
		return nil
	})
	if err != nil {
		if consult.ErrorCode(err) != consult.EINTERNAL {
			return 0, err
		}
		return 0, fmt.Errorf("import responses: %w", err)
	}
	for _, a := range done {
		a.r.ConsultationID, a.r.GridVersion, a.r.Reference, a.r.Version = consultationID, a.version, a.ref, 1
		a.r.CreatedAt, a.r.UpdatedAt, a.r.CompletedAt = now, now, stamp(a.r.CompletedAt)
	}
	return len(done), nil
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
