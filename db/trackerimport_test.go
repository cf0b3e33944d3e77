package db_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestImportTrackerItems(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	tr := mustTracker(t, s, "payments", gonogo.Jira)
	qa := mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	at := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	bug := func(key, title, priority string, updated time.Time) gonogo.TrackerItem {
		return gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: key, Title: title, State: gonogo.TrackedOpen, IssueType: "Bug",
			Priority: priority, FixVersions: []string{"2.4.0"}, UpdatedAt: updated}
	}
	// The webhook told of PAY-150 after the export was made.
	deliver(t, s, tr, "w1", bug("PAY-150", "Told by the webhook", "Highest", at.Add(time.Hour)))

	got, err := s.ImportTrackerItems(t.Context(), actor(qa), tr, []gonogo.TrackerItem{
		bug("PAY-142", "Checkout fails on Safari", "Highest", at),
		bug("PAY-150", "As the export says", "Low", at),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Applied != 1 || got.Stale != 1 || len(got.Defects) != 1 {
		t.Fatalf("imported %+v", got)
	}
	ds, _ := s.FindDefects(t.Context(), rel.ID)
	byKey := map[string]gonogo.Defect{}
	for _, d := range ds {
		byKey[d.Key] = d
	}
	if d := byKey["PAY-142"]; !d.Synced() || d.Severity != gonogo.Blocker || d.UpdatedBy != "Jira (integration)" {
		t.Errorf("the imported defect: %+v", d)
	}
	if d := byKey["PAY-150"]; d.Title != "Told by the webhook" || d.Severity != gonogo.Blocker {
		t.Errorf("the import overrode what the webhook told since: %+v", d)
	}
	if e := lastEvent(t, s); e.Actor != qa.Name || e.ReleaseID != rel.ID || e.Detail != "imported 1 issue from a Jira export into 2.4.0" {
		t.Errorf("the import's audit: %+v", e)
	}

	// All or none: an issue the store refuses takes the whole import back.
	bad := bug("PAY-160", "Fine", "Highest", at)
	broken := bug("PAY-161", "Broken", "Highest", at)
	broken.Type = "epic" // refused by the table
	if _, err := s.ImportTrackerItems(t.Context(), actor(qa), tr, []gonogo.TrackerItem{bad, broken}); err == nil {
		t.Fatal("a broken import was taken")
	}
	if ds, _ := s.FindDefects(t.Context(), rel.ID); len(ds) != 2 {
		t.Fatalf("a refused import left %d defects, want 2", len(ds))
	}
}
