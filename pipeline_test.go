package gonogo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var pipelineNow = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

func TestReportCheck(t *testing.T) {
	item := gonogo.Item{ID: 7, Phase: gonogo.Readiness, Pillar: gonogo.Operational, Title: "Smoke test passes",
		OwnerRole: gonogo.QALead, Required: true, CheckKey: "smoke-test", Status: gonogo.ItemOpen}
	tests := []struct {
		name     string
		state    gonogo.State
		report   gonogo.CheckReport
		code     string
		fields   []string
		status   gonogo.ItemStatus
		evidence string
	}{
		{"pass with a link", gonogo.Draft, gonogo.CheckReport{Status: "pass", URL: "https://ci.example.com/1", Summary: "12 passed"},
			"", nil, gonogo.ItemDone, "https://ci.example.com/1"},
		{"fail with a summary only", gonogo.Review, gonogo.CheckReport{Status: " FAIL ", Summary: "3 failed"},
			"", nil, gonogo.ItemFailed, "3 failed"},
		{"unknown status", gonogo.Draft, gonogo.CheckReport{Status: "ok"}, gonogo.EINVALID, []string{"status"}, "", ""},
		{"not a link", gonogo.Draft, gonogo.CheckReport{Status: "pass", URL: "javascript:alert(1)"}, gonogo.EINVALID, []string{"url"}, "", ""},
		{"summary on two lines", gonogo.Draft, gonogo.CheckReport{Status: "pass", Summary: "a\nb"}, gonogo.EINVALID, []string{"summary"}, "", ""},
		{"decided release", gonogo.Go, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
		{"no-go release", gonogo.NoGo, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
		{"deploying release", gonogo.Deploying, gonogo.CheckReport{Status: "fail"}, gonogo.ECONFLICT, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := gonogo.Release{Product: "payments", Version: "2.4.0", State: tc.state}
			got, err := gonogo.ReportCheck(rel, item, tc.report, "ci (API token)", pipelineNow)
			wantCode(t, err, tc.code)
			if tc.fields != nil {
				wantFields(t, err, tc.fields...)
			}
			if err != nil {
				return
			}
			if got.Status != tc.status || got.Evidence != tc.evidence || got.UpdatedBy != "ci (API token)" || !got.UpdatedAt.Equal(pipelineNow) {
				t.Fatalf("item after report: %+v", got)
			}
		})
	}
}

// TestReportEventInEveryState checks each pipeline event in each state: the
// deploy events follow the state machine, the smoke results are taken only
// while deploying or verifying and move nothing.
func TestReportEventInEveryState(t *testing.T) {
	pipeline := gonogo.Token{Name: "ci"}.Actor("10.0.0.1")
	moves := map[gonogo.PipelineEvent]map[gonogo.State]gonogo.State{
		gonogo.EventDeployStarted:  {gonogo.Go: gonogo.Deploying},
		gonogo.EventDeployFinished: {gonogo.Deploying: gonogo.Verifying},
		gonogo.EventRolledBack:     {gonogo.Deploying: gonogo.RolledBack, gonogo.Verifying: gonogo.RolledBack},
	}
	for _, ev := range gonogo.PipelineEvents {
		for _, st := range gonogo.States {
			t.Run(string(ev)+"/"+string(st), func(t *testing.T) {
				snap := gonogo.Snapshot{Release: gonogo.Release{Product: "payments", Version: "2.4.0", State: st, Cycle: 1}}
				step, err := gonogo.ReportEvent(pipeline, snap, gonogo.EventReport{Event: ev, Summary: "job 42"})
				smoke := ev == gonogo.EventSmokePassed || ev == gonogo.EventSmokeFailed
				switch to, ok := moves[ev][st]; {
				case ok:
					if err != nil || step.Move == nil || step.Move.To != to {
						t.Fatalf("got %+v, %v; want a move to %s", step, err, to)
					}
				case smoke && (st == gonogo.Deploying || st == gonogo.Verifying):
					if err != nil || step.Move != nil {
						t.Fatalf("got %+v, %v; want a note and no move", step, err)
					}
					failed := slices.Contains(step.Topics, gonogo.TopicCheckFailed)
					if failed != (ev == gonogo.EventSmokeFailed) || !strings.Contains(step.Detail, "job 42") {
						t.Fatalf("step %+v", step)
					}
				default:
					wantCode(t, err, gonogo.ECONFLICT)
				}
			})
		}
	}
	_, err := gonogo.ReportEvent(pipeline, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go}}, gonogo.EventReport{Event: "deployed"})
	wantCode(t, err, gonogo.EINVALID)
	wantFields(t, err, "event")
	// A pipeline holds the Ops role only: it cannot cancel or release by an event.
	if pipeline.Roles.Has(gonogo.ReleaseManager) || !pipeline.Roles.Has(gonogo.Ops) {
		t.Fatalf("pipeline roles %v", pipeline.Roles)
	}
}

