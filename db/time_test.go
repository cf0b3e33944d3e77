package db_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo/db"
)

// A stored time that is not one is an error the reader hears of, never a
// release that silently claims to be from the year 1.
func TestCorruptTimeIsAnError(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "1.0.0")
	got, err := s.FindRelease(t.Context(), rel.ID)
	if err != nil || got.CreatedAt.IsZero() || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("before: %v %v", got.CreatedAt, err)
	}
	mustExec(t, rawDB(t, s), `UPDATE releases SET updated_at = '30/11/2026 10:00' WHERE id = ?`, rel.ID)
	mustCreateRelease(t, s, "payments", "1.0.1") // a commit: reads are read afresh
	if _, err := s.FindRelease(t.Context(), rel.ID); err == nil {
		t.Fatal("a release with an unreadable time was read without an error")
	}
}
