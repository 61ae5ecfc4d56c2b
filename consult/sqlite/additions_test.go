package sqlite

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestResponseVersions(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "versions")

	t.Run("a new response is version 1 and each save adds one", func(t *testing.T) {
		r := createResponse(t, db, c)
		if r.Version != 1 {
			t.Fatalf("Version after create = %d, want 1", r.Version)
		}
		r.Reached = 2
		if err := db.SaveResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != 2 || got.Version != 2 {
			t.Fatalf("Version after save = %d, stored %d; want 2", r.Version, got.Version)
		}
	})
	t.Run("a stale save is a conflict and changes nothing", func(t *testing.T) {
		r := createResponse(t, db, c)
		window1, _ := db.Response(ctx, r.ID)
		window2, _ := db.Response(ctx, r.ID)
		window1.Answers.Comments = "first window"
		if err := db.SaveResponse(ctx, window1); err != nil {
			t.Fatal(err)
		}
		window2.Answers.Comments = "second window"
		err := db.SaveResponse(ctx, window2)
		wantCode(t, err, consult.ECONFLICT)
		if consult.ErrorMessage(err) != consult.ChangedElsewhereMessage {
			t.Fatalf("message = %q", consult.ErrorMessage(err))
		}
		if window2.Version != 1 {
			t.Fatalf("a refused save moved Version to %d", window2.Version)
		}
		got, _ := db.Response(ctx, r.ID)
		if got.Answers.Comments != "first window" || got.Version != 2 {
			t.Fatalf("stored %q version %d, want the first window's at 2", got.Answers.Comments, got.Version)
		}
		err = db.CompleteResponse(ctx, window2)
		wantCode(t, err, consult.ECONFLICT)
		if got, _ := db.Response(ctx, r.ID); got.Completed() {
			t.Fatal("a stale completion completed the response")
		}
	})
	t.Run("completion adds one; a completed response is submitted whatever the version", func(t *testing.T) {
		r := createResponse(t, db, c)
		stale := *r
		r.Answers = testAnswers("north")
		if err := db.CompleteResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Response(ctx, r.ID)
		if r.Version != 2 || got.Version != 2 {
			t.Fatalf("Version after completion = %d, stored %d; want 2", r.Version, got.Version)
		}
		wantCode(t, db.SaveResponse(ctx, &stale), consult.ESUBMITTED)
		wantCode(t, db.SaveResponse(ctx, got), consult.ESUBMITTED)
		wantCode(t, db.CompleteResponse(ctx, &stale), consult.ESUBMITTED)
	})
	t.Run("of parallel saves from one version exactly one wins", func(t *testing.T) {
		r := createResponse(t, db, c)
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := *r
				mine.Answers.Comments = "window"
				errs[i] = db.SaveResponse(ctx, &mine)
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
		if ok != 1 {
			t.Fatalf("%d parallel saves from version 1 succeeded, want 1", ok)
		}
	})
	t.Run("imported responses are version 1", func(t *testing.T) {
		in := &consult.Response{ID: "0b0c9d4e-5a51-4b53-9f53-77c1c1a1b001", Channel: consult.ChannelPaper,
			Reached: 7, Answers: testAnswers("south"), CompletedAt: time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC)}
		if _, err := db.ImportResponses(ctx, c.ID, []*consult.Response{in}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Response(ctx, in.ID)
		if in.Version != 1 || got.Version != 1 {
			t.Fatalf("imported Version = %d, stored %d; want 1", in.Version, got.Version)
		}
	})
}

