package db

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/sync/singleflight"
)

// Cache keeps values read at one Version of the database until the next
// commit, so that what is read far more often than it changes is read once
// per change. Requests that miss at the same time share one read: after a
// commit, every page open at that moment misses at once, and each reading
// for itself brought a busy board down whenever votes were cast
// (docs/performance.md).
//
// A kept value is never handed out: every caller gets its own copy, made
// by the copy function it names, so no caller can change what the next
// one reads.
//
// Past Max values, the least recently used one is let go to make room for
// the next: a cache that dropped everything at its bound answered the gate
// API polled across 200 releases a third as fast as across 40, since each
// round of polls emptied it before the next came back.
//
// Past MaxBytes, as Size estimates them, the least recently used values
// are let go too: a count alone bounds no memory, since a value may be a
// number or a release's whole snapshot.
type Cache[T any] struct {
	// Max bounds the values kept between two commits (0 means DefaultMax).
	Max int
	// MaxBytes bounds the bytes kept, as Size estimates each value's
	// (0: no bound but Max).
	MaxBytes int
	Size     func(T) int

	mu      sync.Mutex
	version Version
	entries *simplelru.LRU[string, kept[T]] // nil until the first value is kept
	bytes   int                             // the kept values' sizes, summed
	reads   singleflight.Group
}

// kept is a value with the size it counts for.
type kept[T any] struct {
	x    T
	size int
}

// DefaultMax is the bound of a Cache that names none. The store's memo
// is bounded by bytes (MemoBytes) well before it holds so many values.
const DefaultMax = 4096

// Get returns a copy of the value of key at version v: kept, being read by
// another request, or read now with load. load runs without the caller's
// cancellation, since others may be waiting for it; an error is not kept.
func (c *Cache[T]) Get(ctx context.Context, v Version, key string, load func(context.Context) (T, error), copy func(T) T) (T, error) {
	c.mu.Lock()
	var x T
	ok := c.entries != nil && c.version == v
	if ok {
		var k kept[T]
		k, ok = c.entries.Get(key)
		x = k.x
	}
	c.mu.Unlock()
	if ok {
		return copy(x), nil
	}
	read := c.reads.DoChan(fmt.Sprintf("%d.%d %s", v.conn, v.n, key), func() (any, error) {
		x, err := load(context.WithoutCancel(ctx))
		if err == nil {
			c.keep(v, key, x)
		}
		return x, err
	})
	select {
	case r := <-read:
		if r.Err != nil {
			var zero T
			return zero, r.Err
		}
		return copy(r.Val.(T)), nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// keep stores x, read at v, unless values of a newer version are kept.
func (c *Cache[T]) keep(v Version, key string, x T) {
	size := 0
	if c.MaxBytes > 0 && c.Size != nil {
		size = c.Size(x) // outside the lock: it walks the value
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v.conn == c.version.conn && v.n < c.version.n {
		return
	}
	if c.entries == nil {
		limit := c.Max
		if limit <= 0 {
			limit = DefaultMax
		}
		// fails only for a size below 1
		c.entries, _ = simplelru.NewLRU(limit, func(_ string, k kept[T]) { c.bytes -= k.size })
	}
	if v != c.version {
		c.version = v
		c.entries.Purge()
	}
	if old, ok := c.entries.Peek(key); ok {
		c.bytes -= old.size // Add replaces it without a word
	}
	c.entries.Add(key, kept[T]{x, size})
	c.bytes += size
	for c.MaxBytes > 0 && c.bytes > c.MaxBytes && c.entries.Len() > 1 {
		c.entries.RemoveOldest()
	}
}

// Plain is the copy of a value that refers to nothing shared (numbers,
// strings, structs of them): the value itself.
func Plain[T any](x T) T { return x }
