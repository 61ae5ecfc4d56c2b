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

// Completions use group commit: a committer goroutine takes every
// CompleteResponse waiting at the moment, runs them in one transaction and
// answers each caller once that transaction's commit is on disk. A lone
// completion still gets its own commit; under load one fsync carries many.

// maxBatch is the most completions one commit carries.
const maxBatch = 256

// maxReferenceTries bounds the retries when a fresh reference is taken.
const maxReferenceTries = 10

// errClosed is returned by calls made after Close.
var errClosed = errors.New("the store is closed")

// completion is one CompleteResponse call waiting for its commit.
type completion struct {
	ctx     context.Context
	r       *consult.Response
	answers string
	// Set by the committer before done is closed.
	ref  string
	now  time.Time
	err  error
	done chan struct{}
}

// CompleteResponse writes the final answers and progress and marks the
// response complete, setting r.Reference, r.CompletedAt and r.UpdatedAt.
// It returns once the commit is on disk. Once the call is queued it waits
// for the outcome even if ctx ends, so that a nil error always means stored
// and an error means not stored. ESUBMITTED if the response was already
// complete; ECONFLICT if r.Version is not the stored version; ENOTFOUND if
// it does not exist.
func (db *DB) CompleteResponse(ctx context.Context, r *consult.Response) error {
	answers, err := json.Marshal(&r.Answers)
	if err != nil {
		return fmt.Errorf("complete response %s: encode answers: %w", r.ID, err)
	}
	c := &completion{ctx: ctx, r: r, answers: string(answers), done: make(chan struct{})}
	select {
	case db.completions <- c:
	case <-db.quit:
		return fmt.Errorf("complete response %s: %w", r.ID, errClosed)
	case <-ctx.Done():
		return fmt.Errorf("complete response %s: %w", r.ID, ctx.Err())
	}
	<-c.done
	if c.err != nil {
		return c.err
	}
	r.Reference, r.CompletedAt, r.UpdatedAt = c.ref, c.now, c.now
	r.Version++
	return nil
}

// commitCompletions is the committer goroutine. The completions channel is
// unbuffered, so a completion is either taken here or refused by Close;
// none is left behind.
func (db *DB) commitCompletions() {
	defer db.wg.Done()
	for {
		var first *completion
		select {
		case first = <-db.completions:
		case <-db.quit:
			return
		}
		batch := []*completion{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case c := <-db.completions:
				batch = append(batch, c)
			default:
				break gather
			}
		}
		db.commitBatch(batch)
		for _, c := range batch {
			close(c.done)
		}
	}
}

// commitBatch completes a batch in one transaction, setting each
// completion's outcome. A domain error (ESUBMITTED, ENOTFOUND) fails only
// its own completion; any other error fails the whole batch, which is then
// rolled back.
func (db *DB) commitBatch(batch []*completion) {
	ctx := context.Background()
	failAll := func(err error) {
		for _, c := range batch {
			if c.err == nil {
				c.err = err
			}
		}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		failAll(fmt.Errorf("complete responses: begin: %w", err))
		return
	}
	defer tx.Rollback()
	// The completed_at condition makes the refusal atomic: of two
	// completions of one response, the second changes nothing.
	update, err := tx.PrepareContext(ctx, `
		UPDATE responses
		SET reached = ?, answers = ?, reference = ?, updated_at = ?, completed_at = ?, version = version + 1
		WHERE id = ? AND completed_at IS NULL AND version = ?`)
	if err != nil {
		failAll(fmt.Errorf("complete responses: prepare: %w", err))
		return
	}
	defer update.Close()
	now := db.now().UTC()
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil {
			c.err = fmt.Errorf("complete response %s: %w", c.r.ID, err)
			continue
		}
		c.err = db.completeOne(ctx, tx, update, c, now)
		if c.err != nil && consult.ErrorCode(c.err) == consult.EINTERNAL {
			failAll(c.err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		failAll(fmt.Errorf("complete responses: commit: %w", err))
	}
}

// completeOne runs one completion inside the batch's transaction, trying
// another reference if one is taken.
func (db *DB) completeOne(ctx context.Context, tx *sql.Tx, update *sql.Stmt, c *completion, now time.Time) error {
	ts := formatTime(now)
	for try := 0; ; try++ {
		ref, err := db.newReference()
		if err != nil {
			return fmt.Errorf("complete response %s: %w", c.r.ID, err)
		}
		// A failed statement undoes only itself; the transaction goes on.
		res, err := update.ExecContext(ctx, c.r.Reached, c.answers, ref, ts, ts, c.r.ID, c.r.Version)
		if isUnique(err, "responses.reference") && try < maxReferenceTries {
			continue
		} else if err != nil {
			return fmt.Errorf("complete response %s: %w", c.r.ID, err)
		}
		if err := checkUpdated(ctx, tx, res, c.r.ID); err != nil {
			return err
		}
		c.ref, c.now = ref, now
		return nil
	}
}
