package gonogo_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestVerificationTimeline: stages, alerts and pilot answers come out in
// time order, an alert twice once resolved, a tester who has not answered
// not at all, and never more than MaxEvidence (the newest kept).
func TestVerificationTimeline(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	stages := []gonogo.Stage{{Position: 1, Name: "1%", StartedAt: at, FinishedAt: at.Add(20 * time.Minute)}, {Position: 2, Name: "all"}}
	alerts := []gonogo.Alert{{Name: "Errors", Status: gonogo.AlertResolved, StartsAt: at.Add(5 * time.Minute), EndsAt: at.Add(30 * time.Minute)}}
	pilot := []gonogo.PilotInvite{
		{Email: "a@x.example", Answer: gonogo.PilotWorks, AnsweredAt: at.Add(10 * time.Minute)},
		{Email: "b@x.example"},
	}
	got := gonogo.VerificationTimeline(stages, alerts, pilot)
	want := []string{"Stage “1%” started (1 of 2)", "Alert “Errors” fired", "Pilot: a@x.example says it works", "Stage “1%” rolled out", "Alert “Errors” resolved"}
	if len(got) != len(want) {
		t.Fatalf("timeline %+v, want %v", got, want)
	}
	for i, e := range got {
		if e.Text != want[i] {
			t.Errorf("%d: %q, want %q", i, e.Text, want[i])
		}
		if i > 0 && e.At.Before(got[i-1].At) {
			t.Errorf("%d: out of time order", i)
		}
	}
	if !got[1].Bad || got[2].Bad {
		t.Error("a firing alert is bad news, a tester's works is not")
	}

	var many []gonogo.PilotInvite
	for i := range gonogo.MaxEvidence + 10 {
		many = append(many, gonogo.PilotInvite{Email: "t@x.example", Answer: gonogo.PilotWorks, AnsweredAt: at.Add(time.Duration(i) * time.Minute)})
	}
	got = gonogo.VerificationTimeline(nil, nil, many)
	if len(got) != gonogo.MaxEvidence || !got[len(got)-1].At.Equal(at.Add(time.Duration(gonogo.MaxEvidence+9)*time.Minute)) {
		t.Errorf("a long timeline keeps %d, ending %v", len(got), got[len(got)-1].At)
	}
}
