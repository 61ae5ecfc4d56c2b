package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// SetCommentHidden hides or shows a response's comment.
func (db *DB) SetCommentHidden(ctx context.Context, responseID string, hidden bool, userID int64, at time.Time) error {
	var err error
	if hidden {
		_, err = db.write.ExecContext(ctx, `INSERT INTO hidden_comments (response_id, user_id, hidden_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			responseID, userID, nanos(at))
		if isForeignKey(err) {
			return consult.Errorf(consult.ENOTFOUND, "There is no response %s.", responseID)
		}
	} else {
		_, err = db.write.ExecContext(ctx, `DELETE FROM hidden_comments WHERE response_id = ?`, responseID)
	}
	if err != nil {
		return fmt.Errorf("hide comment of %s: %w", responseID, err)
	}
	return nil
}

// HiddenComments returns the ids of a consultation's hidden comments.
func (db *DB) HiddenComments(ctx context.Context, consultationID int64) (map[string]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT h.response_id FROM hidden_comments h JOIN responses r ON r.id = h.response_id WHERE r.consultation_id = ?`, consultationID)
	if err != nil {
		return nil, fmt.Errorf("hidden comments: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("hidden comments: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// ResponseStats counts a consultation's responses by day, channel and
// progress, from the responses table's own columns (no answers decoded).
func (db *DB) ResponseStats(ctx context.Context, consultationID int64) (*consult.ResponseStats, error) {
	st := &consult.ResponseStats{StoppedAt: map[int]int{}}
	days := map[[2]string]*consult.DayCount{}
	var order [][2]string
	count := func(q string, add func(*consult.DayCount, int)) error {
		rows, err := db.read.QueryContext(ctx, q, consultationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k [2]string
			var n int
			if err := rows.Scan(&k[0], &k[1], &n); err != nil {
				return err
			}
			d := days[k]
			if d == nil {
				d = &consult.DayCount{Day: k[0], Channel: k[1]}
				days[k] = d
				order = append(order, k)
			}
			add(d, n)
		}
		return rows.Err()
	}
	if err := count(`SELECT substr(created_at, 1, 10), channel, COUNT(*) FROM responses WHERE consultation_id = ? GROUP BY 1, 2`,
		func(d *consult.DayCount, n int) { d.Started += n }); err != nil {
		return nil, fmt.Errorf("response stats: %w", err)
	}
	if err := count(`SELECT substr(completed_at, 1, 10), channel, COUNT(*) FROM responses WHERE consultation_id = ? AND completed_at IS NOT NULL GROUP BY 1, 2`,
		func(d *consult.DayCount, n int) { d.Completed += n; st.Completed += n }); err != nil {
		return nil, fmt.Errorf("response stats: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT reached, COUNT(*) FROM responses WHERE consultation_id = ? AND completed_at IS NULL GROUP BY reached`, consultationID)
	if err != nil {
		return nil, fmt.Errorf("response stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var reached, n int
		if err := rows.Scan(&reached, &n); err != nil {
			return nil, fmt.Errorf("response stats: %w", err)
		}
		st.StoppedAt[reached] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("response stats: %w", err)
	}
	slices.SortFunc(order, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	for _, k := range order {
		st.Days = append(st.Days, *days[k])
	}
	return st, nil
}
