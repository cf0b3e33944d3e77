package db

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestTokenCreatorMigration upgrades a board whose tokens know their
// creator only by name: each learns the person from its token.create event,
// and one made from the command line stays without a person.
func TestTokenCreatorMigration(t *testing.T) {
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
	if _, err := p.UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, email, name, password_hash, disabled, created_at) VALUES (7, 'ada@example.com', 'Ada', 'x', 1, '2026-01-01T09:00:00.000Z')`,
		`INSERT INTO api_tokens (id, name, hash, hint, created_by, created_at) VALUES (1, 'deploy', 'h1', 'gng_abcd', 'Ada', '2026-01-02T09:00:00.000Z')`,
		`INSERT INTO api_tokens (id, name, hash, hint, created_by, created_at) VALUES (2, 'cron', 'h2', 'gng_efgh', 'gonogo token create (command line)', '2026-01-03T09:00:00.000Z')`,
		`INSERT INTO audit_events (id, at, actor_id, actor, action, detail, prev_hash, hash)
			VALUES (1, '2026-01-02T09:00:00.000Z', 7, 'Ada', 'token.create', 'created API token "deploy" for every product', '', '')`,
		`INSERT INTO audit_events (id, at, actor, action, detail, prev_hash, hash)
			VALUES (2, '2026-01-03T09:00:00.000Z', 'gonogo token create (command line)', 'token.create', 'created API token "cron" for every product', '', '')`,
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
	deploy, err := s.FindToken(ctx, 1)
	if err != nil || deploy.Creator.ID != 7 || deploy.Creator.Name != "Ada" || !deploy.CreatorDisabled() {
		t.Fatalf("deploy's creator: %+v, %v", deploy.Creator, err)
	}
	cron, err := s.FindToken(ctx, 2)
	if err != nil || cron.Creator.ID != 0 || cron.CreatorDisabled() || cron.CreatedBy != "gonogo token create (command line)" {
		t.Fatalf("cron's creator: %+v, %v", cron, err)
	}
}
