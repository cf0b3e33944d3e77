package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// evidenceOf is the timeline a page shows: each item's kind and text.
func evidenceOf(doc *goquery.Document) []string {
	var out []string
	doc.Find("[data-testid=evidence] [data-testid=evidence-item]").Each(func(_ int, li *goquery.Selection) {
		out = append(out, li.AttrOr("data-kind", "")+": "+strings.TrimSpace(li.Find(".evidence-text").Text()))
	})
	return out
}

// TestEvidenceInTimeOrder: once a release deploys, its page shows what
// production said in time order (the rollout's stages, a tester's
// problem, an alert firing and resolving) beside the checklist; after a
// rollback, the post-release review and its minutes show it too, and the
// Go of the new cycle freezes it into its record.
func TestEvidenceInTimeOrder(t *testing.T) {
	s := newStagedServer(t) // shop 2.0, deploying at 1% since 10:00
	secret := s.mustAlertSecret(t, gonogo.Alertmanager)

	s.at(5 * time.Minute)
	links, err := s.store.InvitePilot(t.Context(), s.actorOf("rm"), s.rel.ID, gonogo.PilotInviteInput{Emails: "tess@customer.example", Days: 7})
	if err != nil || len(links) != 1 {
		t.Fatalf("invite: %v %v", links, err)
	}
	tess := s.client(t)
	tess.get(links[0].Path)
	wantStatus(t, tess.post(links[0].Path, url.Values{"answer": {"problem"}, "comment": {"Export hangs at 90%"}}), http.StatusSeeOther)

	s.at(5 * time.Minute)
	alert := firingAlert("shop", "HighErrorRate", "warning", s.clock.Add(-time.Minute))
	if status, _ := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, alert)); status != http.StatusOK {
		t.Fatalf("firing alert: %d", status)
	}
	s.at(10 * time.Minute)
	if status, _ := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, alert.resolved(s.clock))); status != http.StatusOK {
		t.Fatalf("resolved alert: %d", status)
	}

	want := []string{
		"stage: Stage “1%” started (1 of 4)",
		"pilot: Pilot: tess@customer.example reports a problem: Export hangs at 90%",
		"alert: Alert “HighErrorRate” (warning): HighErrorRate on shop fired",
		"alert: Alert “HighErrorRate” resolved",
	}
	rm := s.signIn(t, "rm")
	page := fmt.Sprintf("/releases/%d", s.rel.ID)
	_, doc := rm.get(page)
	if got := evidenceOf(doc); !slices.Equal(got, want) {
		t.Fatalf("the release page's evidence:\n%q\nwant\n%q", got, want)
	}

	// Rolled back: the review shows it, as do its minutes.
	s.move(t, s.rel.ID, gonogo.RollBack)
	_, doc = rm.get(page + "/post-release-review")
	if got := evidenceOf(doc); !slices.Equal(got, want) {
		t.Errorf("the review form's evidence: %q", got)
	}
	res := rm.post(page+"/post-release-review", url.Values{"outcome": {"rolled-back"}, "summary": {"Errors at 1%."}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body := rm.getText(page + "/post-release-review.md")
	if !strings.Contains(body, "## What production said") || !strings.Contains(body, "Alert: Alert “HighErrorRate” (warning)") {
		t.Errorf("the review's minutes lack the evidence:\n%s", body)
	}

	// A new cycle's Go weighs it: the record keeps it (the rollout starts
	// over, so its stages are the new cycle's, none yet).
	s.move(t, s.rel.ID, gonogo.Reopen)
	s.signAll(t, s.rel.ID)
	d := s.decide(t, s.rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	_, doc = rm.get(fmt.Sprintf("%s/decisions/%d", page, d.Number))
	if got := evidenceOf(doc); !slices.Equal(got, want[1:]) {
		t.Errorf("the decision record's evidence: %q", got)
	}
	_, body = rm.getText(fmt.Sprintf("%s/decisions/%d.md", page, d.Number))
	if !strings.Contains(body, "## What production said") || !strings.Contains(body, "reports a problem: Export hangs at 90%") {
		t.Errorf("the minutes lack the evidence:\n%s", body)
	}
}
