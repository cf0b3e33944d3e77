package db_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestFindSnapshotsSeesEveryCommit checks that the board's kept snapshots
// give way to any commit: the store's own, and one made beside it.
func TestFindSnapshotsSeesEveryCommit(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "web", "1.0.0")
	title := func() string {
		t.Helper()
		snaps, err := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{})
		if err != nil || len(snaps) != 1 {
			t.Fatalf("snapshots %v, %v", snaps, err)
		}
		return snaps[0].Release.Title
	}
	if got := title(); got != "Release 1.0.0" {
		t.Fatalf("title %q", got)
	}
	if _, err := s.UpdateRelease(t.Context(), gonogo.SystemActor, rel.ID, gonogo.ReleaseInput{Product: "web", Version: "1.0.0", Title: "Checkout"}); err != nil {
		t.Fatal(err)
	}
	if got := title(); got != "Checkout" {
		t.Errorf("after the store's change: title %q", got)
	}
	mustExec(t, rawDB(t, s), `UPDATE releases SET title = 'Hand-fixed' WHERE id = ?`, rel.ID)
	if got := title(); got != "Hand-fixed" {
		t.Errorf("after a change made beside the store: title %q", got)
	}
}
