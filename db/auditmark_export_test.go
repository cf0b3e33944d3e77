package db

import "testing"

// EventsHashedForTest is how many events looks at the trail have hashed.
func (s *Store) EventsHashedForTest() int64 { return s.audit.hashed.Load() }

// SmallLooksForTest makes a look at the trail read chunk events at a time
// and verify at most budget, until the test ends.
func SmallLooksForTest(t testing.TB, chunk, budget int) {
	t.Helper()
	oldChunk, oldBudget := markChunk, markBudget
	markChunk, markBudget = chunk, budget
	t.Cleanup(func() { markChunk, markBudget = oldChunk, oldBudget })
}
