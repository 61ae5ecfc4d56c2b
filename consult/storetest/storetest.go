// Package storetest is the conformance suite every consult.Store passes:
// each method, its error codes, ordering, idempotent import, unique rules
// under parallel writers, durable completion, frozen grid versions, shared
// rate limits and settings. A store's own tests call Run; the suite sees
// the store only through consult.Store, never its internals.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
	"github.com/google/uuid"
)

// Parallel is how many writers the race tests start at once.
const Parallel = 50

// Option changes how Run drives a store.
type Option func(*suite)

// Another gives Run a way to open a second handle on the same database as
// s, as a second server would; the tests of state shared between servers
// (completions, settings, rate limits) run only with it. The handle is
// closed by the function's own cleanup.
func Another(open func(t *testing.T, s consult.Store) consult.Store) Option {
	return func(su *suite) { su.another = open }
}

// suite holds how to open stores.
type suite struct {
	open    func(t *testing.T) consult.Store
	another func(t *testing.T, s consult.Store) consult.Store
}

// Run runs the whole suite. open must return a new, empty store for each
// call and close it when the test ends (t.Cleanup); Close may be called
// more than once.
func Run(t *testing.T, open func(t *testing.T) consult.Store, opts ...Option) {
	s := &suite{open: open}
	for _, o := range opts {
		o(s)
	}
	t.Run("Consultations", s.testConsultations)
	t.Run("Responses", s.testResponses)
	t.Run("Versions", s.testVersions)
	t.Run("Completion", s.testCompletion)
	t.Run("Listing", s.testListing)
	t.Run("Import", s.testImport)
	t.Run("Purge", s.testPurge)
	t.Run("ResumeCodes", s.testResumeCodes)
	t.Run("Settings", s.testSettings)
	t.Run("RateLimits", s.testRateLimits)
	t.Run("Devices", s.testDevices)
	t.Run("Erasure", s.testErasure)
	t.Run("Redact", s.testRedact)
	t.Run("ParallelWriters", s.testParallelWriters)
	t.Run("SharedDatabase", s.testSharedDatabase)
	t.Run("Deployment", s.testDeployment)
	t.Run("ImportStream", s.testImportStream)
	t.Run("Admin", s.testAdmin)
}

var ctx = context.Background()

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
func createConsultation(t *testing.T, s consult.Store, slug string) *consult.Consultation {
	t.Helper()
	c := testConsultation(slug)
	if err := s.CreateConsultation(ctx, c); err != nil {
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
func createResponse(t *testing.T, s consult.Store, c *consult.Consultation) *consult.Response {
	t.Helper()
	r := &consult.Response{
		ID:             uuid.NewString(),
		ConsultationID: c.ID,
		GridVersion:    c.GridVersion,
		Channel:        consult.ChannelOnline,
		Reached:        1,
		Answers:        consult.Answers{About: map[string]string{"area": "north"}},
	}
	if err := s.CreateResponse(ctx, r); err != nil {
		t.Fatalf("CreateResponse: %v", err)
	}
	return r
}

// completeResponse stores and completes a response.
func completeResponse(t *testing.T, s consult.Store, c *consult.Consultation) *consult.Response {
	t.Helper()
	r := createResponse(t, s, c)
	r.Answers = testAnswers("south")
	r.Reached = 7
	if err := s.CompleteResponse(ctx, r); err != nil {
		t.Fatalf("CompleteResponse: %v", err)
	}
	return r
}

// importBatch makes n completed interview responses, a second apart from
// base.
func importBatch(n int, base time.Time) []*consult.Response {
	rs := make([]*consult.Response, n)
	for i := range rs {
		rs[i] = &consult.Response{
			ID:          uuid.NewString(),
			Channel:     consult.ChannelInterview,
			Reached:     7,
			Answers:     testAnswers([]string{"north", "south"}[i%2]),
			CompletedAt: base.Add(time.Duration(i) * time.Second),
		}
	}
	return rs
}

// clone copies responses so a re-import starts from the caller's values.
func clone(rs []*consult.Response) []*consult.Response {
	out := make([]*consult.Response, len(rs))
	for i, r := range rs {
		cp := *r
		out[i] = &cp
	}
	return out
}

// wantCode fails the test unless err carries the domain error code ("" for
// nil).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := consult.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// mustResponse reads a response back.
func mustResponse(t *testing.T, s consult.Store, id string) *consult.Response {
	t.Helper()
	r, err := s.Response(ctx, id)
	if err != nil {
		t.Fatalf("Response(%s): %v", id, err)
	}
	return r
}