// TestClear is the gate's rule for pipelines: 200 only with a Go recorded in
// the current cycle, the release go or deploying, and its window open.
func TestClear(t *testing.T) {
	goDecision := &gonogo.Decision{Cycle: 2, Outcome: gonogo.OutcomeGo, Conditions: []gonogo.Condition{{Text: "off-peak", Owner: gonogo.Ops}}}
	noGo := &gonogo.Decision{Cycle: 2, Outcome: gonogo.OutcomeNoGo, Rationale: "blocker open"}
	open := gonogo.Window{Start: pipelineNow.Add(-time.Hour), End: pipelineNow.Add(time.Hour)}
	later := gonogo.Window{Start: pipelineNow.Add(time.Hour), End: pipelineNow.Add(2 * time.Hour)}
	past := gonogo.Window{Start: pipelineNow.Add(-2 * time.Hour), End: pipelineNow.Add(-time.Hour)}
	tests := []struct {
		name       string
		state      gonogo.State
		decision   *gonogo.Decision
		window     gonogo.Window
		authorized bool
		decided    gonogo.DecisionState
		reason     string // a part of one reason, when refused
	}{
		{"go, no window", gonogo.Go, goDecision, gonogo.Window{}, true, gonogo.DecisionGo, ""},
		{"go, window open", gonogo.Go, goDecision, open, true, gonogo.DecisionGo, ""},
		{"deploying, window open", gonogo.Deploying, goDecision, open, true, gonogo.DecisionGo, ""},
		{"go, window later", gonogo.Go, goDecision, later, false, gonogo.DecisionGo, "window opens at 2025-03-04 11:00 UTC"},
		{"go, window past", gonogo.Go, goDecision, past, false, gonogo.DecisionGo, "window closed at 2025-03-04 09:00 UTC"},
		{"review, pending", gonogo.Review, nil, gonogo.Window{}, false, gonogo.DecisionPending, "no decision has been recorded in review cycle 2"},
		{"draft, pending", gonogo.Draft, nil, open, false, gonogo.DecisionPending, "is Draft"},
		{"no-go", gonogo.NoGo, noGo, open, false, gonogo.DecisionNoGo, "decided No-Go: blocker open"},
		{"verifying after a go", gonogo.Verifying, goDecision, open, false, gonogo.DecisionGo, "is Verifying"},
		{"released", gonogo.Released, goDecision, gonogo.Window{}, false, gonogo.DecisionGo, "is Released"},
		{"rolled back", gonogo.RolledBack, goDecision, gonogo.Window{}, false, gonogo.DecisionGo, "is Rolled back"},
		{"cancelled after a go", gonogo.Cancelled, goDecision, gonogo.Window{}, false, gonogo.DecisionGo, "is Cancelled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap := gonogo.Snapshot{Release: gonogo.Release{Product: "payments", Version: "2.4.0", State: tc.state, Cycle: 2, Window: tc.window}}
			c := gonogo.Clear(snap, tc.decision, pipelineNow)
			if c.Authorized != tc.authorized || c.Decision != tc.decided {
				t.Fatalf("clearance %+v, want authorized %v and decision %s", c, tc.authorized, tc.decided)
			}
			if c.Authorized != (len(c.Reasons) == 0) {
				t.Fatalf("authorized %v with reasons %q", c.Authorized, c.Reasons)
			}
			if tc.reason != "" && !slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.Contains(r, tc.reason) }) {
				t.Fatalf("reasons %q, want one saying %q", c.Reasons, tc.reason)
			}
			if tc.window == later || tc.window == past {
				if c.WindowOpen {
					t.Fatal("window reported open")
				}
			} else if !c.WindowOpen {
				t.Fatal("window reported closed")
			}
		})
	}
	// A pending decision names what blocks the gate, so CI logs say what to fix.
	c := gonogo.Clear(gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Review, Cycle: 1}}, nil, pipelineNow)
	if !slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.Contains(r, "has not signed off") }) {
		t.Fatalf("reasons %q do not include the gate's", c.Reasons)
	}
	if c := gonogo.Clear(gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go, Cycle: 2}}, goDecision, pipelineNow); len(c.Conditions) != 1 {
		t.Fatalf("conditions %+v", c.Conditions)
	}
	// No deploy while a freeze is in force for the product, whatever else holds.
	freeze := gonogo.Freeze{Name: "Black Friday", Once: gonogo.Window{Start: pipelineNow.Add(-time.Hour), End: pipelineNow.Add(time.Hour)}, Products: []string{"payments"}}
	snap := gonogo.Snapshot{Release: gonogo.Release{Product: "payments", State: gonogo.Go, Cycle: 2}, Freezes: []gonogo.Freeze{freeze}}
	if c := gonogo.Clear(snap, goDecision, pipelineNow); c.Authorized || !strings.Contains(strings.Join(c.Reasons, " "), "Black Friday") {
		t.Fatalf("a deploy during a freeze: %+v", c)
	}
	snap.Release.Product = "web"
	if c := gonogo.Clear(snap, goDecision, pipelineNow); !c.Authorized {
		t.Fatalf("another product's freeze refused the deploy: %+v", c.Reasons)
	}
}
