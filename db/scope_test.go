package db_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// requiring is product's GitHub tracker, with label as its required label.
func requiring(t *testing.T, s *db.Store, product, label string) gonogo.Tracker {
	t.Helper()
	tr := mustTracker(t, s, product, gonogo.GitHub)
	tr.RequiredLabel = label
	if _, err := s.SaveTracker(t.Context(), gonogo.SystemActor, tr); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTracker(t.Context(), product, gonogo.GitHub)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func pullRequest(n int, title, milestone string, state gonogo.TrackedState, labels ...string) gonogo.TrackerItem {
	return gonogo.TrackerItem{Type: gonogo.TrackedChange, Key: fmt.Sprintf("#%d", n), Title: title,
		URL: fmt.Sprintf("https://github.com/acme/payments/pull/%d", n), State: state, Labels: labels, Milestone: milestone,
		UpdatedAt: time.Date(2026, 11, 30, 10, 0, n%60, 0, time.UTC)}
}

func TestSnapshotListsTheOpenChangesOfTheMilestone(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	other := mustCreateRelease(t, s, "payments", "2.5.0")
	tr := requiring(t, s, "payments", "Release-Blocker")
	deliver(t, s, tr, "1", pullRequest(512, "Refund webhook", "2.4.0", gonogo.TrackedOpen, "release-blocker"))
	deliver(t, s, tr, "2", pullRequest(513, "Tidy logs", "2.4.0", gonogo.TrackedOpen, "chore"))
	deliver(t, s, tr, "3", pullRequest(514, "Shipped already", "2.4.0", gonogo.TrackedMerged, "release-blocker"))
	deliver(t, s, tr, "4", pullRequest(515, "Next time", "2.5.0", gonogo.TrackedOpen, "release-blocker"))
	deliver(t, s, tr, "5", gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: "#516", Title: "An issue", State: gonogo.TrackedOpen,
		Milestone: "2.4.0", UpdatedAt: time.Now()})

	snap, err := s.FindSnapshot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []gonogo.ScopeChange{
		{Kind: gonogo.GitHub, Key: "#512", Title: "Refund webhook", URL: "https://github.com/acme/payments/pull/512", Required: true},
		{Kind: gonogo.GitHub, Key: "#513", Title: "Tidy logs", URL: "https://github.com/acme/payments/pull/513"},
	}
	if fmt.Sprint(snap.Scope) != fmt.Sprint(want) || snap.ScopeMore != 0 {
		t.Fatalf("the release's scope: %+v (%d more), want %+v", snap.Scope, snap.ScopeMore, want)
	}
	if g := gonogo.Evaluate(snap); !hasReason(g, "PR #512 “Refund webhook” is in 2.4.0's milestone and still open") {
		t.Fatalf("the gate misses the open required pull request: %+v", g.Reasons)
	}

	// The board reads only what its cards show: the required ones.
	snaps, err := s.FindSnapshotsOf(t.Context(), []gonogo.Release{rel, other})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps[0].Scope) != 1 || snaps[0].Scope[0].Key != "#512" || !snaps[0].Scope[0].Required {
		t.Fatalf("the board's scope of 2.4.0: %+v", snaps[0].Scope)
	}
	if len(snaps[1].Scope) != 1 || snaps[1].Scope[0].Key != "#515" {
		t.Fatalf("the board's scope of 2.5.0: %+v", snaps[1].Scope)
	}

	// Merged, it leaves the list and the gate.
	merged := pullRequest(512, "Refund webhook", "2.4.0", gonogo.TrackedMerged, "release-blocker")
	merged.UpdatedAt = merged.UpdatedAt.Add(time.Hour)
	deliver(t, s, tr, "6", merged)
	if snap, _ = s.FindSnapshot(t.Context(), rel.ID); len(snap.Scope) != 1 || snap.Scope[0].Key != "#513" {
		t.Fatalf("after the merge: %+v", snap.Scope)
	}

	// Decided, the release no longer watches its scope.
	setState(t, s, other.ID, gonogo.Go)
	if snap, _ = s.FindSnapshot(t.Context(), other.ID); len(snap.Scope) != 0 {
		t.Fatalf("a release cleared to Go still lists its scope: %+v", snap.Scope)
	}
	if snaps, _ = s.FindSnapshotsOf(t.Context(), []gonogo.Release{snap.Release}); len(snaps[0].Scope) != 0 {
		t.Fatalf("the board judges the scope of a release cleared to Go: %+v", snaps[0].Scope)
	}
}

func TestScopeListIsBounded(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	tr := requiring(t, s, "payments", "must-ship")
	extra := 7
	for i := range gonogo.MaxScopeShown + extra {
		labels := []string{"chore"}
		if i == gonogo.MaxScopeShown+extra-1 {
			labels = []string{"must-ship"} // the last to arrive, and still listed first
		}
		deliver(t, s, tr, fmt.Sprint(i), pullRequest(100+i, fmt.Sprintf("Change %d", i), "2.4.0", gonogo.TrackedOpen, labels...))
	}
	snap, err := s.FindSnapshot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Scope) != gonogo.MaxScopeShown || snap.ScopeMore != extra || !snap.Scope[0].Required {
		t.Fatalf("%d listed, %d more, first %+v; want %d, %d, the required one first", len(snap.Scope), snap.ScopeMore,
			snap.Scope[0], gonogo.MaxScopeShown, extra)
	}
}

func hasReason(g gonogo.Gate, text string) bool {
	for _, r := range g.Reasons {
		if r.Text == text {
			return true
		}
	}
	return false
}

func TestFindShippedListsMergedChangesAndIssuesClosedAsDone(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	tr := requiring(t, s, "payments", "")
	deliver(t, s, tr, "1", pullRequest(512, "Refund webhook", "2.4.0", gonogo.TrackedMerged, "feature"))
	deliver(t, s, tr, "2", pullRequest(513, "Abandoned", "2.4.0", gonogo.TrackedClosed))
	deliver(t, s, tr, "3", pullRequest(514, "Still open", "2.4.0", gonogo.TrackedOpen))
	issue := gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: "#318", Title: "Refund fails", State: gonogo.TrackedClosed,
		Labels: []string{"bug"}, Milestone: "2.4.0", UpdatedAt: time.Now()}
	deliver(t, s, tr, "4", issue)
	dropped := issue
	dropped.Key, dropped.Title, dropped.NotPlanned = "#319", "Not doing this", true
	deliver(t, s, tr, "5", dropped)

	got, more, err := s.FindShipped(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range got {
		keys = append(keys, it.Key+" "+string(it.Kind))
	}
	if fmt.Sprint(keys) != "[#512 github #318 github]" || more != 0 {
		t.Fatalf("shipped %v (%d more)", keys, more)
	}
	if got[0].Labels[0] != "feature" || got[0].URL != "https://github.com/acme/payments/pull/512" {
		t.Fatalf("the merged pull request: %+v", got[0])
	}
}
