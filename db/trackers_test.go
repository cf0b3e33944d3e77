package db_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func mustTracker(t *testing.T, s *db.Store, product string, k gonogo.TrackerKind) gonogo.Tracker {
	t.Helper()
	tr := gonogo.NewTracker(product, k)
	tr.Project, tr.Secret = "acme/"+product, "a-secret-of-sixteen-or-more"
	if k == gonogo.Jira {
		tr.Project = "PAY"
	}
	if _, err := s.SaveTracker(t.Context(), gonogo.SystemActor, tr); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTracker(t.Context(), product, k)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func deliver(t *testing.T, s *db.Store, tr gonogo.Tracker, id string, it gonogo.TrackerItem) db.Applied {
	t.Helper()
	a, err := s.ApplyDelivery(t.Context(), tr, db.TrackerDelivery{ID: id, Item: it})
	if err != nil {
		t.Fatalf("delivery %s: %v", id, err)
	}
	return a
}

func TestTrackerKeepsItsDefectsCurrent(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	next := mustCreateRelease(t, s, "payments", "2.5.0")
	tr := mustTracker(t, s, "payments", gonogo.GitHub)
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	issue := gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: "#318", Title: "Refund fails", URL: "https://github.com/acme/payments/issues/318",
		State: gonogo.TrackedOpen, Labels: []string{"blocker"}, Milestone: "v2.4.0", UpdatedAt: at}

	deliver(t, s, tr, "d1", issue)
	ds, _ := s.FindDefects(t.Context(), rel.ID)
	if len(ds) != 1 || ds[0].Severity != gonogo.Blocker || !ds[0].Synced() || ds[0].Key != "#318" || !gonogo.Blocking(ds[0]) {
		t.Fatalf("the opened blocker is not a synced blocking defect: %+v", ds)
	}
	if e := lastEvent(t, s); e.Actor != "GitHub (integration)" {
		t.Fatalf("audited as %q", e.Actor)
	}

	if _, err := s.ApplyDelivery(t.Context(), tr, db.TrackerDelivery{ID: "d1", Item: issue}); err != db.ErrReplayed {
		t.Fatalf("a replayed delivery: %v", err)
	}

	closed := issue
	closed.State, closed.UpdatedAt = gonogo.TrackedClosed, at.Add(2*time.Minute)
	deliver(t, s, tr, "d3", closed)
	older := issue
	older.Title, older.UpdatedAt = "Stale title", at.Add(time.Minute)
	if a := deliver(t, s, tr, "d2", older); !a.Stale {
		t.Fatal("an older delivery arriving late was not stale")
	}
	d, _ := s.FindDefect(t.Context(), rel.ID, ds[0].ID)
	if d.Status != gonogo.DefectFixed || d.Title != "Refund fails" {
		t.Fatalf("after close, then a late older delivery: %+v", d)
	}

	// QA verifies in gonogo; a tracker change that leaves its status alone
	// keeps the verification, one that changes it overrides it.
	qa := mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	if _, err := s.SetDefectStatus(t.Context(), actor(qa), rel.ID, d.ID, gonogo.DefectChange{Status: gonogo.DefectVerified}); err != nil {
		t.Fatal(err)
	}
	retitled := closed
	retitled.Title, retitled.UpdatedAt = "Refund fails on retry", at.Add(3*time.Minute)
	deliver(t, s, tr, "d4", retitled)
	if d, _ = s.FindDefect(t.Context(), rel.ID, d.ID); d.Status != gonogo.DefectVerified || d.Title != "Refund fails on retry" {
		t.Fatalf("a retitle undid QA's verification: %+v", d)
	}
	reopened := retitled
	reopened.State, reopened.UpdatedAt = gonogo.TrackedOpen, at.Add(4*time.Minute)
	deliver(t, s, tr, "d5", reopened)
	if d, _ = s.FindDefect(t.Context(), rel.ID, d.ID); d.Status != gonogo.DefectOpen {
		t.Fatalf("a reopen did not reopen: %+v", d)
	}

	moved := reopened
	moved.Milestone, moved.UpdatedAt = "2.5.0", at.Add(5*time.Minute)
	deliver(t, s, tr, "d6", moved)
	if d, _ = s.FindDefect(t.Context(), rel.ID, d.ID); d.Status != gonogo.DefectDeferred || d.Reason != "moved to 2.5.0 in GitHub" {
		t.Fatalf("moved away: %+v", d)
	}
	if ds, _ := s.FindDefects(t.Context(), next.ID); len(ds) != 1 || ds[0].Status != gonogo.DefectOpen {
		t.Fatalf("the next release lacks the moved defect: %+v", ds)
	}
}

func TestTrackerChangesAreScope(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	tr := mustTracker(t, s, "payments", gonogo.GitHub)
	pr := gonogo.TrackerItem{Type: gonogo.TrackedChange, Key: "#512", Title: "Refund webhook", State: gonogo.TrackedOpen,
		Milestone: "2.4.0", UpdatedAt: time.Now()}
	a := deliver(t, s, tr, "p1", pr)
	if a.Release.ID != rel.ID || len(a.Defects) != 0 {
		t.Fatalf("a pull request: %+v", a)
	}
	if e := lastEvent(t, s); e.ReleaseID != rel.ID || e.Detail != "PR #512 “Refund webhook” is in 2.4.0 (open)" {
		t.Fatalf("scope audit %+v", e)
	}
}
