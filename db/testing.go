package db

import (
	"context"
	"path/filepath"
	"testing"
)

// OpenTest opens a fresh, migrated database file in a temporary folder that
// is removed when the test ends. It never uses :memory:, which would give
// every pooled connection its own empty database.
func OpenTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "gonogo.db"))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
