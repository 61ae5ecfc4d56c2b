package storetest

import (
	"reflect"
	"sync"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

func (su *suite) testResponses(t *testing.T) {
	t.Run("create then get returns what was stored", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "answers")
		r := createResponse(t, s, c)
		if r.CreatedAt.IsZero() || !r.UpdatedAt.Equal(r.CreatedAt) || r.Version != 1 {
			t.Fatalf("after create: %+v", r)
		}
		got := mustResponse(t, s, r.ID)
		if !reflect.DeepEqual(got, r) {
			t.Errorf("got  %+v\nwant %+v", got, r)
		}
		if got.Completed() || got.Reference != "" {
			t.Errorf("new response is complete: %+v", got)
		}
	})
	t.Run("zero grid version means the current one", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "current")
		r := &consult.Response{ID: "6f1c2a9e-0000-4000-8000-000000000001", ConsultationID: c.ID, Channel: consult.ChannelInterview}
		if err := s.CreateResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.GridVersion != c.GridVersion || mustResponse(t, s, r.ID).GridVersion != c.GridVersion {
			t.Errorf("GridVersion = %d, want %d", r.GridVersion, c.GridVersion)
		}
	})
	t.Run("create errors", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "answers")
		other := createConsultation(t, s, "other")
		r := createResponse(t, s, c)
		tests := []struct {
			name string
			r    consult.Response
			code string
		}{
			{"id exists", consult.Response{ID: r.ID, ConsultationID: c.ID, GridVersion: c.GridVersion}, consult.ECONFLICT},
			{"no id", consult.Response{ConsultationID: c.ID}, consult.EINVALID},
			{"no consultation", consult.Response{ID: "a", ConsultationID: 999999}, consult.ENOTFOUND},
			{"no grid version", consult.Response{ID: "b", ConsultationID: c.ID, GridVersion: 999999}, consult.ENOTFOUND},
			{"another consultation's grid", consult.Response{ID: "c", ConsultationID: c.ID, GridVersion: other.GridVersion}, consult.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, s.CreateResponse(ctx, &tt.r), tt.code)
			})
		}
		if got := mustResponse(t, s, r.ID); !reflect.DeepEqual(got, r) {
			t.Errorf("a refused create changed %s: %+v", r.ID, got)
		}
		_, err := s.Response(ctx, "nobody")
		wantCode(t, err, consult.ENOTFOUND)
	})
	t.Run("save then complete", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "journey")
		r := createResponse(t, s, c)
		r.Reached = 3
		r.Answers.Current = []int{2, 2, 0}
		r.Answers.Lots = []grid.Package{{2, 1, 2}}
		if err := s.SaveResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		got := mustResponse(t, s, r.ID)
		if got.Reached != 3 || !reflect.DeepEqual(got.Answers, r.Answers) || got.Completed() || got.UpdatedAt.Before(got.CreatedAt) {
			t.Errorf("saved response reads back as %+v", got)
		}
		r.Reached = 7
		r.Answers = testAnswers("north")
		r.Answers.Comments = "Keep the libraries open."
		if err := s.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.Reference == "" || r.CompletedAt.IsZero() || !r.UpdatedAt.Equal(r.CompletedAt) {
			t.Fatalf("CompleteResponse left Reference=%q CompletedAt=%v UpdatedAt=%v", r.Reference, r.CompletedAt, r.UpdatedAt)
		}
		got = mustResponse(t, s, r.ID)
		if !reflect.DeepEqual(got, r) {
			t.Errorf("got  %+v\nwant %+v", got, r)
		}
	})
	t.Run("refused after completion and nothing changes", func(t *testing.T) {
		s := su.open(t)
		c := createConsultation(t, s, "sent")
		r := completeResponse(t, s, c)
		tests := []struct {
			name string
			op   func(*consult.Response) error
		}{
			{"complete again", func(r *consult.Response) error { return s.CompleteResponse(ctx, r) }},
			{"save", func(r *consult.Response) error { return s.SaveResponse(ctx, r) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := mustResponse(t, s, r.ID)
				changed := *before
				changed.Answers = testAnswers("north")
				changed.Reached = 1
				wantCode(t, tt.op(&changed), consult.ESUBMITTED)
				if after := mustResponse(t, s, r.ID); !reflect.DeepEqual(after, before) {
					t.Errorf("refused %s changed the response:\nbefore %+v\nafter  %+v", tt.name, before, after)
				}
			})
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		s := su.open(t)
		missing := &consult.Response{ID: "missing", Version: 1}
		wantCode(t, s.SaveResponse(ctx, missing), consult.ENOTFOUND)
		wantCode(t, s.CompleteResponse(ctx, missing), consult.ENOTFOUND)
	})
}

