package db_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonogo/gonogo/db"
)

// TestCacheSharesOneRead checks that requests missing the cache at once
// wait for one read, and that a commit makes the next request read again.
func TestCacheSharesOneRead(t *testing.T) {
	s := db.OpenTest(t)
	var c db.Cache[int]
	var reads atomic.Int32
	load := func(context.Context) (int, error) {
		reads.Add(1)
		time.Sleep(20 * time.Millisecond)
		return 42, nil
	}
	v, err := s.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if x, err := c.Get(t.Context(), v, "k", load, db.Plain[int]); err != nil || x != 42 {
				t.Errorf("got %d, %v", x, err)
			}
		})
	}
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d reads for ten requests at once, want 1", n)
	}
	mustCreateRelease(t, s, "web", "1.0.0")
	if v2, _ := s.Version(t.Context()); v2 == v {
		t.Fatal("a commit left the version as it was")
	} else if _, err := c.Get(t.Context(), v2, "k", load, db.Plain[int]); err != nil || reads.Load() != 2 {
		t.Fatalf("after a commit: %d reads, %v", reads.Load(), err)
	}
}
