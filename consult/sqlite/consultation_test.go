package sqlite

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

func TestCreateConsultation(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := testConsultation("fenshire-2027")
	c.ClosesAt = time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC)
	c.Languages = []string{"en", "cy"}
	before := time.Now()
	if err := db.CreateConsultation(ctx, c); err != nil {
		t.Fatalf("CreateConsultation: %v", err)
	}
	if c.ID == 0 || c.GridVersion == 0 || c.CreatedAt.Before(before.Add(-time.Second)) {
		t.Fatalf("after create: ID=%d GridVersion=%d CreatedAt=%v", c.ID, c.GridVersion, c.CreatedAt)
	}

	t.Run("get returns what was stored", func(t *testing.T) {
		got, err := db.Consultation(ctx, c.Slug)
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
	t.Run("definition is stored without the grid", func(t *testing.T) {
		var def string
		if err := db.read.QueryRow(`SELECT definition FROM consultations WHERE id = ?`, c.ID).Scan(&def); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(def, "roads") || !strings.Contains(def, `"grid":null`) {
			t.Errorf("definition holds the grid: %s", def)
		}
	})
	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name string
			c    *consult.Consultation
			code string
		}{
			{"slug taken", testConsultation("fenshire-2027"), consult.ECONFLICT},
			{"no grid", func() *consult.Consultation { c := testConsultation("no-grid"); c.Grid = nil; return c }(), consult.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.CreateConsultation(ctx, tt.c), tt.code)
			})
		}
	})
	t.Run("unknown slug", func(t *testing.T) {
		_, err := db.Consultation(ctx, "nowhere")
		wantCode(t, err, consult.ENOTFOUND)
	})
}

func TestConsultations(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	if cs, err := db.Consultations(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("empty store: %v, %v", cs, err)
	}
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	slugs := []string{"first", "second", "third"}
	for i, slug := range slugs {
		db.now = func() time.Time { return base.Add(time.Duration(i) * time.Hour) }
		createConsultation(t, db, slug)
	}
	cs, err := db.Consultations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.Slug)
		if c.Grid == nil || len(c.Grid.Services) != 3 {
			t.Errorf("%s: grid not loaded", c.Slug)
		}
	}
	if want := []string{"third", "second", "first"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Consultations = %v, want newest first %v", got, want)
	}
}

func TestReplaceConsultation(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "draft-one")
	firstVersion := c.GridVersion

	t.Run("without responses", func(t *testing.T) {
		next := testConsultation("draft-one")
		next.Title = "Renamed"
		next.Status = ""
		next.Grid.Services[0].Levels[2].Points = 6
		if err := db.ReplaceConsultation(ctx, next); err != nil {
			t.Fatalf("ReplaceConsultation: %v", err)
		}
		if next.ID != c.ID || next.GridVersion <= firstVersion || !next.CreatedAt.Equal(c.CreatedAt) {
			t.Errorf("after replace: ID=%d GridVersion=%d (was %d) CreatedAt=%v", next.ID, next.GridVersion, firstVersion, next.CreatedAt)
		}
		got, err := db.Consultation(ctx, "draft-one")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Renamed" || got.GridVersion != next.GridVersion || got.Grid.Services[0].Levels[2].Points != 6 {
			t.Errorf("replaced consultation reads back as %+v", got)
		}
		if got.Status != consult.Open {
			t.Errorf("empty status replaced the stored one: %q", got.Status)
		}
	})
	t.Run("unknown slug", func(t *testing.T) {
		wantCode(t, db.ReplaceConsultation(ctx, testConsultation("nowhere")), consult.ENOTFOUND)
	})
	t.Run("refused once answered", func(t *testing.T) {
		cur, err := db.Consultation(ctx, "draft-one")
		if err != nil {
			t.Fatal(err)
		}
		createResponse(t, db, cur)
		createResponse(t, db, cur)
		next := testConsultation("draft-one")
		next.Grid = &grid.Grid{Services: next.Grid.Services[:2]}
		err = db.ReplaceConsultation(ctx, next)
		wantCode(t, err, consult.ECONFLICT)
		if msg := consult.ErrorMessage(err); !strings.Contains(msg, "2 responses") {
			t.Errorf("message %q does not name the count", msg)
		}
		after, err := db.Consultation(ctx, "draft-one")
		if err != nil {
			t.Fatal(err)
		}
		if after.GridVersion != cur.GridVersion || len(after.Grid.Services) != 3 {
			t.Errorf("refused replace changed the grid: version %d, %d services", after.GridVersion, len(after.Grid.Services))
		}
	})
}

func TestSetStatus(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	createConsultation(t, db, "lifecycle")
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
			err := db.SetStatus(ctx, tt.slug, tt.status)
			wantCode(t, err, tt.code)
			if tt.code != "" {
				return
			}
			c, err := db.Consultation(ctx, tt.slug)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tt.status {
				t.Errorf("status = %q, want %q", c.Status, tt.status)
			}
			var inDefinition string
			if err := db.read.QueryRow(`SELECT definition ->> '$.status' FROM consultations WHERE slug = ?`, tt.slug).Scan(&inDefinition); err != nil {
				t.Fatal(err)
			}
			if inDefinition != string(tt.status) {
				t.Errorf("definition status = %q, want %q", inDefinition, tt.status)
			}
		})
	}
}
