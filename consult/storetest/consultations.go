package storetest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

func (su *suite) testConsultations(t *testing.T) {
	t.Run("create then get returns what was stored", func(t *testing.T) {
		s := su.open(t)
		c := testConsultation("fenshire-2027")
		c.ClosesAt = time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC)
		c.Languages = []string{"en", "cy"}
		c.Translations = map[string]consult.ConsultationText{"cy": {Title: "Cyllideb", Intro: "Helpwch ni."}}
		before := time.Now().Add(-time.Second)
		if err := s.CreateConsultation(ctx, c); err != nil {
			t.Fatalf("CreateConsultation: %v", err)
		}
		if c.ID == 0 || c.GridVersion == 0 || c.CreatedAt.Before(before) || c.CreatedAt.After(time.Now().Add(time.Second)) {
			t.Fatalf("after create: ID=%d GridVersion=%d CreatedAt=%v", c.ID, c.GridVersion, c.CreatedAt)
		}
		got, err := s.Consultation(ctx, c.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(c.CreatedAt) {
			t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, c.CreatedAt)
		}
		got.CreatedAt = c.CreatedAt
		if !reflect.DeepEqual(got, c) {
			t.Errorf("got  %+v\nwant %+v", got, c)
		}
	})
	t.Run("create errors", func(t *testing.T) {
		s := su.open(t)
		createConsultation(t, s, "taken")
		noGrid := testConsultation("no-grid")
		noGrid.Grid = nil
		tests := []struct {
			name string
			c    *consult.Consultation
			code string
		}{
			{"slug taken", testConsultation("taken"), consult.ECONFLICT},
			{"no grid", noGrid, consult.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, s.CreateConsultation(ctx, tt.c), tt.code)
			})
		}
		_, err := s.Consultation(ctx, "no-grid")
		wantCode(t, err, consult.ENOTFOUND)
	})
	t.Run("unknown slug", func(t *testing.T) {
		s := su.open(t)
		_, err := s.Consultation(ctx, "nowhere")
		wantCode(t, err, consult.ENOTFOUND)
	})
	t.Run("list newest first with grids", func(t *testing.T) {
		s := su.open(t)
		if cs, err := s.Consultations(ctx); err != nil || len(cs) != 0 {
			t.Fatalf("empty store: %v, %v", cs, err)
		}
		for _, slug := range []string{"first", "second", "third"} {
			createConsultation(t, s, slug)
		}
		cs, err := s.Consultations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.Slug)
			if c.Grid == nil || len(c.Grid.Services) != 3 || c.ID == 0 || c.GridVersion == 0 {
				t.Errorf("%s: listed as %+v", c.Slug, c)
			}
		}
		if want := []string{"third", "second", "first"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Consultations = %v, want newest first %v", got, want)
		}
	})
	t.Run("replace without responses makes a new grid version", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "draft-one")
		next := testConsultation("draft-one")
		next.Title = "Renamed"
		next.Status = ""
		next.Grid.Services[0].Levels[2].Points = 6
		if err := s.ReplaceConsultation(ctx, next); err != nil {
			t.Fatalf("ReplaceConsultation: %v", err)
		}
		if next.ID != c.ID || next.GridVersion == c.GridVersion || !next.CreatedAt.Equal(c.CreatedAt) {
			t.Errorf("after replace: ID=%d GridVersion=%d (was %d) CreatedAt=%v (was %v)",
				next.ID, next.GridVersion, c.GridVersion, next.CreatedAt, c.CreatedAt)
		}
		got, err := s.Consultation(ctx, "draft-one")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Renamed" || got.GridVersion != next.GridVersion || got.Grid.Services[0].Levels[2].Points != 6 {
			t.Errorf("replaced consultation reads back as %+v", got)
		}
		if got.Status != consult.Open {
			t.Errorf("empty status replaced the stored one: %q", got.Status)
		}
		wantCode(t, s.ReplaceConsultation(ctx, testConsultation("nowhere")), consult.ENOTFOUND)
	})
	t.Run("grid versions freeze once answered", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "frozen")
		r := createResponse(t, s, c)
		createResponse(t, s, c)
		next := testConsultation("frozen")
		next.Grid = &grid.Grid{Services: next.Grid.Services[:2]}
		err := s.ReplaceConsultation(ctx, next)
		wantCode(t, err, consult.ECONFLICT)
		if msg := consult.ErrorMessage(err); !strings.Contains(msg, "2 responses") {
			t.Errorf("message %q does not name the count", msg)
		}
		after, err := s.Consultation(ctx, "frozen")
		if err != nil {
			t.Fatal(err)
		}
		if after.GridVersion != c.GridVersion || len(after.Grid.Services) != 3 {
			t.Errorf("refused replace changed the grid: version %d, %d services", after.GridVersion, len(after.Grid.Services))
		}
		if got := mustResponse(t, s, r.ID); got.GridVersion != c.GridVersion {
			t.Errorf("response answers grid %d, want %d", got.GridVersion, c.GridVersion)
		}
	})
	t.Run("set status", func(t *testing.T) {
		s := su.open(t)
		createConsultation(t, s, "lifecycle")
		tests := []struct {
			name   string
			slug   string
			status consult.Status
			code   string
		}{
			{"close", "lifecycle", consult.Closed, ""},
			{"reopen", "lifecycle", consult.Open, ""},
			{"back to draft", "lifecycle", consult.Draft, ""},
			{"unknown status", "lifecycle", "archived", consult.EINVALID},
			{"unknown slug", "nowhere", consult.Closed, consult.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, s.SetStatus(ctx, tt.slug, tt.status), tt.code)
				if tt.code != "" {
					return
				}
				c, err := s.Consultation(ctx, tt.slug)
				if err != nil {
					t.Fatal(err)
				}
				if c.Status != tt.status {
					t.Errorf("status = %q, want %q", c.Status, tt.status)
				}
				cs, err := s.Consultations(ctx)
				if err != nil || len(cs) != 1 || cs[0].Status != tt.status {
					t.Errorf("listed status = %+v, %v; want %q", cs, err, tt.status)
				}
			})
		}
		if c, _ := s.Consultation(ctx, "lifecycle"); c.Status != consult.Draft {
			t.Errorf("refused status change left %q", c.Status)
		}
	})
}
