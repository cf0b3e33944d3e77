package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// GitHub's payloads (testdata/trackers/github) are shaped as GitHub's
// documentation shows them:
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#issues
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#ping
// and signed as it signs, X-Hub-Signature-256: sha256=<HMAC-SHA256 of the
// body>, each with its X-GitHub-Delivery
// (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
// Every issues action carries the whole issue; each step sends the
// opened fixture as it stands at that moment.

// ghIssue is issue #318 of acme/payments as GitHub sends it for action at
// updated (HH:MM:SS on the fixture's day), with the fields changed.
func ghIssue(t *testing.T, action, updated string, sets map[string]any) []byte {
	t.Helper()
	all := map[string]any{"action": action, "issue.updated_at": "2026-11-30T" + updated + "Z"}
	for k, v := range sets {
		all[k] = v
	}
	return payload(t, "github/issues.opened.json", all)
}

func TestGitHubIssuesKeepTheirDefectsCurrent(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	next := s.mustCreateRelease(t, "payments", "2.5.0")
	s.mustTracker(t, "payments", gonogo.GitHub, "acme/payments")
	qa := s.signIn(t, "qa")
	gh := func(id, action, updated string, sets map[string]any) delivery {
		return delivery{kind: gonogo.GitHub, event: "issues", id: id, secret: trackerSecret, body: ghIssue(t, action, updated, sets)}
	}

	// Opened with the blocker label in the 2.4.0 milestone: a blocking
	// defect the gate names.
	reply := s.mustDeliver(t, delivery{kind: gonogo.GitHub, event: "issues", id: "d-open", secret: trackerSecret,
		body: payload(t, "github/issues.opened.json", nil)}, http.StatusOK, "applied")
	if reply.Release != "2.4.0" || len(reply.Defects) != 1 || reply.Defects[0].Key != "#318" || reply.Defects[0].Severity != "blocker" {
		t.Fatalf("opened: %+v", reply)
	}
	d := s.onlyDefect(t, rel.ID)
	if d.Title != "Refund fails on retry" || d.Status != gonogo.DefectOpen || !d.Synced() || d.TrackerURL != "https://github.com/acme/payments/issues/318" {
		t.Fatalf("opened: %+v", d)
	}
	if got := gateReasons(t, qa, rel.ID); !strings.Contains(got, "#318") || !strings.Contains(got, "Refund fails on retry") {
		t.Fatalf("the gate does not name the blocker: %q", got)
	}
	if e := lastEvent(t, s, rel.ID); e.Actor != "GitHub (integration)" {
		t.Fatalf("audited as %q", e.Actor)
	}

	steps := []struct {
		name, id, action, updated string
		sets                      map[string]any
		want                      func(gonogo.Defect) bool
	}{
		{"retitled", "d-edit", "edited", "10:01:00", map[string]any{"issue.title": "Refund refused on retry"},
			func(d gonogo.Defect) bool {
				return d.Title == "Refund refused on retry" && d.Status == gonogo.DefectOpen
			}},
		{"relabelled critical", "d-label", "labeled", "10:02:00", map[string]any{"issue.title": "Refund refused on retry", "issue.labels": ghLabels("critical")},
			func(d gonogo.Defect) bool { return d.Severity == gonogo.Critical }},
		{"closed", "d-close", "closed", "10:03:00", map[string]any{"issue.title": "Refund refused on retry", "issue.labels": ghLabels("critical"),
			"issue.state": "closed", "issue.state_reason": "completed"},
			func(d gonogo.Defect) bool { return d.Status == gonogo.DefectFixed }},
		{"reopened", "d-reopen", "reopened", "10:04:00", map[string]any{"issue.title": "Refund refused on retry", "issue.labels": ghLabels("critical"),
			"issue.state": "open", "issue.state_reason": "reopened"},
			func(d gonogo.Defect) bool { return d.Status == gonogo.DefectOpen }},
		{"closed and labelled verified", "d-verify", "labeled", "10:05:00", map[string]any{"issue.title": "Refund refused on retry",
			"issue.labels": ghLabels("critical", "verified"), "issue.state": "closed", "issue.state_reason": "completed"},
			func(d gonogo.Defect) bool { return d.Status == gonogo.DefectVerified }},
	}
	for _, st := range steps {
		s.mustDeliver(t, gh(st.id, st.action, st.updated, st.sets), http.StatusOK, "applied")
		if d = s.onlyDefect(t, rel.ID); !st.want(d) {
			t.Fatalf("%s: %+v", st.name, d)
		}
	}
	if got := gateReasons(t, qa, rel.ID); strings.Contains(got, "#318") {
		t.Fatalf("the gate still names the verified defect: %q", got)
	}

	// The same delivery again is refused and changes nothing; an older
	// update arriving after a newer one is stale and changes nothing.
	w := s.watch(t)
	before := w.state()
	replayed := deliveries(t, s, gonogo.GitHub, "replayed")
	res, reply := s.deliver(t, gh("d-close", "closed", "10:03:00", map[string]any{"issue.state": "closed", "issue.state_reason": "completed"}))
	w.refused(t, "a replayed delivery", res, before)
	if res.StatusCode != http.StatusConflict || reply.Outcome != "replayed" || deliveries(t, s, gonogo.GitHub, "replayed") != replayed+1 {
		t.Fatalf("a replayed delivery: %d %+v", res.StatusCode, reply)
	}
	s.mustDeliver(t, gh("d-late", "edited", "10:02:30", map[string]any{"issue.title": "A title from before"}), http.StatusOK, "stale")
	if d = s.onlyDefect(t, rel.ID); d.Title != "Refund refused on retry" || d.Status != gonogo.DefectVerified {
		t.Fatalf("a late, older delivery changed the defect: %+v", d)
	}

	// Moved to the 2.5.0 milestone: set aside in 2.4.0 with the reason,
	// open again in 2.5.0.
	moved := map[string]any{"issue.title": "Refund refused on retry", "issue.labels": ghLabels("critical"), "issue.milestone.title": "2.5.0",
		"issue.state": "open", "issue.state_reason": "reopened"}
	s.mustDeliver(t, gh("d-move", "milestoned", "10:06:00", moved), http.StatusOK, "applied")
	if d = s.onlyDefect(t, rel.ID); d.Status != gonogo.DefectDeferred || d.Reason != "moved to 2.5.0 in GitHub" {
		t.Fatalf("moved away: %+v", d)
	}
	if n := s.onlyDefect(t, next.ID); n.Key != "#318" || n.Status != gonogo.DefectOpen || n.Severity != gonogo.Critical {
		t.Fatalf("moved here: %+v", n)
	}

	// Deleted: the payload's last update is older than the deletion, which
	// still is not stale.
	s.mustDeliver(t, gh("d-delete", "deleted", "10:06:00", moved), http.StatusOK, "applied")
	if n := s.onlyDefect(t, next.ID); n.Status != gonogo.DefectWontFix || n.Reason != "deleted in GitHub" {
		t.Fatalf("deleted: %+v", n)
	}
	if state, _, _ := s.trackerItem(t, "#318"); state != "deleted" {
		t.Fatalf("the item is %q", state)
	}
}

func TestGitHubPullRequestMergedIsScope(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustTracker(t, "payments", gonogo.GitHub, "acme/payments")
	reply := s.mustDeliver(t, delivery{kind: gonogo.GitHub, event: "pull_request", id: "pr-1", secret: trackerSecret,
		body: payload(t, "github/pull_request.closed.json", nil)}, http.StatusOK, "applied")
	if reply.Release != "2.4.0" || len(reply.Defects) != 0 {
		t.Fatalf("a merged pull request: %+v", reply)
	}
	if state, version, ok := s.trackerItem(t, "#512"); !ok || state != "merged" || version != "2.4.0" {
		t.Fatalf("the pull request is kept as %q in %q (%v)", state, version, ok)
	}
	if e := lastEvent(t, s, rel.ID); e.Actor != "GitHub (integration)" || e.Detail != "PR #512 “Refund webhook” is in 2.4.0 (merged)" {
		t.Fatalf("the scope audit: %+v", e)
	}
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatalf("a pull request became a defect: %+v", ds)
	}
}
