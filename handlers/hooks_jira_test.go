package handlers_test

import (
	"net/http"
	"testing"

	"github.com/gonogo/gonogo"
)

// Jira Cloud's payloads (testdata/trackers/jira) are shaped as
// Atlassian's documentation shows an issue event, with the issue's fields
// as Jira's REST API writes them:
// https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event
// and signed as an admin webhook with a secret is
// (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks):
// X-Hub-Signature: sha256=<HMAC-SHA256 of the body>, the delivery named by
// X-Atlassian-Webhook-Identifier.

func TestJiraIssues(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustTracker(t, "payments", gonogo.Jira, "PAY")
	jira := func(id, name string, sets map[string]any) delivery {
		return delivery{kind: gonogo.Jira, id: id, secret: trackerSecret, body: payload(t, "jira/"+name, sets)}
	}

	// Highest priority: a blocker, open while To Do.
	s.mustDeliver(t, jira("j-1", "issue_created.json", nil), http.StatusOK, "applied")
	d := s.onlyDefect(t, rel.ID)
	if d.Key != "PAY-142" || d.Severity != gonogo.Blocker || d.Status != gonogo.DefectOpen || d.TrackerURL != "https://acme.atlassian.net/browse/PAY-142" {
		t.Fatalf("an issue created: %+v", d)
	}
	// The priority lowered to Low: minor; In Progress: in progress.
	s.mustDeliver(t, jira("j-2", "issue_created.json", map[string]any{"webhookEvent": "jira:issue_updated", "timestamp": 1796032900000,
		"issue.fields.priority": map[string]any{"name": "Low", "id": "4"},
		"issue.fields.status":   map[string]any{"name": "In Progress", "statusCategory": map[string]any{"key": "indeterminate"}}}),
		http.StatusOK, "applied")
	if d = s.onlyDefect(t, rel.ID); d.Severity != gonogo.Minor || d.Status != gonogo.DefectInProgress {
		t.Fatalf("lowered and started: %+v", d)
	}
	// Jira's status Verified, as the tracker names it: verified.
	s.mustDeliver(t, jira("j-3", "issue_updated.json", map[string]any{"issue.fields.priority": map[string]any{"name": "Low"}}), http.StatusOK, "applied")
	if d = s.onlyDefect(t, rel.ID); d.Status != gonogo.DefectVerified {
		t.Fatalf("verified: %+v", d)
	}
	s.mustDeliver(t, jira("j-3", "issue_updated.json", nil), http.StatusConflict, "replayed")
	s.mustDeliver(t, jira("j-4", "issue_created.json", map[string]any{"webhookEvent": "jira:issue_updated", "timestamp": 1796032950000}),
		http.StatusOK, "stale")
	if d = s.onlyDefect(t, rel.ID); d.Status != gonogo.DefectVerified || d.Severity != gonogo.Minor {
		t.Fatalf("a late, older delivery changed the defect: %+v", d)
	}
	// Deleted: its timestamp is the deletion's; set aside as won't fix.
	s.mustDeliver(t, jira("j-5", "issue_deleted.json", nil), http.StatusOK, "applied")
	if d = s.onlyDefect(t, rel.ID); d.Status != gonogo.DefectWontFix || d.Reason != "deleted in Jira" {
		t.Fatalf("deleted: %+v", d)
	}

	// A wrong secret, and another project's issue, change nothing.
	w := s.watch(t)
	for _, tc := range []struct {
		d       delivery
		status  int
		outcome string
	}{
		{delivery{kind: gonogo.Jira, id: "j-6", secret: "the-secret-of-another-hook", body: payload(t, "jira/issue_created.json", nil)},
			http.StatusUnauthorized, "bad_signature"},
		{jira("j-7", "issue_created.json", map[string]any{"issue.key": "WEB-9", "issue.fields.project.key": "WEB"}),
			http.StatusUnprocessableEntity, "wrong_project"},
	} {
		count := deliveries(t, s, gonogo.Jira, tc.outcome)
		before := w.state()
		res, reply := s.deliver(t, tc.d)
		if res.StatusCode != tc.status || reply.Outcome != tc.outcome {
			t.Errorf("%s: status %d, %+v", tc.outcome, res.StatusCode, reply)
		}
		w.refused(t, tc.outcome, res, before)
		if got := deliveries(t, s, gonogo.Jira, tc.outcome); got != count+1 {
			t.Errorf("%s counted %v times, want %v", tc.outcome, got, count+1)
		}
	}
}
