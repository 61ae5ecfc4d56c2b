package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

func (su *suite) testRateLimits(t *testing.T) {
	s := su.open(t)
	t0 := time.Date(2027, 1, 1, 12, 0, 10, 0, time.UTC)
	t.Run("limit per aligned window; refusals are not counted", func(t *testing.T) {
		for i := range 3 {
			ok, retry, err := s.Allow(ctx, "k1", 3, time.Minute, t0.Add(time.Duration(i)*time.Second))
			if err != nil || !ok || retry != 0 {
				t.Fatalf("event %d: Allow = %v, %v, %v; want allowed", i+1, ok, retry, err)
			}
		}
		for range 3 {
			ok, retry, err := s.Allow(ctx, "k1", 3, time.Minute, t0.Add(5*time.Second))
			if err != nil || ok || retry != 45*time.Second {
				t.Fatalf("over the limit: Allow = %v, %v, %v; want refused, retry 45s", ok, retry, err)
			}
		}
		// A higher limit in the same window sees 3 counted, not 6.
		if ok, _, _ := s.Allow(ctx, "k1", 4, time.Minute, t0.Add(6*time.Second)); !ok {
			t.Fatal("refused events were counted")
		}
		ok, _, err := s.Allow(ctx, "k1", 3, time.Minute, t0.Add(50*time.Second))
		if err != nil || !ok {
			t.Fatalf("next window: Allow = %v, %v; want allowed", ok, err)
		}
		if ok, _, _ := s.Allow(ctx, "k2", 3, time.Minute, t0); !ok {
			t.Fatal("another key shares k1's count")
		}
	})
	t.Run("windows are aligned to the Unix epoch", func(t *testing.T) {
		w := 7 * time.Second
		start := consult.RateWindow(t0, w)
		if start.UnixNano()%int64(w) != 0 || start.After(t0) || !start.Add(w).After(t0) {
			t.Fatalf("RateWindow(%v, %v) = %v", t0, w, start)
		}
		if ok, _, _ := s.Allow(ctx, "aligned", 1, w, start.Add(w-time.Nanosecond)); !ok {
			t.Fatal("first event refused")
		}
		ok, retry, _ := s.Allow(ctx, "aligned", 1, w, start)
		if ok || retry != w {
			t.Fatalf("same window: %v, %v; want refused for %v", ok, retry, w)
		}
		if ok, _, _ := s.Allow(ctx, "aligned", 1, w, start.Add(w)); !ok {
			t.Fatal("the next window began refused")
		}
	})
	t.Run("a key's limit is per window length", func(t *testing.T) {
		if ok, _, _ := s.Allow(ctx, "lengths", 1, time.Minute, t0); !ok {
			t.Fatal("refused")
		}
		if ok, _, _ := s.Allow(ctx, "lengths", 1, time.Hour, t0); !ok {
			t.Fatal("an hourly limit shares the per-minute count")
		}
	})
	t.Run("a limit of zero refuses", func(t *testing.T) {
		if ok, retry, err := s.Allow(ctx, "zero", 0, time.Minute, t0); ok || err != nil || retry <= 0 {
			t.Fatalf("Allow(limit 0) = %v, %v, %v", ok, retry, err)
		}
	})
	t.Run("many old windows and keys do not disturb a new one", func(t *testing.T) {
		for i := range 200 {
			if _, _, err := s.Allow(ctx, "ip-"+string(rune('a'+i%26))+string(rune('a'+i/26%26)), 5, time.Second, t0.Add(time.Duration(i)*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
		}
		later := t0.Add(time.Hour)
		for i := range 5 {
			if ok, _, _ := s.Allow(ctx, "ip-aa", 5, time.Second, later); !ok {
				t.Fatalf("event %d in a new window refused", i+1)
			}
		}
		if ok, _, _ := s.Allow(ctx, "ip-aa", 5, time.Second, later); ok {
			t.Fatal("sixth event allowed")
		}
	})
	t.Run("parallel callers: exactly the limit is allowed", func(t *testing.T) {
		var wg sync.WaitGroup
		var allowed atomic.Int32
		for range Parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := s.Allow(ctx, "parallel", 10, time.Hour, t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			}()
		}
		wg.Wait()
		if allowed.Load() != 10 {
			t.Fatalf("%d allowed, want 10", allowed.Load())
		}
	})
}
