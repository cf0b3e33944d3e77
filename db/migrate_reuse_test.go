package db

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/gonogo/gonogo"
)

// TestReuseCancelledMigration upgrades a board of version 11 with releases
// and everything that points at them: the releases table is rebuilt
// without dropping a row it holds or cascading to one that refers to it,
// its trigger still stamps the shipping date, and a cancelled version can
// be released anew while a live one still cannot.
func TestReuseCancelledMigration(t *testing.T) {
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
	if _, err := p.UpTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO settings (key, value) VALUES ('template_seeded', '1')`,
		`INSERT INTO users (id, email, name, password_hash, disabled, created_at) VALUES (7, 'rita@example.com', 'Rita', 'x', 0, '2026-01-01T09:00:00.000Z')`,
		`INSERT INTO user_roles (user_id, role) VALUES (7, 'release-manager')`,
		`INSERT INTO releases (id, product, version, title, state, manager_id, created_at, updated_at, window_seq, review_at)
			VALUES (12, 'billing', '1.0.0', 'First try', 'cancelled', 7, '2026-01-02T09:00:00.000Z', '2026-01-03T09:00:00.000Z', 2, '2026-01-02T10:00:00.000Z')`,
		`INSERT INTO releases (id, product, version, title, state, created_at, updated_at)
			VALUES (13, 'billing', '1.1.0', 'Next', 'verifying', '2026-01-04T09:00:00.000Z', '2026-01-05T09:00:00.000Z')`,
		`INSERT INTO items (id, release_id, phase, pillar, title, owner_role) VALUES (100, 12, 'readiness', 'business', 'Notes written', 'product-owner')`,
		`INSERT INTO defects (id, release_id, title, severity, status, updated_at, created_at) VALUES (5, 12, 'Crash', 'blocker', 'open', '2026-01-02T09:00:00.000Z', '2026-01-02T09:00:00.000Z')`,
		`INSERT INTO votes (release_id, cycle, role, user_id, user_name, value, at) VALUES (12, 1, 'release-manager', 7, 'Rita', 'no-go', '2026-01-02T11:00:00.000Z')`,
		`INSERT INTO audit_events (id, at, actor, action, release_id, detail, prev_hash, hash)
			VALUES (1, '2026-01-03T09:00:00.000Z', 'Rita', 'release.state', 12, 'moved from In review to Cancelled', '', '')`,
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
	for _, c := range []struct {
		query string
		want  int
	}{
		{`SELECT count(*) FROM releases`, 2},
		{`SELECT count(*) FROM releases WHERE id = 12 AND window_seq = 2 AND review_at = '2026-01-02T10:00:00.000Z' AND manager_id = 7`, 1},
		{`SELECT count(*) FROM items WHERE id = 100 AND release_id = 12`, 1},
		{`SELECT count(*) FROM defects WHERE release_id = 12`, 1},
		{`SELECT count(*) FROM votes WHERE release_id = 12`, 1},
		{`SELECT count(*) FROM audit_events WHERE release_id = 12`, 1},
		{`SELECT count(*) FROM pragma_foreign_key_check`, 0},
		{`SELECT count(*) FROM sqlite_schema WHERE name = 'releases_new'`, 0},
	} {
		var n int
		if err := s.read.QueryRowContext(ctx, c.query).Scan(&n); err != nil || n != c.want {
			t.Errorf("%s: %d, %v; want %d", c.query, n, err, c.want)
		}
	}
	var fk int
	if err := s.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys after the migration: %d, %v", fk, err)
	}

	a := gonogo.Actor{UserID: 7, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	again, err := s.CreateRelease(ctx, a, gonogo.ReleaseInput{Product: "billing", Version: "1.0.0", Title: "Second try"})
	if err != nil {
		t.Fatalf("a cancelled version released anew: %v", err)
	}
	if again.ID == 12 {
		t.Fatal("the new release took the cancelled one's id")
	}
	_, err = s.CreateRelease(ctx, a, gonogo.ReleaseInput{Product: "billing", Version: "1.1.0", Title: "Twice"})
	if gonogo.ErrorFields(err)["version"] != "billing 1.1.0 already exists" {
		t.Fatalf("a live version made twice: %v", err)
	}
	// The trigger came back with the table.
	if _, err := s.write.ExecContext(ctx, `UPDATE releases SET state = 'released', updated_at = '2026-02-01T09:00:00.000Z' WHERE id = 13`); err != nil {
		t.Fatal(err)
	}
	var shipped sql.NullString
	if err := s.write.QueryRowContext(ctx, `SELECT released_at FROM releases WHERE id = 13`).Scan(&shipped); err != nil || shipped.String != "2026-02-01T09:00:00.000Z" {
		t.Fatalf("shipping date after the rebuild: %v, %v", shipped, err)
	}
	// The foreign keys that point at the rebuilt table still hold.
	if _, err := s.write.ExecContext(ctx, `INSERT INTO items (release_id, phase, title, owner_role) VALUES (999, 'readiness', 'x', 'ops')`); err == nil {
		t.Fatal("an item of no release was stored: foreign keys are off")
	}
}
