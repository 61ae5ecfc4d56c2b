package sqlite

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

func TestCreateResponse(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "answers")
	r := createResponse(t, db, c)

	t.Run("get returns what was stored", func(t *testing.T) {
		got, err := db.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("got  %+v\nwant %+v", got, r)
		}
		if got.Completed() || got.Reference != "" {
			t.Errorf("new response is complete: %+v", got)
		}
	})
	t.Run("zero grid version means the current one", func(t *testing.T) {
		r := &consult.Response{ID: "6f1c2a9e-0000-4000-8000-000000000001", ConsultationID: c.ID, Channel: consult.ChannelInterview}
		if err := db.CreateResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.GridVersion != c.GridVersion {
			t.Errorf("GridVersion = %d, want %d", r.GridVersion, c.GridVersion)
		}
	})
	t.Run("errors", func(t *testing.T) {
		other := createConsultation(t, db, "other")
		tests := []struct {
			name string
			r    consult.Response
			code string
		}{
			{"id exists", consult.Response{ID: r.ID, ConsultationID: c.ID, GridVersion: c.GridVersion}, consult.ECONFLICT},
			{"no id", consult.Response{ConsultationID: c.ID}, consult.EINVALID},
			{"no consultation", consult.Response{ID: "a", ConsultationID: 999}, consult.ENOTFOUND},
			{"no grid version", consult.Response{ID: "b", ConsultationID: c.ID, GridVersion: 999}, consult.ENOTFOUND},
			{"another consultation's grid", consult.Response{ID: "c", ConsultationID: c.ID, GridVersion: other.GridVersion}, consult.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.CreateResponse(ctx, &tt.r), tt.code)
			})
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		_, err := db.Response(ctx, "nobody")
		wantCode(t, err, consult.ENOTFOUND)
	})
}

func TestSaveAndCompleteResponse(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "journey")
	r := createResponse(t, db, c)

	t.Run("save", func(t *testing.T) {
		r.Reached = 3
		r.Answers.Current = []int{2, 2, 0}
		r.Answers.Lots = []grid.Package{{2, 1, 2}}
		if err := db.SaveResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reached != 3 || !reflect.DeepEqual(got.Answers, r.Answers) || got.Completed() {
			t.Errorf("saved response reads back as %+v", got)
		}
	})
	t.Run("complete", func(t *testing.T) {
		r.Reached = 7
		r.Answers = testAnswers("north")
		r.Answers.Comments = "Keep the libraries open."
		if err := db.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.Reference == "" || r.CompletedAt.IsZero() {
			t.Fatalf("CompleteResponse left Reference=%q CompletedAt=%v", r.Reference, r.CompletedAt)
		}
		got, err := db.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("got  %+v\nwant %+v", got, r)
		}
	})
	t.Run("refused after completion", func(t *testing.T) {
		tests := []struct {
			name string
			op   func(*consult.Response) error
		}{
			{"complete again", func(r *consult.Response) error { return db.CompleteResponse(ctx, r) }},
			{"save", func(r *consult.Response) error { return db.SaveResponse(ctx, r) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, err := db.Response(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				changed := *before
				changed.Answers = testAnswers("south")
				changed.Reached = 1
				wantCode(t, tt.op(&changed), consult.ESUBMITTED)
				after, err := db.Response(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(after, before) {
					t.Errorf("refused %s changed the response:\nbefore %+v\nafter  %+v", tt.name, before, after)
				}
			})
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		missing := &consult.Response{ID: "missing"}
		wantCode(t, db.SaveResponse(ctx, missing), consult.ENOTFOUND)
		wantCode(t, db.CompleteResponse(ctx, missing), consult.ENOTFOUND)
	})
}

func TestCountAndEachCompleted(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "counted")
	other := createConsultation(t, db, "other")
	completeResponse(t, db, other)

	// Completion times out of id order, with a tie broken by id.
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	plan := []struct {
		id     string
		offset time.Duration
	}{
		{"c", 2 * time.Minute},
		{"a", 3 * time.Minute},
		{"d", time.Minute},
		{"b", 2 * time.Minute},
	}
	for _, p := range plan {
		db.now = func() time.Time { return base.Add(p.offset) }
		r := &consult.Response{ID: p.id, ConsultationID: c.ID, GridVersion: c.GridVersion, Channel: consult.ChannelOnline}
		if err := db.CreateResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	db.now = time.Now
	createResponse(t, db, c) // in progress: counted, never listed

	t.Run("count", func(t *testing.T) {
		all, completed, err := db.CountResponses(ctx, c.ID)
		if err != nil || all != 5 || completed != 4 {
			t.Errorf("CountResponses = %d, %d, %v; want 5, 4", all, completed, err)
		}
	})
	t.Run("order", func(t *testing.T) {
		var got []string
		err := db.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
			if !r.Completed() || r.ConsultationID != c.ID {
				t.Errorf("listed %+v", r)
			}
			got = append(got, r.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"d", "b", "c", "a"}; !reflect.DeepEqual(got, want) {
			t.Errorf("EachCompleted order = %v, want %v", got, want)
		}
	})
	t.Run("stops at an error", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := db.EachCompleted(ctx, c.ID, func(*consult.Response) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("EachCompleted = %v after %d calls, want stop after 1", err, calls)
		}
	})
	t.Run("writes while streaming", func(t *testing.T) {
		// The stream holds a reader; the writer must not wait for it.
		err := db.EachCompleted(ctx, c.ID, func(*consult.Response) error {
			createResponse(t, db, c)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	_, err := db.Setting(ctx, "session_key")
	wantCode(t, err, consult.ENOTFOUND)
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"first set stores", "secret-1", "secret-1"},
		{"second set keeps the first", "secret-2", "secret-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.SetSettingIfAbsent(ctx, "session_key", []byte(tt.value))
			if err != nil || string(got) != tt.want {
				t.Errorf("SetSettingIfAbsent = %q, %v; want %q", got, err, tt.want)
			}
			stored, err := db.Setting(ctx, "session_key")
			if err != nil || string(stored) != tt.want {
				t.Errorf("Setting = %q, %v; want %q", stored, err, tt.want)
			}
		})
	}
	t.Run("binary value", func(t *testing.T) {
		value := []byte{0, 1, 2, 255}
		got, err := db.SetSettingIfAbsent(ctx, "raw", value)
		if err != nil || !reflect.DeepEqual(got, value) {
			t.Errorf("SetSettingIfAbsent = %v, %v; want %v", got, err, value)
		}
	})
}
