package db_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestAtWritesAtTheGivenMoment: a change made with db.At is recorded at
// that moment, row and audit event alike, and the trail still verifies;
// without it the store's clock counts.
func TestAtWritesAtTheGivenMoment(t *testing.T) {
	s := db.OpenTest(t)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	at := time.Date(2025, 3, 4, 10, 30, 0, 123_456_789, time.UTC)
	want := at.Truncate(time.Millisecond) // what the store keeps
	rel, err := s.CreateRelease(db.At(t.Context(), at), gonogo.SystemActor,
		gonogo.ReleaseInput{Product: "payments", Version: "1.0.0", Title: "Refunds"})
	if err != nil {
		t.Fatal(err)
	}
	if !rel.CreatedAt.Equal(want) {
		t.Errorf("created %v, want %v", rel.CreatedAt, want)
	}
	if e := lastEvent(t, s); !e.At.Equal(want) {
		t.Errorf("audited at %v, want %v", e.At, want)
	}
	later := mustCreateRelease(t, s, "payments", "1.0.1")
	if !later.CreatedAt.Equal(now) {
		t.Errorf("without At: created %v, want the store's clock %v", later.CreatedAt, now)
	}
	if brk, _, err := s.VerifyAudit(t.Context()); brk != nil || err != nil {
		t.Fatalf("audit chain: %v %v", brk, err)
	}
}
