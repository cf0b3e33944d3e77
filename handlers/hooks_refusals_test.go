package handlers_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// Every delivery refused is answered with its status and a message that
// says why, counted in /metrics by its outcome, and leaves the database as
// it was: no defect, no tracker item, no delivery id, no audit event.
// Deliveries gonogo has no use for, and GitHub's ping, store nothing
// either. The payloads are GitHub's, as in hooks_github_test.go.
func TestTrackerDeliveriesRefused(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustTracker(t, "payments", gonogo.GitHub, "acme/payments")
	s.mustCreateRelease(t, "web", "1.0.0")
	s.mustTracker(t, "web", gonogo.GitLab, "acme/web")
	opened := payload(t, "github/issues.opened.json", nil)
	huge := bytes.Repeat([]byte(" "), gonogo.MaxTrackerPayload+1)
	copy(huge, opened)

	cases := []struct {
		name    string
		d       delivery
		status  int
		outcome string
		says    string
	}{
		{"unsigned", delivery{kind: gonogo.GitHub, event: "issues", id: "r1", body: opened},
			http.StatusUnauthorized, "unsigned", "not signed"},
		{"signed with a wrong secret", delivery{kind: gonogo.GitHub, event: "issues", id: "r2", body: opened, secret: "not-the-secret-at-all"},
			http.StatusUnauthorized, "bad_signature", "not signed with the secret of this product's tracker"},
		{"a signature that is no hex", delivery{kind: gonogo.GitHub, event: "issues", id: "r3", body: opened,
			headers: map[string]string{"X-Hub-Signature-256": "sha256=zz"}}, http.StatusUnauthorized, "bad_signature", "not signed with the secret"},
		{"signed, for a product that has none", delivery{kind: gonogo.GitHub, product: "nosuch", event: "issues", id: "r4", body: opened, secret: trackerSecret},
			http.StatusUnauthorized, "unknown", "not signed with the secret of this product's tracker"},
		{"signed, for a product without a tracker of that kind", delivery{kind: gonogo.GitHub, product: "web", event: "issues", id: "r5", body: opened,
			secret: trackerSecret}, http.StatusUnauthorized, "unknown", "not signed with the secret of this product's tracker"},
		{"without a delivery id", delivery{kind: gonogo.GitHub, event: "issues", body: opened, secret: trackerSecret},
			http.StatusBadRequest, "invalid", "X-GitHub-Delivery is missing"},
		{"of another repository", delivery{kind: gonogo.GitHub, event: "issues", id: "r6", secret: trackerSecret,
			body: payload(t, "github/issues.opened.json", map[string]any{"repository.full_name": "acme/web"})},
			http.StatusUnprocessableEntity, "wrong_project", `about repository "acme/web", but the GitHub tracker of product payments follows acme/payments`},
		{"not JSON", delivery{kind: gonogo.GitHub, event: "issues", id: "r7", secret: trackerSecret, body: []byte(`{"action": "opened", `)},
			http.StatusBadRequest, "invalid", "not JSON"},
		{"larger than 1 MB", delivery{kind: gonogo.GitHub, event: "issues", id: "r8", secret: trackerSecret, body: huge},
			http.StatusRequestEntityTooLarge, "too_large", "larger than 1 MB"},
	}
	w := s.watch(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			count := deliveries(t, s, tc.d.kind, tc.outcome)
			before := w.state()
			res, reply := s.deliver(t, tc.d)
			if res.StatusCode != tc.status || reply.Outcome != tc.outcome || !strings.Contains(reply.Message, tc.says) {
				t.Errorf("status %d, %+v; want %d %s saying %q", res.StatusCode, reply, tc.status, tc.outcome, tc.says)
			}
			w.refused(t, tc.name, res, before)
			if got := deliveries(t, s, tc.d.kind, tc.outcome); got != count+1 {
				t.Errorf("counted %v times, want %v", got, count+1)
			}
		})
	}
	if _, _, ok := s.trackerItem(t, "#318"); ok {
		t.Fatal("a refused delivery left a tracker item")
	}
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatalf("a refused delivery left defects: %+v", ds)
	}
	// Nothing was remembered of the refused ids: the delivery, sent again
	// as GitHub signs it, is applied.
	s.mustDeliver(t, delivery{kind: gonogo.GitHub, event: "issues", id: "r2", body: opened, secret: trackerSecret}, http.StatusOK, "applied")

	// A tracker gonogo does not know is not found at all.
	res, _ := s.deliver(t, delivery{kind: "bitbucket", event: "issues", id: "r9", body: opened, secret: trackerSecret})
	wantStatus(t, res, http.StatusNotFound)
}

// What gonogo has no use for is taken and dropped: GitHub's ping says the
// hook works, an event or action that changes no defect or scope is
// accepted with 202. Neither stores anything.
func TestTrackerDeliveriesUnusedStoreNothing(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustTracker(t, "payments", gonogo.GitHub, "acme/payments")
	w := s.watch(t)
	for _, tc := range []struct {
		name    string
		d       delivery
		status  int
		outcome string
	}{
		{"ping", delivery{kind: gonogo.GitHub, event: "ping", id: "u1", secret: trackerSecret, body: payload(t, "github/ping.json", nil)},
			http.StatusOK, "ping"},
		{"an issue assigned", delivery{kind: gonogo.GitHub, event: "issues", id: "u2", secret: trackerSecret,
			body: payload(t, "github/issues.opened.json", map[string]any{"action": "assigned"})}, http.StatusAccepted, "ignored"},
		{"a comment", delivery{kind: gonogo.GitHub, event: "issue_comment", id: "u3", secret: trackerSecret,
			body: payload(t, "github/issues.opened.json", map[string]any{"action": "created"})}, http.StatusAccepted, "ignored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count := deliveries(t, s, gonogo.GitHub, tc.outcome)
			before := w.state()
			s.mustDeliver(t, tc.d, tc.status, tc.outcome)
			if after := w.state(); after != before {
				t.Errorf("%s stored something", tc.name)
			}
			if got := deliveries(t, s, gonogo.GitHub, tc.outcome); got != count+1 {
				t.Errorf("counted %v times, want %v", got, count+1)
			}
		})
	}
}
