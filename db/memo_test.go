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

// TestReadsHandOutCopies checks that what one caller does to a value the
// store read is not what the next caller reads: the memo keeps its own.
func TestReadsHandOutCopies(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "web", "1.0.0")
	snap, err := s.FindSnapshot(t.Context(), rel.ID)
	if err != nil || len(snap.Items) == 0 {
		t.Fatalf("snapshot %v, %v", snap, err)
	}
	title := snap.Items[0].Title
	snap.Items[0].Title = "changed by a caller"
	snaps, err := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots %v, %v", snaps, err)
	}
	snaps[0].Items[0].Title = "changed by a caller"
	snaps[0].Release.Title = "changed by a caller"
	products, err := s.FindProductKeys(t.Context())
	if err != nil || len(products) != 1 {
		t.Fatalf("products %v, %v", products, err)
	}
	products[0] = "changed by a caller"

	again, err := s.FindSnapshot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Items[0].Title != title {
		t.Errorf("the next reader of the snapshot sees %q", again.Items[0].Title)
	}
	if snaps, _ = s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{}); snaps[0].Items[0].Title != title || snaps[0].Release.Title == "changed by a caller" {
		t.Errorf("the next reader of the board sees %q, %q", snaps[0].Items[0].Title, snaps[0].Release.Title)
	}
	if products, _ = s.FindProductKeys(t.Context()); products[0] != "web" {
		t.Errorf("the next reader of the products sees %q", products[0])
	}
}

// TestBoardVotesCountByTime checks that the board judges a role's current
// vote as the release page does: by when it was cast, not by its id.
func TestBoardVotesCountByTime(t *testing.T) {
	s := db.OpenTest(t)
	u := mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	rel := mustCreateRelease(t, s, "web", "1.0.0")
	raw := rawDB(t, s)
	// The vote with the higher id was cast first: ids say nothing of time
	// (a restored backup, rows merged by hand).
	mustExec(t, raw, `INSERT INTO votes (id, release_id, cycle, role, user_id, user_name, value, at) VALUES
		(20, ?, 1, 'qa-lead', ?, 'QA', 'no-go', '2026-01-01T09:00:00.000Z'),
		(10, ?, 1, 'qa-lead', ?, 'QA', 'go', '2026-01-01T10:00:00.000Z')`, rel.ID, u.ID, rel.ID, u.ID)
	full, err := s.FindSnapshot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	board, err := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{})
	if err != nil || len(board) != 1 {
		t.Fatalf("board %v, %v", board, err)
	}
	want := gonogo.CurrentVotes(full.Release, full.Votes)[gonogo.QALead].Value
	if got := gonogo.CurrentVotes(board[0].Release, board[0].Votes)[gonogo.QALead].Value; got != want || want != gonogo.VoteGo {
		t.Errorf("the board counts %q, the release page %q; the later vote was go", got, want)
	}
}
