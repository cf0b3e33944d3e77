package db_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestSessions(t *testing.T) {
	s := db.OpenTest(t)
	created := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return created }
	u := mustCreateUser(t, s, "quinn@example.com", false, gonogo.QALead, gonogo.Ops)
	mustCreateSession(t, s, u, "hash-1")

	ss, err := s.FindSession(t.Context(), "hash-1")
	if err != nil {
		t.Fatalf("FindSession: %v", err)
	}
	if ss.IDHash != "hash-1" || ss.User.ID != u.ID || ss.User.Email != u.Email ||
		!slices.Equal(ss.User.Roles, gonogo.RoleSet{gonogo.QALead, gonogo.Ops}) ||
		!ss.CreatedAt.Equal(created) || !ss.LastSeenAt.Equal(created) {
		t.Errorf("session = %+v", ss)
	}
	if e := lastEvent(t, s); e.Action != "user.signin" || e.ActorID != u.ID || e.RemoteAddr != "192.0.2.1" {
		t.Errorf("event = %+v", e)
	}

	t.Run("unknown", func(t *testing.T) {
		_, err := s.FindSession(t.Context(), "no-such-hash")
		wantCode(t, err, gonogo.ENOTFOUND)
	})
	t.Run("touch", func(t *testing.T) {
		seen := created.Add(90 * time.Minute)
		if err := s.TouchSession(t.Context(), "hash-1", seen); err != nil {
			t.Fatal(err)
		}
		ss, err := s.FindSession(t.Context(), "hash-1")
		if err != nil || !ss.LastSeenAt.Equal(seen) || !ss.CreatedAt.Equal(created) {
			t.Errorf("session = %+v, %v", ss, err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		mustCreateSession(t, s, u, "hash-2")
		if err := s.DeleteSession(t.Context(), "hash-2"); err != nil {
			t.Fatal(err)
		}
		if hasSession(t, s, "hash-2") || !hasSession(t, s, "hash-1") {
			t.Error("wrong session deleted")
		}
		if err := s.DeleteSession(t.Context(), "hash-2"); err != nil {
			t.Errorf("deleting a gone session: %v", err)
		}
	})
	t.Run("sign out", func(t *testing.T) {
		mustCreateSession(t, s, u, "hash-3")
		if err := s.SignOut(t.Context(), actor(u), "hash-3"); err != nil {
			t.Fatal(err)
		}
		if hasSession(t, s, "hash-3") {
			t.Error("session survived sign-out")
		}
		if e := lastEvent(t, s); e.Action != "user.signout" || e.ActorID != u.ID {
			t.Errorf("event = %+v", e)
		}
	})
}

func TestDeleteExpiredSessions(t *testing.T) {
	s := db.OpenTest(t)
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	u := mustCreateUser(t, s, "quinn@example.com", false, gonogo.QALead)
	const idle, maxAge = 2 * time.Hour, 24 * time.Hour
	tests := []struct {
		hash          string
		created, seen time.Time
		kept          bool
	}{
		{"fresh", now.Add(-time.Hour), now.Add(-time.Minute), true},
		{"idle", now.Add(-3 * time.Hour), now.Add(-idle - time.Second), false},
		{"just inside idle", now.Add(-3 * time.Hour), now.Add(-idle + time.Second), true},
		{"too old though busy", now.Add(-maxAge - time.Second), now.Add(-time.Minute), false},
		{"old but not too old", now.Add(-maxAge + time.Second), now.Add(-time.Minute), true},
	}
	for _, tc := range tests {
		s.Now = func() time.Time { return tc.created }
		mustCreateSession(t, s, u, tc.hash)
		if err := s.TouchSession(t.Context(), tc.hash, tc.seen); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpiredSessions(t.Context(), now.Add(-idle), now.Add(-maxAge))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2", n, err)
	}
	for _, tc := range tests {
		t.Run(tc.hash, func(t *testing.T) {
			if got := hasSession(t, s, tc.hash); got != tc.kept {
				t.Errorf("kept %t, want %t", got, tc.kept)
			}
		})
	}
}

// SessionEnds moves with every change that may end a session, whoever
// makes it, and stands still for the ones that cannot.
func TestSessionEndsCountsWhatMayEndASession(t *testing.T) {
	s := db.OpenTest(t)
	u := mustCreateUser(t, s, "quinn@example.com", false, gonogo.QALead)
	ends := func() int64 {
		t.Helper()
		n, err := s.SessionEnds(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	steps := []struct {
		what  string
		do    func()
		moves bool
	}{
		{"a sign-in", func() { mustCreateSession(t, s, u, "hash-1"); mustCreateSession(t, s, u, "hash-2") }, false},
		{"a session used", func() { s.TouchSession(t.Context(), "hash-1", time.Now()) }, false},
		{"a sign-out", func() { s.DeleteSession(t.Context(), "hash-1") }, true},
		{"a name changed elsewhere", func() { db.ExecElsewhereForTest(t, s.Path(), `UPDATE users SET name = 'Q' WHERE id = ?`, u.ID) }, false},
		{"a person disabled elsewhere", func() { db.ExecElsewhereForTest(t, s.Path(), `UPDATE users SET disabled = 1 WHERE id = ?`, u.ID) }, true},
		{"a session deleted elsewhere", func() { db.ExecElsewhereForTest(t, s.Path(), `DELETE FROM sessions`) }, true},
	}
	for _, step := range steps {
		before := ends()
		step.do()
		if moved := ends() != before; moved != step.moves {
			t.Errorf("after %s the count moved: %v, want %v", step.what, moved, step.moves)
		}
	}
}
