package gonogo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestTrackerVersions(t *testing.T) {
	gh := gonogo.NewTracker("payments", gonogo.GitHub)
	byLabel := gh
	byLabel.ReleaseBy = gonogo.ByLabel
	jira := gonogo.NewTracker("payments", gonogo.Jira)
	for _, c := range []struct {
		name string
		tr   gonogo.Tracker
		it   gonogo.TrackerItem
		want []string
	}{
		{"milestone", gh, gonogo.TrackerItem{Milestone: "2.4.0"}, []string{"2.4.0"}},
		{"milestone with a v", gh, gonogo.TrackerItem{Milestone: "v2.4.0"}, []string{"2.4.0"}},
		{"no milestone", gh, gonogo.TrackerItem{Labels: []string{"release:2.4.0"}}, nil},
		{"labels", byLabel, gonogo.TrackerItem{Milestone: "2.3.0", Labels: []string{"bug", "Release:2.4.0", "release:"}}, []string{"2.4.0"}},
		{"fix versions", jira, gonogo.TrackerItem{FixVersions: []string{"2.4.0", "v2.4.0", "2.5.0"}}, []string{"2.4.0", "2.5.0"}},
		{"a word, not a version", gh, gonogo.TrackerItem{Milestone: "vNext"}, []string{"vNext"}},
	} {
		if got := c.tr.Versions(c.it); !slices.Equal(got, c.want) {
			t.Errorf("%s: versions %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTrackerSeverityAndStatus(t *testing.T) {
	gh := gonogo.NewTracker("payments", gonogo.GitHub)
	jira := gonogo.NewTracker("payments", gonogo.Jira)
	issue := func(labels ...string) gonogo.TrackerItem {
		return gonogo.TrackerItem{Type: gonogo.TrackedIssue, State: gonogo.TrackedOpen, Labels: labels}
	}
	if s, ok := gh.Severity(issue("bug", "Blocker")); !ok || s != gonogo.Blocker {
		t.Errorf("the worst label wins: %v %v", s, ok)
	}
	if _, ok := gh.Severity(issue("enhancement")); ok {
		t.Error("an issue with no mapped label is a defect")
	}
	pr := issue("blocker")
	pr.Type = gonogo.TrackedChange
	if _, ok := gh.Severity(pr); ok {
		t.Error("a pull request is a defect")
	}
	story := gonogo.TrackerItem{Type: gonogo.TrackedIssue, Priority: "Highest", IssueType: "Story"}
	if _, ok := jira.Severity(story); ok {
		t.Error("a Jira story is a defect")
	}
	bug := story
	bug.IssueType = "bug"
	if s, ok := jira.Severity(bug); !ok || s != gonogo.Blocker {
		t.Errorf("a Highest Jira bug: %v %v", s, ok)
	}

	for _, c := range []struct {
		name string
		tr   gonogo.Tracker
		it   gonogo.TrackerItem
		want gonogo.DefectStatus
	}{
		{"open", gh, issue("bug"), gonogo.DefectOpen},
		{"closed", gh, gonogo.TrackerItem{State: gonogo.TrackedClosed}, gonogo.DefectFixed},
		{"not planned", gh, gonogo.TrackerItem{State: gonogo.TrackedClosed, NotPlanned: true}, gonogo.DefectWontFix},
		{"verified label", gh, gonogo.TrackerItem{State: gonogo.TrackedClosed, Labels: []string{"Verified"}}, gonogo.DefectVerified},
		{"jira in progress", jira, gonogo.TrackerItem{State: gonogo.TrackedOpen, Started: true, Status: "In Review"}, gonogo.DefectInProgress},
		{"jira verified", jira, gonogo.TrackerItem{State: gonogo.TrackedClosed, Status: "VERIFIED"}, gonogo.DefectVerified},
	} {
		if got := c.tr.Status(c.it); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestTrackerValidate(t *testing.T) {
	tr := gonogo.NewTracker("payments", gonogo.Jira)
	tr.Project, tr.Secret = "acme/payments", "short"
	tr.Severities = append(tr.Severities, gonogo.SeverityRule{Match: "highest", Severity: "urgent"})
	fields := gonogo.ErrorFields(tr.Validate())
	for _, f := range []string{"project", "secret", "severities"} {
		if fields[f] == "" {
			t.Errorf("no problem at %s: %v", f, fields)
		}
	}
	tr.Project, tr.Secret, tr.Severities = "PAY", "sixteen-chars-ok", gonogo.DefaultSeverities(gonogo.Jira)
	if err := tr.Validate(); err != nil {
		t.Fatalf("a good Jira tracker: %v", err)
	}
}

func TestSyncDefectsRules(t *testing.T) {
	tr := gonogo.NewTracker("payments", gonogo.GitHub)
	tr.ID = 7
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rel := gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", State: gonogo.Review}
	shipped := gonogo.Release{ID: 2, Product: "payments", Version: "2.3.0", State: gonogo.Released}
	it := gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: "#9", Title: "Refund fails", State: gonogo.TrackedClosed,
		NotPlanned: true, Labels: []string{"critical"}, UpdatedAt: now}

	ws := gonogo.SyncDefects(tr, it, nil, &rel, now)
	if len(ws) != 1 || !ws[0].New || ws[0].Defect.Status != gonogo.DefectWontFix || ws[0].Defect.Reason == "" {
		t.Fatalf("a critical closed as not planned is a won't-fix with its reason: %+v", ws)
	}
	if ws := gonogo.SyncDefects(tr, it, nil, &shipped, now); len(ws) != 0 {
		t.Fatalf("a released release took a defect: %+v", ws)
	}
	kept := gonogo.Kept{Release: shipped, Defect: gonogo.Defect{ID: 3, ReleaseID: 2, Key: "#9", Status: gonogo.DefectOpen,
		Severity: gonogo.Critical, Source: gonogo.Synced{TrackerID: 7, Kind: gonogo.GitHub, Status: gonogo.DefectOpen}}}
	ws = gonogo.SyncDefects(tr, it, []gonogo.Kept{kept}, &rel, now)
	if len(ws) != 1 || !ws[0].New {
		t.Fatalf("a shipped release's defect is left alone and the new release gets one: %+v", ws)
	}
	deleted := it
	deleted.State = gonogo.TrackedDeleted
	open := gonogo.Kept{Release: rel, Defect: kept.Defect}
	open.Defect.ReleaseID = 1
	ws = gonogo.SyncDefects(tr, deleted, []gonogo.Kept{open}, &rel, now)
	if len(ws) != 1 || ws[0].Defect.Status != gonogo.DefectWontFix || ws[0].Defect.Reason != "deleted in GitHub" ||
		ws[0].Audit.Detail == "" {
		t.Fatalf("a deleted issue: %+v", ws)
	}
	unmarked := it
	unmarked.State, unmarked.Labels = gonogo.TrackedOpen, nil
	ws = gonogo.SyncDefects(tr, unmarked, []gonogo.Kept{open}, &rel, now)
	if len(ws) != 1 || ws[0].Defect.Status != gonogo.DefectDeferred || ws[0].Defect.Reason != "no longer marked as a defect in GitHub" {
		t.Fatalf("an issue no longer a defect: %+v", ws)
	}
	same := open
	same.Defect.Source.At = now
	if ws := gonogo.SyncDefects(tr, it, []gonogo.Kept{same}, &rel, now); len(ws) != 0 {
		t.Fatalf("a delivery no newer than the defect changed it: %+v", ws)
	}
}
