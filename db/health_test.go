package db_test

import (
	"database/sql"
	"testing"

	"github.com/gonogo/gonogo/db"
)

func TestHealth(t *testing.T) {
	s := db.OpenTest(t)
	h, err := s.Health(t.Context())
	if err != nil || h.Pending || h.Version < 8 {
		t.Fatalf("a freshly migrated database: %+v %v", h, err)
	}

	// A file from an older binary, say one restored into a running board,
	// lacks the newest migration.
	raw, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM goose_db_version WHERE version_id = ?`, h.Version); err != nil {
		t.Fatal(err)
	}
	older, err := s.Health(t.Context())
	if err != nil || !older.Pending || older.Version >= h.Version {
		t.Fatalf("a database without its newest migration: %+v %v", older, err)
	}
}

func TestPoolStats(t *testing.T) {
	s := db.OpenTest(t)
	if _, err := s.FindEvents(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	write, read := s.PoolStats()
	if write.MaxOpenConnections != 1 || read.MaxOpenConnections < 2 || read.OpenConnections < 1 {
		t.Fatalf("pool stats: writer %+v, readers %+v", write, read)
	}
}
