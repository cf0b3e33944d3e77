package db

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestPilotMigrationOnAnExistingBoard upgrades a board whose template was
// seeded before the pilot: its global template gains the pilot's item
// after its verification items, once; a product's own template is left
// as its admins made it.
func TestPilotMigrationOnAnExistingBoard(t *testing.T) {
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
		`INSERT INTO template_items (phase, title, owner_role, position) VALUES ('verification', 'Dashboards healthy', 'ops', 1)`,
		`INSERT INTO template_items (phase, title, owner_role, position) VALUES ('rollback', 'Rollback rehearsed', 'ops', 2)`,
		`INSERT INTO template_items (product, phase, title, owner_role, position) VALUES ('web', 'verification', 'Own check', 'ops', 1)`,
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
	rows, err := s.read.QueryContext(ctx, `SELECT product, title, check_key FROM template_items ORDER BY product, position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var product, title, key string
		if err := rows.Scan(&product, &title, &key); err != nil {
			t.Fatal(err)
		}
		got = append(got, product+"|"+title+"|"+key)
	}
	// 00033 gives Dashboards healthy the key a firing alert fails.
	want := []string{"|Dashboards healthy|dashboards-healthy", "|Pilot users confirm the feature works|pilot-confirmed", "|Rollback rehearsed|", "web|Own check|"}
	if len(got) != len(want) {
		t.Fatalf("template = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("template = %q, want %q", got, want)
		}
	}
}
