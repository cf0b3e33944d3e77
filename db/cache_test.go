package db_test

import (
	"context"
	"strconv"
	"strings"
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

// TestCacheKeepsMostPastItsBound checks that a cache filled past Max lets
// go of the least recently used values only: a value read early and used
// since is still answered from memory, and so are most of the others.
func TestCacheKeepsMostPastItsBound(t *testing.T) {
	s := db.OpenTest(t)
	c := db.Cache[int]{Max: 100}
	v, err := s.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int32
	get := func(k int) {
		t.Helper()
		load := func(context.Context) (int, error) { reads.Add(1); return k, nil }
		if x, err := c.Get(t.Context(), v, strconv.Itoa(k), load, db.Plain[int]); err != nil || x != k {
			t.Fatalf("key %d: got %d, %v", k, x, err)
		}
	}
	for k := range 110 {
		get(k)
		get(0) // in use all along
	}
	before := reads.Load()
	get(0)
	for k := 20; k < 110; k++ {
		get(k)
	}
	if n := reads.Load() - before; n != 0 {
		t.Errorf("%d of 91 values kept past the bound were read again, want 0", n)
	}
	get(1) // among the least recently used: let go
	if n := reads.Load() - before; n != 1 {
		t.Errorf("the least recently used value was read %d times, want once", n)
	}
}

// TestCacheLetsGoPastItsBytes checks that values past MaxBytes, as Size
// counts them, are let go least recently used first, and that a value
// replaced under its key is counted once.
func TestCacheLetsGoPastItsBytes(t *testing.T) {
	s := db.OpenTest(t)
	c := db.Cache[string]{Max: 100, MaxBytes: 1000, Size: func(x string) int { return len(x) }}
	v, err := s.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int32
	get := func(k int) {
		t.Helper()
		want := strings.Repeat(strconv.Itoa(k%10), 100)
		load := func(context.Context) (string, error) { reads.Add(1); return want, nil }
		if x, err := c.Get(t.Context(), v, strconv.Itoa(k), load, db.Plain[string]); err != nil || x != want {
			t.Fatalf("key %d: got %q, %v", k, x, err)
		}
	}
	for k := range 20 { // 2,000 bytes asked to be kept in 1,000
		get(k)
	}
	before := reads.Load()
	for k := 10; k < 20; k++ {
		get(k)
	}
	if n := reads.Load() - before; n != 0 {
		t.Errorf("%d of the 10 newest values were read again, want 0", n)
	}
	get(0)
	if n := reads.Load() - before; n != 1 {
		t.Errorf("the oldest value was read %d times, want once: it was let go", n)
	}
}
