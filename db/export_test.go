package db

import (
	"context"

	"github.com/gonogo/gonogo"
)

// LoadSnapshots lets benchmarks time FindSnapshots' read of the database,
// which the memo otherwise answers from memory.
func (s *Store) LoadSnapshots(ctx context.Context, f gonogo.ReleaseFilter) ([]gonogo.Snapshot, error) {
	return s.loadSnapshots(ctx, f)
}
