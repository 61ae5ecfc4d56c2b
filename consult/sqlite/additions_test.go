package sqlite

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestOldRateWindowsDeleted checks that the table of rate-limit windows
// does not keep every window ever counted.
func TestOldRateWindowsDeleted(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	t0 := time.Date(2027, 1, 1, 12, 0, 10, 0, time.UTC)
	count := func(where string) (n int) {
		t.Helper()
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_limits WHERE `+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("a key's own earlier windows at its next event", func(t *testing.T) {
		for i := range 3 {
			if _, _, err := db.Allow(ctx, "old", 5, time.Second, t0.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if n := count("key = 'old'"); n != 1 {
			t.Fatalf("%d windows kept, want 1", n)
		}
	})
	t.Run("other keys' expired windows every so often", func(t *testing.T) {
		for i := range sweepEvery {
			if _, _, err := db.Allow(ctx, fmt.Sprintf("ip-%d", i), 5, time.Second, t0.Add(time.Duration(i)*10*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
		}
		last := t0.Add((sweepEvery - 1) * 10 * time.Millisecond)
		if n := count(fmt.Sprint("expires_at <= ", last.UnixNano())); n != 0 {
			t.Fatalf("%d expired windows kept after a sweep, want 0", n)
		}
		if n := count("1"); n == 0 || n >= sweepEvery {
			t.Fatalf("%d windows kept, want the unexpired ones only", n)
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
