package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/gonogo/gonogo/db"
)

// fileWatch is a connection of its own on the store's file: its PRAGMA
// data_version moves with every commit any other connection makes, which
// is what empties the store's read caches.
type fileWatch struct{ conn *sql.Conn }

func watchFile(t *testing.T, s *db.Store) fileWatch {
	t.Helper()
	conn, err := rawDB(t, s).Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return fileWatch{conn}
}

func (w fileWatch) version(t *testing.T) int64 {
	t.Helper()
	var v int64
	if err := w.conn.QueryRowContext(t.Context(), `PRAGMA data_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// storedMark is the mark as the database file holds it: seq 0 when no
// row was ever written.
func storedMark(t *testing.T, path string) db.AuditMark {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var m db.AuditMark
	err = raw.QueryRowContext(t.Context(), `SELECT seq, hash FROM audit_mark WHERE id = 1`).Scan(&m.Seq, &m.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return m
}

// TestLookWritesNothing: a look that verifies new events commits nothing
// to the file, so the read caches of every other page stay warm; it still
// reports the new events verified.
func TestLookWritesNothing(t *testing.T) {
	s, events := auditedStore(t)
	w := watchFile(t, s)
	c, hashed := look(t, s)
	if c.Mark.Seq != int64(events) || c.Pending() != 0 || hashed != int64(events) {
		t.Fatalf("the look verified through %d (%d pending, %d hashed), want all %d", c.Mark.Seq, c.Pending(), hashed, events)
	}
	mustCreateRelease(t, s, "later", "1.0.0")
	before := w.version(t)
	c, hashed = look(t, s)
	if c.Mark.Seq != int64(events+1) || hashed != 1 || mustMark(t, s).Seq != int64(events+1) {
		t.Fatalf("the second look verified through %d, hashed %d; want %d, 1", c.Mark.Seq, hashed, events+1)
	}
	if after := w.version(t); after != before {
		t.Errorf("a look committed to the file: data_version %d, then %d", before, after)
	}
	if m := storedMark(t, s.Path()); m.Seq != 0 {
		t.Errorf("a look wrote the mark to the file: %+v", m)
	}
}

// TestMarkSurvivesARestart: closing the store writes the mark back, and
// the store opened again goes on from it, hashing only what is new.
func TestMarkSurvivesARestart(t *testing.T) {
	s, events := auditedStore(t)
	look(t, s)
	head := lastEvent(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if m := storedMark(t, s.Path()); m.Seq != head.ID || m.Hash != head.Hash {
		t.Fatalf("after a clean close the file holds mark %+v, want event %d and its hash", m, head.ID)
	}
	again := reopen(t, s.Path())
	if m := mustMark(t, again); m.Seq != int64(events) || m.Hash != head.Hash {
		t.Fatalf("the store opened again is verified through %+v, want %d", m, events)
	}
	mustCreateRelease(t, again, "later", "1.0.0")
	if c, hashed := look(t, again); hashed != 1 || c.Mark.Seq != int64(events+1) {
		t.Fatalf("the first look after the restart hashed %d events (mark %d), want 1", hashed, c.Mark.Seq)
	}
}

// TestWrittenBackMarkGoneIsNoticed: a mark written back, whose newest
// events are then deleted while the server is down, is noticed gone by the
// first look after the restart.
func TestWrittenBackMarkGoneIsNoticed(t *testing.T) {
	s, _ := auditedStore(t)
	first, _ := look(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db.DeleteEventsAfterForTest(t, s.Path(), 5)
	again := reopen(t, s.Path())
	if c, _ := look(t, again); c.Moved == nil || c.Moved.Seq != first.Mark.Seq || c.Mark.Seq != 5 {
		t.Fatalf("look %+v (moved %+v) after the restart; want the mark at %d noticed gone", c, c.Moved, first.Mark.Seq)
	}
}

// TestTamperingPastTheMarkInMemory: with the mark moved in memory only,
// an event edited after it is reported by the next look.
func TestTamperingPastTheMarkInMemory(t *testing.T) {
	s, events := auditedStore(t)
	look(t, s)
	mustCreateRelease(t, s, "later", "1.0.0")
	look(t, s)
	mustCreateRelease(t, s, "later", "1.0.1")
	if m := storedMark(t, s.Path()); m.Seq != 0 {
		t.Fatalf("the looks wrote the mark to the file: %+v", m)
	}
	raw := rawDB(t, s)
	mustExec(t, raw, `DROP TRIGGER audit_never_edited`)
	mustExec(t, raw, `UPDATE audit_events SET detail = 'nothing to see' WHERE id = ?`, events+2)
	c, _ := look(t, s)
	if c.Break == nil || c.Break.EventID != int64(events+2) || c.Mark.Seq != int64(events+1) {
		t.Fatalf("look %+v, want a break at %d and the mark kept at %d", c, events+2, events+1)
	}
}

// TestWholeVerificationWritesTheMarkBack: the background verification
// finds an edit behind the mark the looks keep in memory, and writes that
// mark back, so a restart goes on from it.
func TestWholeVerificationWritesTheMarkBack(t *testing.T) {
	s, events := auditedStore(t)
	look(t, s)
	if m := storedMark(t, s.Path()); m.Seq != 0 {
		t.Fatalf("the look wrote the mark to the file: %+v", m)
	}
	v, err := s.VerifyWholeTrail(t.Context())
	if err != nil || v.Break != nil {
		t.Fatalf("whole verification %+v, %v", v, err)
	}
	if m := storedMark(t, s.Path()); m.Seq != int64(events) || m.Hash != lastEvent(t, s).Hash {
		t.Fatalf("after the whole verification the file holds mark %+v, want %d", m, events)
	}
	tamperDetail(t, s, 3)
	if v, err := s.VerifyWholeTrail(t.Context()); err != nil || v.Break == nil || v.Break.EventID != 3 {
		t.Fatalf("whole verification %+v, %v; want the edit behind the mark at event 3", v, err)
	}
}

func tamperDetail(t *testing.T, s *db.Store, id int64) {
	t.Helper()
	raw := rawDB(t, s)
	mustExec(t, raw, `DROP TRIGGER IF EXISTS audit_never_edited`)
	mustExec(t, raw, `UPDATE audit_events SET detail = 'nothing to see' WHERE id = ?`, id)
}

// reopen opens the store at path again, closed when the test ends.
func reopen(t *testing.T, path string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
