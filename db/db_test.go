package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// mustOpen opens the store at path and closes it when the test ends.
func mustOpen(t *testing.T, path string) *db.Store {
	t.Helper()
	s, err := db.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustTemplate(t *testing.T, s *db.Store) []db.TemplateItem {
	t.Helper()
	tpl, err := s.FindTemplate(t.Context())
	if err != nil {
		t.Fatalf("find template: %v", err)
	}
	return tpl
}

func TestOpenMigratesAndSeedsTemplate(t *testing.T) {
	s := db.OpenTest(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	for _, table := range []string{"users", "user_roles", "sessions", "releases", "items", "template_items", "audit_events", "settings"} {
		if n := count(t, s, table); table != "template_items" && table != "settings" && n != 0 {
			t.Errorf("%s has %d rows in a new database", table, n)
		}
	}
	var mode string
	if err := rawDB(t, s).QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode = %q, %v; want wal", mode, err)
	}

	tpl := mustTemplate(t, s)
	def := gonogo.DefaultTemplate()
	if len(tpl) != len(def) {
		t.Fatalf("template has %d items, want %d", len(tpl), len(def))
	}
	for i, got := range tpl {
		if got.ItemInput != def[i] || got.Position != i+1 {
			t.Errorf("template item %d = %+v at %d, want %+v at %d", i, got.ItemInput, got.Position, def[i], i+1)
		}
	}
}

func TestOpenCreatesFolder(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "a", "b", "gonogo.db"))
	if len(mustTemplate(t, s)) == 0 {
		t.Fatal("no template")
	}
}

func TestReopenDoesNotReseedTemplate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gonogo.db")
	s, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := len(mustTemplate(t, s))
	rel := mustCreateRelease(t, s, "payments", "1.0.0")
	s.Close()

	s = mustOpen(t, path)
	if got := len(mustTemplate(t, s)); got != want {
		t.Fatalf("template has %d items after reopening, want %d", got, want)
	}
	if _, err := s.FindRelease(t.Context(), rel.ID); err != nil {
		t.Fatalf("release lost on reopening: %v", err)
	}
}

func TestEmptiedTemplateIsNotReseeded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gonogo.db")
	s, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range mustTemplate(t, s) {
		if err := s.RemoveTemplateItem(t.Context(), gonogo.SystemActor, it.ID); err != nil {
			t.Fatalf("remove template item %d: %v", it.ID, err)
		}
	}
	s.Close()

	s = mustOpen(t, path)
	if tpl := mustTemplate(t, s); len(tpl) != 0 {
		t.Fatalf("template has %d items after reopening, want it left empty", len(tpl))
	}
	rel := mustCreateRelease(t, s, "payments", "1.0.0")
	if items := mustFindItems(t, s, rel.ID); len(items) != 0 {
		t.Fatalf("release from an empty template has %d items", len(items))
	}
}
