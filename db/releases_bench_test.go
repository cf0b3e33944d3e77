package db_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/seed"
)

// benchDir holds benchStore's file, removed by TestMain.
var benchDir string

// benchStore is a board of DefaultBenchSpec's size, generated once per run:
// the go test benchmark harness calls a benchmark several times.
// GONOGO_BENCH_DB names a board generated before (of any size) to read
// instead; it is opened as it is, so give it a copy.
var benchStore = sync.OnceValues(func() (*db.Store, error) {
	if path := os.Getenv("GONOGO_BENCH_DB"); path != "" {
		return db.Open(context.Background(), path)
	}
	dir, err := os.MkdirTemp("", "gonogo-bench")
	if err != nil {
		return nil, err
	}
	benchDir = dir
	s, err := db.Open(context.Background(), filepath.Join(dir, "bench.db"))
	if err != nil {
		return nil, err
	}
	return s, seed.Bench(context.Background(), s, seed.DefaultBenchSpec)
})

func mustBenchStore(b *testing.B) *db.Store {
	b.Helper()
	s, err := benchStore()
	if err != nil {
		b.Fatalf("bench data: %v", err)
	}
	return s
}

// BenchmarkFindSnapshots is the board's query on a year of 300 releases:
// read from the database, and answered from the memo between two commits.
func BenchmarkFindSnapshots(b *testing.B) {
	s := mustBenchStore(b)
	for _, tc := range []struct {
		name string
		f    gonogo.ReleaseFilter
	}{
		{"every release", gonogo.ReleaseFilter{}},
		{"board", gonogo.ReleaseFilter{ClosedSince: time.Now().AddDate(0, 0, -30)}},
		{"one product", gonogo.ReleaseFilter{Product: "payments"}},
		{"released", gonogo.ReleaseFilter{States: []gonogo.State{gonogo.Released}}},
	} {
		b.Run(tc.name+"/read", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.LoadSnapshots(b.Context(), tc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/kept", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.FindSnapshots(b.Context(), tc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// closeBenchStore removes benchStore's file, if a benchmark made one.
func closeBenchStore() {
	if benchDir == "" {
		return
	}
	if s, err := benchStore(); err == nil {
		s.Close()
	}
	os.RemoveAll(benchDir)
}
