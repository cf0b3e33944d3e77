package db

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/gonogo/gonogo"
)

// TestWebhookFormatsMigration upgrades a board with a webhook registered
// before formats: it keeps the generic JSON for every product. The
// columns refuse an unknown format and products that are not a list, and
// the migration undoes cleanly.
func TestWebhookFormatsMigration(t *testing.T) {
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
	if _, err := p.UpTo(ctx, 21); err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, `INSERT INTO webhooks (id, url, secret, topics, created_by, created_at)
		VALUES (3, 'https://hooks.slack.com/services/T/B/X', 'a shared webhook secret', '["state.changed"]', 'Admin', '2026-01-01T09:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`UPDATE webhooks SET format = 'carrier-pigeon' WHERE id = 3`,
		`UPDATE webhooks SET products = '"payments"' WHERE id = 3`,
		`UPDATE webhooks SET products = 'payments' WHERE id = 3`,
	} {
		if _, err := old.ExecContext(ctx, bad); err == nil {
			t.Errorf("%s was taken", bad)
		}
	}
	if _, err := p.DownTo(ctx, 21); err != nil {
		t.Fatalf("undo: %v", err)
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.FindWebhook(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if w.Format != gonogo.FormatJSON || len(w.Products) != 0 || !w.Covers("payments") {
		t.Fatalf("the old webhook after the upgrade: format %q, products %v", w.Format, w.Products)
	}
}
