package db

import (
	"context"
	"sync"
)

// Cache keeps values read at one Version of the database until the next
// commit, so that what is read far more often than it changes is read once
// per change. Requests that miss at the same time share one read: after a
// commit, every page open at that moment misses at once, and each reading
// for itself brought a busy board down whenever votes were cast
// (docs/performance.md).
//
// Values are shared between requests: read them, never change them.
type Cache[T any] struct {
	// Max bounds the values kept between two commits (0 means 256).
	Max int

	mu      sync.Mutex
	version Version
	entries map[string]T
	flights map[flightKey]*flight[T]
}

type flightKey struct {
	version Version
	key     string
}

// flight is a read under way, and then its result.
type flight[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// Get returns the value of key at version v: kept, being read by another
// request, or read now with load. load runs without the caller's
// cancellation, since others may be waiting for it; an error is not kept.
func (c *Cache[T]) Get(ctx context.Context, v Version, key string, load func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	if x, ok := c.entries[key]; ok && c.version == v {
		c.mu.Unlock()
		return x, nil
	}
	fk := flightKey{v, key}
	if f, ok := c.flights[fk]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.val, f.err
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
	f := &flight[T]{done: make(chan struct{})}
	if c.flights == nil {
		c.flights = map[flightKey]*flight[T]{}
	}
	c.flights[fk] = f
	c.mu.Unlock()

	f.val, f.err = load(context.WithoutCancel(ctx))
	c.mu.Lock()
	delete(c.flights, fk)
	if f.err == nil {
		c.keep(v, key, f.val)
	}
	c.mu.Unlock()
	close(f.done)
	return f.val, f.err
}

// keep stores x, read at v, unless values of a newer version are kept.
func (c *Cache[T]) keep(v Version, key string, x T) {
	if v.conn == c.version.conn && v.n < c.version.n {
		return
	}
	limit := c.Max
	if limit == 0 {
		limit = 256
	}
	if v != c.version || len(c.entries) >= limit {
		c.version, c.entries = v, map[string]T{}
	}
	c.entries[key] = x
}
