package db

import (
	"context"
	"database/sql"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrateDownTo undoes, on the database at path, every migration after
// version, each by its Down: a test of an upgrade from an older board
// starts from there, however many migrations came after.
func MigrateDownTo(ctx context.Context, path string, version int64) error {
	raw, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return err
	}
	defer raw.Close()
	sub, _ := fs.Sub(migrations, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, sub)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
