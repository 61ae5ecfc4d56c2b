package storetest

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

// stream returns a next function over rs, failing with fail (if not nil)
// instead of the response at index failAt.
func stream(rs []*consult.Response, failAt int, fail error) func() (*consult.Response, error) {
	i := 0
	return func() (*consult.Response, error) {
		if i == len(rs) {
			return nil, io.EOF
		}
		if fail != nil && i == failAt {
			return nil, fail
		}
		i++
		cp := *rs[i-1]
		return &cp, nil
	}
}

func (su *suite) testImportStream(t *testing.T) {
	s := su.open(t)
	imp, ok := s.(consult.StreamImporter)
	if !ok {
		t.Skip("the store has no streaming import")
	}
	c := createConsultation(t, s, "streamed")
	// More than one batch of any reasonable size.
	rs := importBatch(1234, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	count := func(t *testing.T) int {
		t.Helper()
		_, completed, err := s.CountResponses(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return completed
	}
	t.Run("a conflict late in the stream stores nothing", func(t *testing.T) {
		bad := clone(rs)
		bad = append(bad, &consult.Response{ID: rs[3].ID, Channel: consult.ChannelPaper, Reached: 7,
			Answers: consult.Answers{Lots: []grid.Package{{1, 1, 1}}}, CompletedAt: rs[3].CompletedAt})
		_, err := imp.ImportStream(ctx, c.ID, stream(bad, 0, nil))
		wantCode(t, err, consult.ECONFLICT)
		if n := count(t); n != 0 {
			t.Fatalf("%d stored after a refused stream", n)
		}
	})
	t.Run("a failing reader stores nothing", func(t *testing.T) {
		broken := errors.New("the file was cut off")
		if _, err := imp.ImportStream(ctx, c.ID, stream(rs, 1000, broken)); !errors.Is(err, broken) {
			t.Fatalf("ImportStream = %v, want the reader's error", err)
		}
		if n := count(t); n != 0 {
			t.Fatalf("%d stored after a failed read", n)
		}
	})
	t.Run("adds all, in export order, without changing the input", func(t *testing.T) {
		added, err := imp.ImportStream(ctx, c.ID, stream(rs, 0, nil))
		if err != nil || added != len(rs) {
			t.Fatalf("ImportStream = %d, %v; want %d", added, err, len(rs))
		}
		if rs[0].Reference != "" || rs[0].Version != 0 {
			t.Errorf("the stream changed its input: %+v", rs[0])
		}
		i := 0
		err = s.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			if r.ID != rs[i].ID || r.Reference == "" || r.Version != 1 || !consult.SameRecord(r, rs[i]) {
				t.Fatalf("response %d is %+v, want %s", i, r, rs[i].ID)
			}
			i++
			return nil
		})
		if err != nil || i != len(rs) {
			t.Fatalf("EachCompleted saw %d: %v", i, err)
		}
	})
	t.Run("again adds nothing", func(t *testing.T) {
		added, err := imp.ImportStream(ctx, c.ID, stream(rs, 0, nil))
		if err != nil || added != 0 {
			t.Fatalf("ImportStream again = %d, %v; want 0", added, err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := imp.ImportStream(ctx, 999999, stream(rs[:1], 0, nil))
		wantCode(t, err, consult.ENOTFOUND)
		_, err = imp.ImportStream(ctx, c.ID, stream([]*consult.Response{{ID: "no-time"}}, 0, nil))
		wantCode(t, err, consult.EINVALID)
	})
}
