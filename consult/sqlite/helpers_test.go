package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/google/uuid"
)

// openTestDB opens a fresh database file under t.TempDir and closes it at
// the end of the test.
func openTestDB(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "budgetgrid.db")
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db, path
}

// testGrid is a small three-service grid.
func testGrid() *grid.Grid {
	return &grid.Grid{Services: []grid.Service{
		{Key: "roads", Name: "Roads", Group: "Place", Levels: []grid.Level{
			{Number: 1, Label: "Fix only dangerous potholes", Points: 0},
			{Number: 2, Label: "Fix potholes within a month", Points: 2, AsNow: true},
			{Number: 3, Label: "Resurface 5% a year", Points: 5},
		}},
		{Key: "libraries", Name: "Libraries", Group: "Communities", Levels: []grid.Level{
			{Number: 1, Label: "Mobile library only", Points: 0},
			{Number: 2, Label: "Ten branches", Points: 3, AsNow: true},
			{Number: 3, Label: "Ten branches, longer hours", Points: 4},
			{Number: 4, Label: "Fifteen branches", Points: 7},
		}},
		{Key: "social_care", Name: "Adult social care", Levels: []grid.Level{
			{Number: 1, Label: "Statutory minimum", Points: 0},
			{Number: 2, Label: "As now", Points: 6, AsNow: true,
				Translations: map[string]grid.LevelText{"cy": {Label: "Fel nawr"}}},
			{Number: 3, Label: "Extra home visits", Points: 9},
		}},
	}}
}

// testConsultation is an open consultation with the test grid.
func testConsultation(slug string) *consult.Consultation {
	return &consult.Consultation{
		Slug:   slug,
		Title:  "Fenshire budget 2027",
		Intro:  "Help us set next year's budget.",
		Status: consult.Open,
		Questions: []consult.Question{{Key: "area", Text: "Where do you live?", Options: []consult.Option{
			{Key: "north", Label: "North"}, {Key: "south", Label: "South"},
		}}},
		AskCurrent: true,
		Lots:       consult.LotSpec{Percent: []int{90, 100, 110}},
		Additive:   true,
		Money:      grid.Money{PointPence: 50_000_000, TaxBase: 100_000},
		Grid:       testGrid(),
	}
}

// createConsultation stores a test consultation.
func createConsultation(t testing.TB, db *DB, slug string) *consult.Consultation {
	t.Helper()
	c := testConsultation(slug)
	if err := db.CreateConsultation(context.Background(), c); err != nil {
		t.Fatalf("CreateConsultation(%s): %v", slug, err)
	}
	return c
}

// testAnswers are complete answers to the test consultation.
func testAnswers(area string) consult.Answers {
	return consult.Answers{
		About:   map[string]string{"area": area},
		Current: []int{2, 0, 2},
		Lots:    []grid.Package{{2, 1, 2}, {2, 2, 2}, {3, 2, 2}},
	}
}

// createResponse stores a new in-progress online response.
func createResponse(t testing.TB, db *DB, c *consult.Consultation) *consult.Response {
	t.Helper()
	r := &consult.Response{
		ID:             uuid.NewString(),
		ConsultationID: c.ID,
		GridVersion:    c.GridVersion,
		Channel:        consult.ChannelOnline,
		Reached:        1,
		Answers:        consult.Answers{About: map[string]string{"area": "north"}},
	}
	if err := db.CreateResponse(context.Background(), r); err != nil {
		t.Fatalf("CreateResponse: %v", err)
	}
	return r
}

// completeResponse stores and completes a response.
func completeResponse(t testing.TB, db *DB, c *consult.Consultation) *consult.Response {
	t.Helper()
	r := createResponse(t, db, c)
	r.Answers = testAnswers("south")
	r.Reached = 7
	if err := db.CompleteResponse(context.Background(), r); err != nil {
		t.Fatalf("CompleteResponse: %v", err)
	}
	return r
}

// wantCode fails the test unless err carries the domain error code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := consult.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// createResponses stores n in-progress responses to c in one transaction
// and returns their ids.
func createResponses(t testing.TB, db *DB, c *consult.Consultation, n int) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	insert, err := tx.PrepareContext(ctx, `
		INSERT INTO responses (id, consultation_id, grid_version, channel, reached, answers, created_at, updated_at)
		VALUES (?, ?, ?, 'online', 1, '{}', ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	defer insert.Close()
	now := formatTime(db.now())
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.NewString()
		if _, err := insert.ExecContext(ctx, ids[i], c.ID, c.GridVersion, now, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// fixedReferences makes db hand out the given references in turn.
func fixedReferences(db *DB, refs ...string) {
	db.newReference = func() (string, error) {
		if len(refs) == 0 {
			return "", errors.New("test ran out of references")
		}
		ref := refs[0]
		refs = refs[1:]
		return ref, nil
	}
}
