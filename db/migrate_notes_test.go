package db

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestNotesMigrationOnAnExistingBoard upgrades a board made before release
// notes: its template and releases get the release-notes check key, and a
// release that shipped learns when from the audit trail.
func TestNotesMigrationOnAnExistingBoard(t *testing.T) {
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
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO settings (key, value) VALUES ('template_seeded', '1')`,
		`INSERT INTO template_items (phase, pillar, title, owner_role, position) VALUES ('readiness', 'business', 'Release notes written', 'product-owner', 1)`,
		`INSERT INTO releases (id, product, version, title, state, created_at, updated_at)
			VALUES (1, 'payments', '2.3.1', 'Fix', 'released', '2026-01-01T09:00:00.000Z', '2026-01-09T09:00:00.000Z')`,
		`INSERT INTO releases (id, product, version, title, state, created_at, updated_at)
			VALUES (2, 'payments', '2.4.0', 'Next', 'review', '2026-01-02T09:00:00.000Z', '2026-01-09T09:00:00.000Z')`,
		`INSERT INTO items (release_id, phase, pillar, title, owner_role) VALUES (1, 'readiness', 'business', 'Release notes written', 'product-owner')`,
		`INSERT INTO items (release_id, phase, pillar, title, owner_role) VALUES (2, 'readiness', 'business', 'Release notes written', 'product-owner')`,
		`INSERT INTO audit_events (id, at, actor, action, release_id, detail, prev_hash, hash)
			VALUES (1, '2026-01-05T17:00:00.000Z', 'Rita', 'release.state', 1, 'moved from Verifying to Released', '', '')`,
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
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM template_items WHERE check_key = 'release-notes'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("template items with the key: %d, %v", n, err)
	}
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE check_key = 'release-notes'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("release items with the key: %d, %v", n, err)
	}
	var shipped sql.NullString
	if err := s.read.QueryRowContext(ctx, `SELECT released_at FROM releases WHERE id = 1`).Scan(&shipped); err != nil || shipped.String != "2026-01-05T17:00:00.000Z" {
		t.Fatalf("released_at %v, %v", shipped, err)
	}
	if err := s.read.QueryRowContext(ctx, `SELECT released_at FROM releases WHERE id = 2`).Scan(&shipped); err != nil || shipped.Valid {
		t.Fatalf("a release in review has released_at %v, %v", shipped, err)
	}
}
