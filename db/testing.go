package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/gonogo/gonogo"
)

// OpenTest opens a fresh, migrated database file in a temporary folder that
// is removed when the test ends. It never uses :memory:, which would give
// every pooled connection its own empty database.
func OpenTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "gonogo.db"))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The tampering a test plays: what someone holding the database file, but
// not the checkpoint key, can do to the audit trail. Each drops the
// triggers that keep the trail append-only, changes it through a plain
// connection, and puts the triggers back, so the file looks untouched.

// DeleteEventsAfterForTest deletes every audit event after id from the
// database at path: the chain of what is left still verifies.
func DeleteEventsAfterForTest(t testing.TB, path string, id int64) {
	t.Helper()
	tamper(t, path, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM audit_events WHERE id > ?`, id)
		return err
	})
}

// RewriteEventForTest changes the detail of event id in the database at
// path and hashes the chain again from there, so that it verifies.
func RewriteEventForTest(t testing.TB, path string, id int64, detail string) {
	t.Helper()
	tamper(t, path, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE audit_events SET detail = ? WHERE id = ?`, detail, id); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT ` + eventColumns + ` FROM audit_events ORDER BY id`)
		if err != nil {
			return err
		}
		events, err := collect(rows, scanEvent)
		if err != nil {
			return err
		}
		prev := gonogo.GenesisHash
		for _, e := range events {
			if e.ID >= id {
				e.PrevHash, e.Hash = prev, e.ComputeHash(prev)
				if _, err := tx.Exec(`UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?`, e.PrevHash, e.Hash, e.ID); err != nil {
					return err
				}
			}
			prev = e.Hash
		}
		return nil
	})
}

func tamper(t testing.TB, path string, change func(*sql.Tx) error) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var triggers []string
	rows, err := tx.Query(`SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name IN ('audit_never_edited', 'audit_never_deleted')`)
	if err == nil {
		triggers, err = collect(rows, func(sc scanner) (string, error) {
			var s string
			return s, sc.Scan(&s)
		})
	}
	if err != nil {
		t.Fatalf("tamper: read the triggers: %v", err)
	}
	for _, q := range []string{`DROP TRIGGER audit_never_edited`, `DROP TRIGGER audit_never_deleted`} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("tamper: %s: %v", q, err)
		}
	}
	if err := change(tx); err != nil {
		t.Fatalf("tamper: %v", err)
	}
	for _, q := range triggers {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("tamper: put the trigger back: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

// ExecElsewhereForTest runs a statement on the database at path through a
// plain connection of its own, as another process (the sqlite3 shell, a
// clean-up script) would: no Store hears of it but by reading the file.
func ExecElsewhereForTest(t testing.TB, path, query string, args ...any) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