func TestPurgeAbandoned(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	c := createConsultation(t, db, "purge")
	t0 := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return t0 }
	old := createResponse(t, db, c)
	if err := db.SetResumeCode(ctx, old.ID, consult.HashResumeCode("OLDCODE"), "lot-1"); err != nil {
		t.Fatal(err)
	}
	oldDone := completeResponse(t, db, c)
	db.now = func() time.Time { return t0.Add(48 * time.Hour) }
	recent := createResponse(t, db, c)

	n, err := db.PurgeAbandoned(ctx, t0.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PurgeAbandoned = %d, %v; want 1", n, err)
	}
	_, err = db.Response(ctx, old.ID)
	wantCode(t, err, consult.ENOTFOUND)
	_, _, err = db.ResponseByResumeCode(ctx, consult.HashResumeCode("OLDCODE"))
	wantCode(t, err, consult.ENOTFOUND)
	var codes int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM resume_codes`).Scan(&codes); err != nil || codes != 0 {
		t.Fatalf("%d resume codes left (%v), want 0", codes, err)
	}
	for _, r := range []*consult.Response{oldDone, recent} {
		if _, err := db.Response(ctx, r.ID); err != nil {
			t.Fatalf("response %s was purged: %v", r.ID, err)
		}
	}
	if n, err := db.PurgeAbandoned(ctx, t0.Add(24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("second PurgeAbandoned = %d, %v; want 0", n, err)
	}
}

func TestAllow(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	t0 := time.Date(2027, 1, 1, 12, 0, 10, 0, time.UTC)

	t.Run("limit per aligned window, refusals not counted", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			ok, retry, err := db.Allow(ctx, "k1", 3, time.Minute, t0.Add(time.Duration(i)*time.Second))
			if err != nil || !ok || retry != 0 {
				t.Fatalf("event %d: Allow = %v, %v, %v; want allowed", i+1, ok, retry, err)
			}
		}
		ok, retry, err := db.Allow(ctx, "k1", 3, time.Minute, t0.Add(5*time.Second))
		if err != nil || ok || retry != 45*time.Second {
			t.Fatalf("4th event: Allow = %v, %v, %v; want refused, retry 45s", ok, retry, err)
		}
		var count int
		if err := db.read.QueryRowContext(ctx, `SELECT count FROM rate_limits WHERE key = 'k1'`).Scan(&count); err != nil || count != 3 {
			t.Fatalf("stored count = %d (%v), want 3", count, err)
		}
		ok, _, err = db.Allow(ctx, "k1", 3, time.Minute, t0.Add(50*time.Second))
		if err != nil || !ok {
			t.Fatalf("next window: Allow = %v, %v; want allowed", ok, err)
		}
		ok, _, _ = db.Allow(ctx, "k2", 3, time.Minute, t0)
		if !ok {
			t.Fatal("another key shares k1's count")
		}
	})
	t.Run("50 parallel callers with limit 10: exactly 10 allowed", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := db.Allow(ctx, "parallel", 10, time.Hour, t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if allowed != 10 {
			t.Fatalf("%d allowed, want 10", allowed)
		}
	})
	t.Run("two stores on one file share the limit", func(t *testing.T) {
		_, path := openTestDB(t)
		a, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		for i, s := range []*DB{a, b, a} {
			ok, _, err := s.Allow(ctx, "shared", 2, time.Minute, t0)
			if err != nil || ok != (i < 2) {
				t.Fatalf("event %d: Allow = %v, %v", i+1, ok, err)
			}
		}
	})
	t.Run("old windows are deleted", func(t *testing.T) {
		if _, _, err := db.Allow(ctx, "old", 5, time.Second, t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Allow(ctx, "old", 5, time.Second, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_limits WHERE key = 'old'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d windows kept (%v), want 1", n, err)
		}
	})
}

func TestFilesArePrivate(t *testing.T) {
	db, path := openTestDB(t)
	completeResponse(t, db, createConsultation(t, db, "private"))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, mode)
		}
	}
}

func TestWALIsCheckpointed(t *testing.T) {
	saved := checkpointInterval
	checkpointInterval = 200 * time.Millisecond
	defer func() { checkpointInterval = saved }()
	ctx := context.Background()
	db, path := openTestDB(t)
	c := createConsultation(t, db, "wal")
	r := createResponse(t, db, c)
	// A reader holding a snapshot keeps SQLite's own checkpoints from
	// resetting the log; the writes then grow it.
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM responses`)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal("no row to hold the reader on")
	}
	for i := range 40 {
		r.Answers.Comments = strings.Repeat(string(rune('a'+i%26)), 64<<10)
		if err := db.SaveResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	grown := fileSize(t, path+"-wal")
	if grown < 1<<20 {
		t.Fatalf("the log grew to only %d bytes; the test does not hold a reader", grown)
	}
	rows.Close()
	deadline := time.Now().Add(5 * time.Second)
	for fileSize(t, path+"-wal") != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the log is still %d bytes after the reader let go", fileSize(t, path+"-wal"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Nothing was lost by truncating.
	if got, err := db.Response(ctx, r.ID); err != nil || got.Version != 41 {
		t.Fatalf("after checkpoint: %v, %v", got, err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
