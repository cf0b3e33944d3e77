package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestFiringAlertHaltsPromotion: a stage ready to widen (its item done,
// its soak over) is held where it stands while an Alertmanager alert
// fires on the release: the stage gate answers 409 naming the alert,
// the pipeline's stage-started is refused, and the page's button says
// why. Once the alert resolves, the stage may widen again.
func TestFiringAlertHaltsPromotion(t *testing.T) {
	s := newStagedServer(t)
	token := s.mustToken(t, "ci", "")
	secret := s.mustAlertSecret(t, gonogo.Alertmanager)
	s.settle(t, "Error rate under 1% for the canary")
	s.at(45 * time.Minute)
	s.stageGate(t, token).want(t, http.StatusOK)

	alert := firingAlert("shop", "HighErrorRate", "warning", s.clock.Add(-time.Minute))
	if status, reply := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, alert)); status != http.StatusOK {
		t.Fatalf("the firing alert got %d: %+v", status, reply)
	}
	const want = "Alert “HighErrorRate” is firing"
	g := s.stageGate(t, token).want(t, http.StatusConflict)
	if got := strings.Join(g.list("reasons"), "\n"); !strings.Contains(got, want) {
		t.Fatalf("stage gate reasons = %q, want %q", got, want)
	}
	ev := s.call(t, http.MethodPost, "/api/v1/releases/shop/2.0/events", token, `{"event":"stage-started"}`).want(t, http.StatusConflict)
	if got := strings.Join(ev.list("reasons"), "\n"); !strings.Contains(got, want) {
		t.Fatalf("stage-started reasons = %q", got)
	}
	_, doc := s.signIn(t, "ops").get("/releases/" + itoa(s.rel.ID))
	if btn := doc.Find(`[data-testid="promote"]`); !btn.Is("[disabled]") {
		t.Error("the promote button is enabled while an alert fires")
	}
	if got := reasonsOf(doc.Find(`[data-testid="why-promote"] li`)); !strings.Contains(got, want) {
		t.Errorf("reasons beside the button = %q", got)
	}
	if l := s.rolloutLabel(t); l != "1% (1 of 4)" {
		t.Fatalf("the rollout moved on to %q while the alert fired", l)
	}

	// Resolved: the alert no longer holds the stage (the item it failed
	// waits for a person, but it belongs to the whole release, not the stage).
	if status, reply := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, alert.resolved(s.clock))); status != http.StatusOK {
		t.Fatalf("the resolved alert got %d: %+v", status, reply)
	}
	s.stageGate(t, token).want(t, http.StatusOK)
}
