package consult_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/sqlite"
)

// journeys returns the journey use cases on a temp-file SQLite store
// holding the demo, open, with a clock the test sets.
func journeys(t *testing.T) (*consult.Journeys, *consult.Consultation, *time.Time) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := fenshire(t)
	c.Status = consult.Open
	c.ClosesAt = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	if err := db.CreateConsultation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 1, 12, 10, 0, 0, 0, time.UTC)
	return &consult.Journeys{Consultations: db, Responses: db, Now: func() time.Time { return now }}, c, &now
}

func TestJourneyRules(t *testing.T) {
	ctx := context.Background()
	js, c, now := journeys(t)
	j, err := js.Start(ctx, c.Slug, consult.ChannelOnline)
	if err != nil {
		t.Fatal(err)
	}
	if j.Index != 0 || j.R.GridVersion != c.GridVersion || j.R.Channel != consult.ChannelOnline {
		t.Fatalf("started at stage %d, grid version %d, channel %q", j.Index, j.R.GridVersion, j.R.Channel)
	}
	id := j.R.ID

	// A later stage cannot be opened before the earlier ones are answered.
	_, err = js.Stage(ctx, c.Slug, id, "lot-1")
	var skip *consult.SkipError
	if consult.ErrorCode(err) != consult.ESKIPPED || !errors.As(err, &skip) || skip.Next != 0 {
		t.Fatalf("opening lot-1 first: %v (skip %+v)", err, skip)
	}
	if _, err := js.Stage(ctx, c.Slug, id, "no-such-stage"); consult.ErrorCode(err) != consult.ENOTFOUND {
		t.Fatalf("unknown stage: %v", err)
	}
	if _, err := js.Stage(ctx, c.Slug, "", "about-you"); consult.ErrorCode(err) != consult.ENOTFOUND {
		t.Fatalf("no response: %v", err)
	}

	// Answer every stage in turn, then submit.
	for i := range j.Flow.Stages[:j.Flow.CheckIndex()] {
		st, err := js.Stage(ctx, c.Slug, id, j.Flow.Stages[i].Slug)
		if err != nil {
			t.Fatalf("stage %d: %v", i, err)
		}
		if st.Stage.Kind == consult.StageLot {
			st.R.Answers.Lots = append(st.R.Answers.Lots[:st.Stage.Lot-1], st.Flow.LotPackage(st.R, st.Stage.Lot))
		}
		if err := js.Save(ctx, st); err != nil {
			t.Fatalf("saving stage %d: %v", i, err)
		}
	}
	resumed, err := js.Resume(ctx, c.Slug, id)
	if err != nil || resumed.Stage.Kind != consult.StageCheck {
		t.Fatalf("resume before submit: %v at %+v", err, resumed)
	}
	if err := js.Submit(ctx, resumed); err != nil {
		t.Fatalf("submit: %v", err)
	}
	if resumed.R.Reference == "" || !resumed.R.Completed() {
		t.Fatalf("submitted response has no reference or completion: %+v", resumed.R)
	}
	if _, err := js.Stage(ctx, c.Slug, id, "about-you"); consult.ErrorCode(err) != consult.ESUBMITTED {
		t.Fatalf("a submitted response was opened again: %v", err)
	}

	// After the closing time nothing starts or opens.
	*now = c.ClosesAt
	if _, err := js.Start(ctx, c.Slug, consult.ChannelOnline); consult.ErrorCode(err) != consult.ECLOSED {
		t.Fatalf("start after closing: %v", err)
	}
}

func TestJourneyHidesDraftsAndRefusesClosed(t *testing.T) {
	ctx := context.Background()
	js, c, _ := journeys(t)
	j, err := js.Start(ctx, c.Slug, consult.ChannelOnline)
	if err != nil {
		t.Fatal(err)
	}
	if err := js.Consultations.SetStatus(ctx, c.Slug, consult.Closed); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stage(ctx, c.Slug, j.R.ID, "about-you"); consult.ErrorCode(err) != consult.ECLOSED {
		t.Fatalf("stage of a closed consultation: %v", err)
	}
	if err := js.Submit(ctx, j); consult.ErrorCode(err) != consult.ECLOSED {
		t.Fatalf("submit to a closed consultation: %v", err)
	}
	if err := js.Consultations.SetStatus(ctx, c.Slug, consult.Draft); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Start(ctx, c.Slug, consult.ChannelOnline); consult.ErrorCode(err) != consult.ENOTFOUND {
		t.Fatalf("start of a draft: %v", err)
	}
}

func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := consult.NewUUID()
		if len(id) != 36 || id[14] != '4' || !consult.ValidResponseID(id) || seen[id] {
			t.Fatalf("bad or repeated UUID %q", id)
		}
		seen[id] = true
	}
}
