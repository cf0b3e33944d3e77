package db

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestAlertsMigrationOnAnExistingBoard upgrades a board made before alerts:
// the "Dashboards healthy" verification item of every template and every
// release gets the check key a firing alert finds it by, once per release,
// and never an item of another phase or a condition of the same words.
func TestAlertsMigrationOnAnExistingBoard(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, old, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO settings (key, value) VALUES ('template_seeded', '1')`,
		`INSERT INTO products (key, name, created_at, own_template) VALUES ('payments', 'Payments', '2026-01-01T09:00:00.000Z', 1)`,
		`INSERT INTO template_items (product, phase, title, owner_role, position) VALUES ('', 'verification', 'Dashboards healthy', 'ops', 1)`,
		`INSERT INTO template_items (product, phase, title, owner_role, position) VALUES ('payments', 'verification', 'Dashboards healthy', 'ops', 1)`,
		`INSERT INTO releases (id, product, version, title, state, created_at, updated_at)
			VALUES (1, 'payments', '2.4.0', 'Next', 'deploying', '2026-01-02T09:00:00.000Z', '2026-01-09T09:00:00.000Z')`,
		`INSERT INTO items (id, release_id, phase, title, owner_role) VALUES (1, 1, 'readiness', 'Dashboards healthy', 'ops')`,
		`INSERT INTO items (id, release_id, phase, title, owner_role) VALUES (2, 1, 'verification', 'Dashboards healthy', 'ops')`,
		`INSERT INTO items (id, release_id, phase, title, owner_role) VALUES (3, 1, 'verification', 'Dashboards healthy', 'ops')`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM template_items WHERE check_key = 'dashboards-healthy'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("template items with the key: %d, %v; want the global template's and payments'", n, err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM items WHERE check_key = 'dashboards-healthy'`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := collect(rows, scanOne[int64])
	if err != nil || len(ids) != 1 || ids[0] != 2 {
		t.Fatalf("items with the key %v, %v; want the first verification item alone", ids, err)
	}
}
