package db

import (
	"context"
	"time"
)

type atKey struct{}

// At returns a context whose changes the store records as made at t, not
// now: every row and audit event their transaction writes carries t. It is
// for writing a history that happened over time in one go (package seed's
// demo and bench boards, each step at the moment it describes); the app
// itself never needs it.
func At(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, atKey{}, t)
}

// txTime is the moment a transaction begun with ctx writes at: the time
// At gave, or the store's clock. It is truncated to what the time format
// keeps, so hashes over it verify on reading.
func (s *Store) txTime(ctx context.Context) time.Time {
	t, ok := ctx.Value(atKey{}).(time.Time)
	if !ok {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Millisecond)
}
