package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Health is the state of the database as a probe sees it.
type Health struct {
	Version int64 // the newest migration applied to the file
	Pending bool  // migrations this binary has that the file lacks
}

// Health reads the migration table through a reader: the database
// answers, and has every migration this binary embeds. Pending can only
// turn true after start if the file was swapped underneath the server,
// say by a restore into a running board.
func (s *Store) Health(ctx context.Context) (Health, error) {
	var h Health
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return h, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.read.DB, sub)
	if err != nil {
		return h, fmt.Errorf("migrations: %w", err)
	}
	if h.Pending, err = p.HasPending(ctx); err != nil {
		return h, fmt.Errorf("pending migrations: %w", err)
	}
	if h.Version, err = p.GetDBVersion(ctx); err != nil {
		return h, fmt.Errorf("database version: %w", err)
	}
	return h, nil
}

// PoolStats are the statistics of the writer connection and of the pool
// of readers, for the metrics page.
func (s *Store) PoolStats() (write, read sql.DBStats) {
	return s.write.Stats(), s.read.Stats()
}
