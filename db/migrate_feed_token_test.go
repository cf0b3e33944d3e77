package db

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestFeedTokenMigration upgrades a board whose people made calendar feed
// addresses: each address keeps working, now as the person's feed token.
func TestFeedTokenMigration(t *testing.T) {
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
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, email, name, password_hash, disabled, created_at) VALUES (7, 'ada@example.com', 'Ada', 'x', 0, '2026-01-01T09:00:00.000Z')`,
		`INSERT INTO calendar_tokens (user_id, hash, created_at) VALUES (7, 'calendar-hash', '2026-01-02T09:00:00.000Z')`,
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
	u, err := s.FindFeedUser(ctx, "calendar-hash")
	if err != nil || u.ID != 7 {
		t.Fatalf("the calendar address made before the upgrade: %+v, %v", u, err)
	}
	if has, err := s.HasFeedToken(ctx, 7); err != nil || !has {
		t.Fatalf("Ada's token after the upgrade: %t, %v", has, err)
	}
}