func (su *suite) testVersions(t *testing.T) {
	s := su.open(t)
	c := createConsultation(t, s, "versions")
	t.Run("each save adds one", func(t *testing.T) {
		r := createResponse(t, s, c)
		for want := int64(2); want <= 4; want++ {
			r.Reached++
			if err := s.SaveResponse(ctx, r); err != nil {
				t.Fatal(err)
			}
			if got := mustResponse(t, s, r.ID); r.Version != want || got.Version != want {
				t.Fatalf("Version after save = %d, stored %d; want %d", r.Version, got.Version, want)
			}
		}
	})
	t.Run("a stale save or completion is a conflict and changes nothing", func(t *testing.T) {
		r := createResponse(t, s, c)
		window1, window2 := mustResponse(t, s, r.ID), mustResponse(t, s, r.ID)
		window1.Answers.Comments = "first window"
		if err := s.SaveResponse(ctx, window1); err != nil {
			t.Fatal(err)
		}
		window2.Answers.Comments = "second window"
		err := s.SaveResponse(ctx, window2)
		wantCode(t, err, consult.ECONFLICT)
		if consult.ErrorMessage(err) != consult.ChangedElsewhereMessage {
			t.Errorf("message = %q, want %q", consult.ErrorMessage(err), consult.ChangedElsewhereMessage)
		}
		if window2.Version != 1 {
			t.Errorf("a refused save moved Version to %d", window2.Version)
		}
		wantCode(t, s.CompleteResponse(ctx, window2), consult.ECONFLICT)
		got := mustResponse(t, s, r.ID)
		if got.Answers.Comments != "first window" || got.Version != 2 || got.Completed() {
			t.Fatalf("stored %q version %d completed %v, want the first window's at 2", got.Answers.Comments, got.Version, got.Completed())
		}
		// The window that reloads goes on.
		got.Answers.Comments = "reloaded"
		if err := s.SaveResponse(ctx, got); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("completion adds one; once complete, submitted wins over the version", func(t *testing.T) {
		r := createResponse(t, s, c)
		stale := *r
		r.Answers = testAnswers("north")
		if err := s.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		got := mustResponse(t, s, r.ID)
		if r.Version != 2 || got.Version != 2 {
			t.Fatalf("Version after completion = %d, stored %d; want 2", r.Version, got.Version)
		}
		wantCode(t, s.SaveResponse(ctx, &stale), consult.ESUBMITTED)
		wantCode(t, s.SaveResponse(ctx, got), consult.ESUBMITTED)
		wantCode(t, s.CompleteResponse(ctx, &stale), consult.ESUBMITTED)
	})
	t.Run("of parallel saves from one version exactly one wins", func(t *testing.T) {
		r := createResponse(t, s, c)
		var wg sync.WaitGroup
		errs := make([]error, Parallel)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := *r
				mine.Answers.Comments = "window"
				errs[i] = s.SaveResponse(ctx, &mine)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if consult.ErrorCode(err) != consult.ECONFLICT {
				t.Fatalf("unexpected error %v", err)
			}
		}
		if got := mustResponse(t, s, r.ID); ok != 1 || got.Version != 2 {
			t.Fatalf("%d parallel saves from version 1 succeeded, stored version %d; want 1 and 2", ok, got.Version)
		}
	})
}
