package handlers_test

import (
	"net/http"
	"testing"

	"github.com/gonogo/gonogo"
)

// GitLab's payloads (testdata/trackers/gitlab) are shaped as GitLab's
// documentation shows them:
// https://docs.gitlab.com/user/project/integrations/webhook_events/#work-item-events
// https://docs.gitlab.com/user/project/integrations/webhook_events/#merge-request-events
// and sent as GitLab sends them: X-Gitlab-Event names the hook,
// X-Gitlab-Token is the secret token itself, and Idempotency-Key (or,
// before GitLab 17.4, X-Gitlab-Event-UUID) names the delivery
// (https://docs.gitlab.com/user/project/integrations/webhooks/#delivery-headers).
// GitLab names an issue's milestone by its id alone, so these trackers
// name releases by a label, release:2.4.0.

func byLabel(t *gonogo.Tracker) { t.ReleaseBy = gonogo.ByLabel }

func TestGitLabIssuesAndMergeRequests(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustTracker(t, "payments", gonogo.GitLab, "acme/payments", byLabel)
	issue := func(id, action, state, updated string, labels ...string) delivery {
		ls := []any{}
		for _, l := range labels {
			ls = append(ls, map[string]any{"title": l, "type": "ProjectLabel"})
		}
		return delivery{kind: gonogo.GitLab, event: "Issue Hook", id: id, secret: trackerSecret,
			body: payload(t, "gitlab/issue.open.json", map[string]any{"object_attributes.action": action, "object_attributes.state": state,
				"object_attributes.updated_at": "2026-11-30 " + updated + " UTC", "labels": ls})}
	}

	reply := s.mustDeliver(t, delivery{kind: gonogo.GitLab, event: "Issue Hook", id: "gl-1", secret: trackerSecret,
		body: payload(t, "gitlab/issue.open.json", nil)}, http.StatusOK, "applied")
	d := s.onlyDefect(t, rel.ID)
	if reply.Release != "2.4.0" || d.Key != "#5" || d.Severity != gonogo.Blocker || d.Status != gonogo.DefectOpen ||
		d.TrackerURL != "https://gitlab.example.com/acme/payments/-/issues/5" {
		t.Fatalf("an issue opened: %+v, %+v", reply, d)
	}
	s.mustDeliver(t, issue("gl-2", "update", "opened", "10:01:00", "minor", "release:2.4.0"), http.StatusOK, "applied")
	if d = s.onlyDefect(t, rel.ID); d.Severity != gonogo.Minor {
		t.Fatalf("relabelled minor: %+v", d)
	}
	s.mustDeliver(t, issue("gl-3", "close", "closed", "10:02:00", "minor", "release:2.4.0"), http.StatusOK, "applied")
	if d = s.onlyDefect(t, rel.ID); d.Status != gonogo.DefectFixed {
		t.Fatalf("closed: %+v", d)
	}
	s.mustDeliver(t, issue("gl-3", "close", "closed", "10:02:00", "minor", "release:2.4.0"), http.StatusConflict, "replayed")
	s.mustDeliver(t, issue("gl-4", "update", "opened", "10:01:30", "blocker", "release:2.4.0"), http.StatusOK, "stale")
	if d = s.onlyDefect(t, rel.ID); d.Status != gonogo.DefectFixed || d.Severity != gonogo.Minor {
		t.Fatalf("a late, older delivery changed the defect: %+v", d)
	}
	s.mustDeliver(t, issue("gl-5", "update", "closed", "10:03:00", "minor", "release:2.4.0", "verified"), http.StatusOK, "applied")
	if d = s.onlyDefect(t, rel.ID); d.Status != gonogo.DefectVerified {
		t.Fatalf("labelled verified: %+v", d)
	}

	// A merged merge request is kept as the release's scope, !12.
	s.mustDeliver(t, delivery{kind: gonogo.GitLab, event: "Merge Request Hook", id: "gl-mr", secret: trackerSecret,
		body: payload(t, "gitlab/merge_request.merge.json", nil)}, http.StatusOK, "applied")
	if state, version, _ := s.trackerItem(t, "!12"); state != "merged" || version != "2.4.0" {
		t.Fatalf("the merge request is kept as %q in %q", state, version)
	}
	if e := lastEvent(t, s, rel.ID); e.Actor != "GitLab (integration)" || e.Detail != "MR !12 “Retry refunds” is in 2.4.0 (merged)" {
		t.Fatalf("the scope audit: %+v", e)
	}

	// Before GitLab 17.4, X-Gitlab-Event-UUID is all that names a delivery.
	old := issue("", "update", "closed", "10:04:00", "minor", "release:2.4.0", "verified")
	old.headers = map[string]string{"X-Gitlab-Event-UUID": "13792a34-cac6-4fda-95a8-c58e00a3954e"}
	s.mustDeliver(t, old, http.StatusOK, "applied")
	s.mustDeliver(t, old, http.StatusConflict, "replayed")
}

func TestGitLabRefusals(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustTracker(t, "payments", gonogo.GitLab, "acme/payments") // releases by milestone, as a new tracker does
	body := payload(t, "gitlab/issue.open.json", map[string]any{"object_attributes.milestone_id": 7})
	w := s.watch(t)
	for _, tc := range []struct {
		name    string
		d       delivery
		status  int
		outcome string
	}{
		{"a wrong token", delivery{kind: gonogo.GitLab, event: "Issue Hook", id: "x1", secret: "a-token-that-is-not-it", body: body},
			http.StatusUnauthorized, "bad_signature"},
		{"no token", delivery{kind: gonogo.GitLab, event: "Issue Hook", id: "x2", body: body}, http.StatusUnauthorized, "unsigned"},
		{"no delivery id", delivery{kind: gonogo.GitLab, event: "Issue Hook", secret: trackerSecret, body: body}, http.StatusBadRequest, "invalid"},
		// The milestone is named by its id alone: gonogo cannot tell the
		// release, and says to name releases by label.
		{"a milestone known by its id", delivery{kind: gonogo.GitLab, event: "Issue Hook", id: "x3", secret: trackerSecret, body: body},
			http.StatusUnprocessableEntity, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count := deliveries(t, s, gonogo.GitLab, tc.outcome)
			before := w.state()
			res, reply := s.deliver(t, tc.d)
			if res.StatusCode != tc.status || reply.Outcome != tc.outcome {
				t.Errorf("status %d, %+v", res.StatusCode, reply)
			}
			w.refused(t, tc.name, res, before)
			if got := deliveries(t, s, gonogo.GitLab, tc.outcome); got != count+1 {
				t.Errorf("counted %v times, want %v", got, count+1)
			}
		})
	}
}
