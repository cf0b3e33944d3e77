package db_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// auditedStore returns a store with a trail of several kinds of events,
// about two releases, and the number of events.
func auditedStore(t *testing.T) (*db.Store, int) {
	t.Helper()
	s := db.OpenTest(t)
	admin, err := s.CreateFirstAdmin(t.Context(), gonogo.NewUser{Email: "admin@example.com", Name: "Avery", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	qa := mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	mustCreateSession(t, s, qa, "qa-session")
	a := mustCreateRelease(t, s, "payments", "2.4.0")
	mustCreateRelease(t, s, "mobile", "3.8.0")
	it := itemTitled(t, mustFindItems(t, s, a.ID), "Integration tests pass")
	if _, err := updateItem(t, s, a.ID, it.ID, workItem(actor(qa), gonogo.ItemDone, "https://ci.example.com/1", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateUser(t.Context(), actor(admin), qa.ID, db.UserUpdate{Name: ptr("Quinn")}); err != nil {
		t.Fatal(err)
	}
	return s, len(mustEvents(t, s))
}

func TestVerifyAuditGoodTrail(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		s := db.OpenTest(t)
		brk, n, err := s.VerifyAudit(t.Context())
		if brk != nil || n != 0 || err != nil {
			t.Fatalf("VerifyAudit = %+v, %d, %v; want nil, 0, nil", brk, n, err)
		}
	})
	t.Run("several events", func(t *testing.T) {
		s, events := auditedStore(t)
		if events != 7 {
			t.Fatalf("%d events, want 7: setup, user, sign-in, 2 releases, item, user update", events)
		}
		brk, n, err := s.VerifyAudit(t.Context())
		if brk != nil || n != events || err != nil {
			t.Fatalf("VerifyAudit = %+v, %d, %v; want nil, %d, nil", brk, n, err, events)
		}
	})
}

func TestFindEvents(t *testing.T) {
	s, events := auditedStore(t)
	all := mustEvents(t, s)
	for i, e := range all {
		if want := int64(events - i); e.ID != want {
			t.Errorf("event %d has id %d, want %d: newest first", i, e.ID, want)
		}
	}
	if got, err := s.FindEvents(t.Context(), 2); err != nil || len(got) != 2 || got[0].ID != int64(events) {
		t.Errorf("FindEvents(2) = %+v, %v", got, err)
	}
	rel, err := s.FindReleaseByName(t.Context(), "payments", "2.4.0")
	if err != nil {
		t.Fatal(err)
	}
	history, err := s.FindReleaseEvents(t.Context(), rel.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range history {
		if e.ReleaseID != rel.ID {
			t.Errorf("event %+v of another release", e)
		}
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, " ") != "item.status release.create" {
		t.Errorf("history = %v, want the item change then the creation", actions)
	}
}

func TestVerifyAuditTampered(t *testing.T) {
	tests := []struct {
		name       string
		tamper     string
		wantID     int64
		wantReason string
	}{
		{"edited detail", `UPDATE audit_events SET detail = 'nothing to see' WHERE id = 4`, 4, "edited"},
		{"edited actor", `UPDATE audit_events SET actor = 'Someone Else', actor_id = NULL WHERE id = 3`, 3, "edited"},
		{"edited time", `UPDATE audit_events SET at = '2001-01-01T00:00:00.000Z' WHERE id = 5`, 5, "edited"},
		{"moved to another release", `UPDATE audit_events SET release_id = NULL WHERE id = 6`, 6, "edited"},
		{"replaced hash", `UPDATE audit_events SET hash = '` + gonogo.GenesisHash + `' WHERE id = 2`, 2, "edited"},
		{"deleted middle event", `DELETE FROM audit_events WHERE id = 4`, 5, "removed or changed"},
		{"deleted first event", `DELETE FROM audit_events WHERE id = 1`, 2, "does not start at event 1"},
		{"deleted two events", `DELETE FROM audit_events WHERE id IN (3, 4)`, 5, "removed or changed"},
		{"swapped details", `UPDATE audit_events SET detail = CASE id WHEN 4 THEN (SELECT detail FROM audit_events WHERE id = 5)
			ELSE (SELECT detail FROM audit_events WHERE id = 4) END WHERE id IN (4, 5)`, 4, "edited"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, events := auditedStore(t)
			raw := rawDB(t, s)
			// The triggers refuse a plain edit; someone set on tampering drops them first.
			if _, err := raw.Exec(tc.tamper); err == nil {
				t.Fatal("the append-only triggers let a tamper through")
			}
			mustExec(t, raw, `DROP TRIGGER audit_never_edited`)
			mustExec(t, raw, `DROP TRIGGER audit_never_deleted`)
			mustExec(t, raw, tc.tamper)
			brk, n, err := s.VerifyAudit(t.Context())
			if err != nil {
				t.Fatalf("VerifyAudit: %v", err)
			}
			if brk == nil {
				t.Fatalf("VerifyAudit found no break in %d events", n)
			}
			if brk.EventID != tc.wantID || !strings.Contains(brk.Reason, tc.wantReason) {
				t.Errorf("break at event %d (%s), want %d (%s)", brk.EventID, brk.Reason, tc.wantID, tc.wantReason)
			}
			if n >= events {
				t.Errorf("checked %d of %d events before the break", n, events)
			}
		})
	}
}

// TestAuditChainSurvivesReopening checks that events written by different
// processes chain onto each other.
func TestAuditChainSurvivesReopening(t *testing.T) {
	s, events := auditedStore(t)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path)
	mustCreateRelease(t, s, "storefront", "5.12.0")
	brk, n, err := s.VerifyAudit(t.Context())
	if brk != nil || n != events+1 || err != nil {
		t.Fatalf("VerifyAudit = %+v, %d, %v; want nil, %d, nil", brk, n, err, events+1)
	}
}
