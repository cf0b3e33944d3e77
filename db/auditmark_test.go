package db_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo/db"
)

// look verifies the events after the mark, as a view of the audit page
// does, and says how many events it hashed.
func look(t *testing.T, s *db.Store) (db.TrailCheck, int64) {
	t.Helper()
	before := s.EventsHashedForTest()
	c, err := s.VerifyNewEvents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c, s.EventsHashedForTest() - before
}

func mustMark(t *testing.T, s *db.Store) db.AuditMark {
	t.Helper()
	m, err := s.AuditMark(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLookAtTheTrailMovesTheMark: a look verifies what was never verified
// and keeps how far it got; the next hashes only the events written since.
func TestLookAtTheTrailMovesTheMark(t *testing.T) {
	s, events := auditedStore(t)
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return at }
	if m := mustMark(t, s); m.Seq != 0 {
		t.Fatalf("a new trail is verified through event %d", m.Seq)
	}
	c, hashed := look(t, s)
	head := lastEvent(t, s)
	if hashed != int64(events) || c.Break != nil || c.Pending() != 0 {
		t.Fatalf("the first look hashed %d events (break %+v, %d pending), want all %d", hashed, c.Break, c.Pending(), events)
	}
	if m := mustMark(t, s); m.Seq != head.ID || m.Hash != head.Hash || !m.At.Equal(at) || c.Mark != m {
		t.Fatalf("stored mark %+v, look's %+v; want event %d, its hash, at %s", m, c.Mark, head.ID, at)
	}
	for i := range 3 {
		mustCreateRelease(t, s, "later", "1.0."+strconv.Itoa(i))
	}
	c, hashed = look(t, s)
	if hashed != 3 || c.Mark.Seq != head.ID+3 || mustMark(t, s).Seq != head.ID+3 {
		t.Fatalf("after 3 new events a look hashed %d, mark %d; want 3, %d", hashed, c.Mark.Seq, head.ID+3)
	}
	if _, hashed = look(t, s); hashed != 0 {
		t.Fatalf("a look with nothing new hashed %d events", hashed)
	}
}

// TestLookIsBounded: a look verifies at most its budget, a chunk per read;
// the next one goes on from there.
func TestLookIsBounded(t *testing.T) {
	s, events := auditedStore(t) // 7 events
	db.SmallLooksForTest(t, 2, 4)
	c, hashed := look(t, s)
	if hashed != 4 || c.Mark.Seq != 4 || c.Pending() != int64(events-4) || c.Newest != int64(events) {
		t.Fatalf("the first look hashed %d, mark %d, %d pending; want 4, 4, %d", hashed, c.Mark.Seq, c.Pending(), events-4)
	}
	c, hashed = look(t, s)
	if hashed != int64(events-4) || c.Mark.Seq != int64(events) || c.Pending() != 0 {
		t.Fatalf("the second look hashed %d, mark %d; want %d, %d", hashed, c.Mark.Seq, events-4, events)
	}
}

// TestLookFindsTamperingAfterTheMark: an event written after the mark and
// then edited is reported by the next look, which keeps the mark before it.
func TestLookFindsTamperingAfterTheMark(t *testing.T) {
	s, events := auditedStore(t)
	look(t, s)
	mustCreateRelease(t, s, "later", "1.0.0")
	mustCreateRelease(t, s, "later", "1.0.1")
	raw := rawDB(t, s)
	mustExec(t, raw, `DROP TRIGGER audit_never_edited`)
	mustExec(t, raw, `UPDATE audit_events SET detail = 'nothing to see' WHERE id = ?`, events+1)
	for range 2 { // and again on the next look
		c, hashed := look(t, s)
		if c.Break == nil || c.Break.EventID != int64(events+1) || !strings.Contains(c.Break.Reason, "edited") {
			t.Fatalf("break %+v, want at event %d, edited", c.Break, events+1)
		}
		if hashed != 1 || c.Mark.Seq != int64(events) || mustMark(t, s).Seq != int64(events) {
			t.Fatalf("hashed %d, mark %d; want 1 and the mark kept at %d", hashed, c.Mark.Seq, events)
		}
	}
}

// TestWholeVerificationFindsTamperingBehindTheMark: a look never hashes
// what is behind the mark again; the verification of the whole trail
// does, and keeps its outcome for the page.
func TestWholeVerificationFindsTamperingBehindTheMark(t *testing.T) {
	s, events := auditedStore(t)
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return at }
	if v, err := s.LastVerification(t.Context()); err != nil || !v.At.IsZero() {
		t.Fatalf("a verification before any: %+v, %v", v, err)
	}
	look(t, s)
	raw := rawDB(t, s)
	mustExec(t, raw, `DROP TRIGGER audit_never_edited`)
	mustExec(t, raw, `UPDATE audit_events SET detail = 'nothing to see' WHERE id = 3`)
	if c, hashed := look(t, s); c.Break != nil || hashed != 0 {
		t.Fatalf("a look hashed %d events behind the mark (break %+v)", hashed, c.Break)
	}
	v, err := s.VerifyWholeTrail(t.Context())
	if err != nil || v.Break == nil || v.Break.EventID != 3 || v.Checked != 2 || v.Last != int64(events) {
		t.Fatalf("whole verification %+v, %v; want a break at event 3 after 2", v, err)
	}
	kept, err := s.LastVerification(t.Context())
	if err != nil || !kept.At.Equal(at) || kept.Break == nil || *kept.Break != *v.Break || kept.Checked != 2 || kept.Last != int64(events) {
		t.Fatalf("kept %+v (%v), want %+v at %s", kept, err, v, at)
	}
}

// TestWholeVerificationMovesTheMark: on a trail never looked at, the
// verification of the whole trail leaves nothing for the next look.
func TestWholeVerificationMovesTheMark(t *testing.T) {
	s, events := auditedStore(t)
	if v, err := s.VerifyWholeTrail(t.Context()); err != nil || v.Break != nil || v.Checked != events {
		t.Fatalf("whole verification %+v, %v", v, err)
	}
	if m := mustMark(t, s); m.Seq != int64(events) || m.Hash != lastEvent(t, s).Hash {
		t.Fatalf("mark %+v after the whole trail verified", m)
	}
	if _, hashed := look(t, s); hashed != 0 {
		t.Fatalf("a look after the whole verification hashed %d events", hashed)
	}
}

// TestLookNoticesTheMarkGone: once the newest events are deleted, or the
// trail rewritten and hashed again, the trail no longer holds the mark's
// event as verified. The look says so and verifies from the first event.
func TestLookNoticesTheMarkGone(t *testing.T) {
	for name, tamper := range map[string]func(*db.Store){
		"newest deleted": func(s *db.Store) { db.DeleteEventsAfterForTest(t, s.Path(), 5) },
		"rewritten":      func(s *db.Store) { db.RewriteEventForTest(t, s.Path(), 3, "nothing to see") },
	} {
		t.Run(name, func(t *testing.T) {
			s, _ := auditedStore(t)
			first, _ := look(t, s)
			tamper(s)
			c, _ := look(t, s)
			head := lastEvent(t, s)
			if c.Moved == nil || c.Moved.Seq != first.Mark.Seq || c.Break != nil || c.Mark.Seq != head.ID || mustMark(t, s).Hash != head.Hash {
				t.Fatalf("look %+v (moved %+v); want the mark at %d noticed gone and set to the head, %d", c, c.Moved, first.Mark.Seq, head.ID)
			}
			if c, _ := look(t, s); c.Moved != nil {
				t.Fatal("the next look notices it again")
			}
		})
	}
}
