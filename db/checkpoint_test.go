package db_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"sync"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// verifyCheckpoint verifies the store's trail against c, signed by key.
func verifyCheckpoint(t *testing.T, s *db.Store, c gonogo.Checkpoint, key ed25519.PrivateKey) error {
	t.Helper()
	trail, err := s.Trail(t.Context(), c.Seq)
	if err != nil {
		t.Fatal(err)
	}
	return c.Verify(key.Public().(ed25519.PublicKey), trail)
}

// TestCheckpointCatchesWhatTheChainCannot: deleting the newest events, or
// rewriting one and hashing the chain again, leaves a chain that verifies;
// verifying against an earlier checkpoint finds both.
func TestCheckpointCatchesWhatTheChainCannot(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *db.Store)
		want   string // "" when the trail verifies
	}{
		{"untouched", func(*testing.T, *db.Store) {}, ""},
		{"newest events deleted", func(t *testing.T, s *db.Store) { db.DeleteEventsAfterForTest(t, s.Path(), 5) },
			"Events after 5 were deleted: the checkpoint of "},
		{"every event deleted", func(t *testing.T, s *db.Store) { db.DeleteEventsAfterForTest(t, s.Path(), 0) },
			"Events after 0 were deleted"},
		{"rewritten and hashed again", func(t *testing.T, s *db.Store) {
			db.RewriteEventForTest(t, s.Path(), 3, "nothing to see")
		}, "The trail was rewritten: event 7's hash differs from the checkpoint's"},
		{"deleted, then written again", func(t *testing.T, s *db.Store) {
			db.DeleteEventsAfterForTest(t, s.Path(), 5)
			mustCreateRelease(t, s, "cover", "1.0.0")
			mustCreateRelease(t, s, "cover", "1.0.1")
		}, "The trail was rewritten: event 7's hash differs"},
		{"edited, not hashed again", func(t *testing.T, s *db.Store) {
			raw := rawDB(t, s)
			mustExec(t, raw, `DROP TRIGGER audit_never_edited`)
			mustExec(t, raw, `UPDATE audit_events SET detail = 'nothing to see' WHERE id = 3`)
		}, "The trail breaks at event 3: its content does not match its hash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, events := auditedStore(t)
			c, err := s.Checkpoint(t.Context(), gonogo.Actor{Name: "Avery"}, key, false)
			if err != nil {
				t.Fatal(err)
			}
			if c.Seq != int64(events) || c.Hash != lastEvent(t, s).PrevHash {
				t.Fatalf("checkpoint of event %d, want the head before it, %d", c.Seq, events)
			}
			mustCreateRelease(t, s, "later", "1.0.0") // the trail goes on after a checkpoint
			tc.tamper(t, s)
			if brk, _, _ := s.VerifyAudit(t.Context()); brk != nil && tc.want != "" && !strings.Contains(tc.want, "breaks") {
				t.Fatalf("the chain alone found this (%+v): the test shows nothing", brk)
			}
			err = verifyCheckpoint(t, s, c, key)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("an untouched trail does not verify: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(gonogo.ErrorMessage(err), tc.want)):
				t.Fatalf("verify = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCheckpointOfAnEmptyTrail(t *testing.T) {
	s := db.OpenTest(t)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	c, err := s.Checkpoint(t.Context(), gonogo.Actor{Name: "cron"}, key, false)
	if err != nil || c.Seq != 0 || c.Hash != gonogo.GenesisHash {
		t.Fatalf("checkpoint %+v, %v", c, err)
	}
	if err := verifyCheckpoint(t, s, c, key); err != nil {
		t.Fatal(err)
	}
}

// TestDailyCheckpointIsAnnounced: the daily checkpoint is a notice for the
// webhooks of its topic, carrying the checkpoint; one asked for is not.
func TestDailyCheckpointIsAnnounced(t *testing.T) {
	s, events := auditedStore(t)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	var mu sync.Mutex
	var heard []gonogo.Notice
	s.Listen(func(ns []gonogo.Notice) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, ns...)
	})
	if at, err := s.LastDailyCheckpoint(t.Context()); err != nil || !at.IsZero() {
		t.Fatalf("last daily checkpoint before any: %v, %v", at, err)
	}
	if _, err := s.Checkpoint(t.Context(), gonogo.Actor{Name: "Avery"}, key, false); err != nil {
		t.Fatal(err)
	}
	daily, err := s.Checkpoint(t.Context(), gonogo.SystemActor, key, true)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 2 || len(heard[0].Topics) != 0 || heard[0].Checkpoint != nil {
		t.Fatalf("the checkpoint asked for was announced: %+v", heard)
	}
	n := heard[1]
	if len(n.Topics) != 1 || n.Topics[0] != gonogo.TopicCheckpoint || n.Checkpoint == nil || n.Checkpoint.String() != daily.String() {
		t.Fatalf("daily notice %+v", n)
	}
	if daily.Seq != int64(events+1) || n.Event.ID != daily.Seq+1 || n.Event.Action != "audit.checkpoint.daily" {
		t.Fatalf("daily checkpoint of %d announced by event %d (%s)", daily.Seq, n.Event.ID, n.Event.Action)
	}
	if at, err := s.LastDailyCheckpoint(t.Context()); err != nil || !at.Equal(n.Event.At) {
		t.Fatalf("last daily checkpoint %v, want %v (%v)", at, n.Event.At, err)
	}
	listed, err := s.FindCheckpoints(t.Context(), 10)
	if err != nil || len(listed) != 2 || listed[0].Action != "audit.checkpoint.daily" || listed[1].Action != "audit.checkpoint" {
		t.Fatalf("checkpoints listed: %+v, %v", listed, err)
	}
}
