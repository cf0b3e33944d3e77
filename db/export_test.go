package db

import (
	"context"
	"database/sql"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/gonogo/gonogo"
)

// LoadSnapshots lets benchmarks time FindSnapshots' read of the database,
// which the memo otherwise answers from memory.
func (s *Store) LoadSnapshots(ctx context.Context, f gonogo.ReleaseFilter) ([]gonogo.Snapshot, error) {
	return s.loadSnapshots(ctx, f)
}

// MigrateDownTo takes the database at raw back to the migration version,
// as a board from before the later ones would be: each later migration's
// down runs, newest first.
func MigrateDownTo(ctx context.Context, raw *sql.DB, version int64) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, sub)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
