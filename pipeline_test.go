package gonogo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var pipelineNow = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// TestReportCheck: a check settles its item while the release is at the
// step the item proves: readiness items before the decision, verification
// items while the release is deployed and verified.
func TestReportCheck(t *testing.T) {
	staging := gonogo.Item{ID: 7, Phase: gonogo.Readiness, Pillar: gonogo.Operational, Title: "Smoke test passes in staging",
		OwnerRole: gonogo.QALead, Required: true, CheckKey: "smoke-test", Status: gonogo.ItemOpen}
	production := gonogo.Item{ID: 8, Phase: gonogo.Verification, Title: "Smoke test passes in production",
		OwnerRole: gonogo.QALead, Required: true, CheckKey: gonogo.ProductionSmokeCheckKey, Status: gonogo.ItemOpen}
	tests := []struct {
		name     string
		item     gonogo.Item
		state    gonogo.State
		report   gonogo.CheckReport
		code     string
		fields   []string
		status   gonogo.ItemStatus
		evidence string
	}{
		{"pass with a link", staging, gonogo.Draft, gonogo.CheckReport{Status: "pass", URL: "https://ci.example.com/1", Summary: "12 passed"},
			"", nil, gonogo.ItemDone, "https://ci.example.com/1"},
		{"fail with a summary only", staging, gonogo.Review, gonogo.CheckReport{Status: " FAIL ", Summary: "3 failed"},
			"", nil, gonogo.ItemFailed, "3 failed"},
		{"unknown status", staging, gonogo.Draft, gonogo.CheckReport{Status: "ok"}, gonogo.EINVALID, []string{"status"}, "", ""},
		{"not a link", staging, gonogo.Draft, gonogo.CheckReport{Status: "pass", URL: "javascript:alert(1)"}, gonogo.EINVALID, []string{"url"}, "", ""},
		{"summary on two lines", staging, gonogo.Draft, gonogo.CheckReport{Status: "pass", Summary: "a\nb"}, gonogo.EINVALID, []string{"summary"}, "", ""},
		{"decided release", staging, gonogo.Go, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
		{"no-go release", staging, gonogo.NoGo, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
		{"deploying release", staging, gonogo.Deploying, gonogo.CheckReport{Status: "fail"}, gonogo.ECONFLICT, nil, "", ""},
		{"verification, deploying", production, gonogo.Deploying, gonogo.CheckReport{Status: "pass", URL: "https://ci.example.com/2"},
			"", nil, gonogo.ItemDone, "https://ci.example.com/2"},
		{"verification, verifying", production, gonogo.Verifying, gonogo.CheckReport{Status: "fail", Summary: "checkout 500s"},
			"", nil, gonogo.ItemFailed, "checkout 500s"},
		{"verification before the decision", production, gonogo.Review, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
		{"verification before deploying", production, gonogo.Go, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
		{"verification once released", production, gonogo.Released, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
		{"verification once rolled back", production, gonogo.RolledBack, gonogo.CheckReport{Status: "pass"}, gonogo.ECONFLICT, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := gonogo.Release{Product: "payments", Version: "2.4.0", State: tc.state}
			got, err := gonogo.ReportCheck(rel, tc.item, tc.report, "ci (API token)", pipelineNow)
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
	// The refusal says when the item's checks are taken.
	_, err := gonogo.ReportCheck(gonogo.Release{Product: "payments", Version: "2.4.0", State: gonogo.Go}, staging, gonogo.CheckReport{Status: "pass"}, "ci", pipelineNow)
	if msg := gonogo.ErrorMessage(err); !strings.Contains(msg, "draft or review") {
		t.Fatalf("readiness refusal %q", msg)
	}
	_, err = gonogo.ReportCheck(gonogo.Release{Product: "payments", Version: "2.4.0", State: gonogo.Go}, production, gonogo.CheckReport{Status: "pass"}, "ci", pipelineNow)
	if msg := gonogo.ErrorMessage(err); !strings.Contains(msg, "deploying or verifying") {
		t.Fatalf("verification refusal %q", msg)
	}
}

// TestReportEventInEveryState checks each pipeline event in each state: the
// deploy events follow the state machine, the smoke results are taken only
// while deploying or verifying and move nothing.
func TestReportEventInEveryState(t *testing.T) {
	pipeline := gonogo.Token{Name: "ci"}.Actor("10.0.0.1")
	productionSmoke := gonogo.Item{ID: 9, Phase: gonogo.Verification, Title: "Smoke test passes in production",
		OwnerRole: gonogo.QALead, Required: true, CheckKey: gonogo.ProductionSmokeCheckKey, Status: gonogo.ItemOpen}
	moves := map[gonogo.PipelineEvent]map[gonogo.State]gonogo.State{
		gonogo.EventDeployStarted:  {gonogo.Go: gonogo.Deploying},
		gonogo.EventDeployFinished: {gonogo.Deploying: gonogo.Verifying},
		gonogo.EventRolledBack:     {gonogo.Deploying: gonogo.RolledBack, gonogo.Verifying: gonogo.RolledBack},
	}
	for _, ev := range gonogo.PipelineEvents {
		for _, st := range gonogo.States {
			t.Run(string(ev)+"/"+string(st), func(t *testing.T) {
				snap := gonogo.Snapshot{Release: gonogo.Release{Product: "payments", Version: "2.4.0", State: st, Cycle: 1},
					Items: []gonogo.Item{productionSmoke}}
				step, err := gonogo.ReportEvent(pipeline, snap, gonogo.EventReport{Event: ev, Summary: "job 42"}, pipelineNow)
				smoke := ev == gonogo.EventSmokePassed || ev == gonogo.EventSmokeFailed
				switch to, ok := moves[ev][st]; {
				case ok:
					if err != nil || step.Move == nil || step.Move.To != to || step.Item != nil {
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
					// The smoke test in production settles its verification item.
					want := gonogo.ItemDone
					if failed {
						want = gonogo.ItemFailed
					}
					if it := step.Item; it == nil || it.ID != productionSmoke.ID || it.Status != want || it.Evidence != "job 42" ||
						it.UpdatedBy != pipeline.Name || !it.UpdatedAt.Equal(pipelineNow) {
						t.Fatalf("item %+v, want %s by the pipeline", step.Item, want)
					}
					if !strings.Contains(step.Detail, "Smoke test passes in production") {
						t.Fatalf("detail %q does not name the item", step.Detail)
					}
				default:
					wantCode(t, err, gonogo.ECONFLICT)
				}
			})
		}
	}
	_, err := gonogo.ReportEvent(pipeline, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go}}, gonogo.EventReport{Event: "deployed"}, pipelineNow)
	wantCode(t, err, gonogo.EINVALID)
	wantFields(t, err, "event")
	// A pipeline holds the Ops role only: it cannot cancel or release by an event.
	if pipeline.Roles.Has(gonogo.ReleaseManager) || !pipeline.Roles.Has(gonogo.Ops) {
		t.Fatalf("pipeline roles %v", pipeline.Roles)
	}
}

// TestSmokeEventsWithoutProductionItem: a release made before the template
// had the production smoke item, or whose team put the key elsewhere, still
// takes the smoke results, as notes that settle nothing.
func TestSmokeEventsWithoutProductionItem(t *testing.T) {
	pipeline := gonogo.Token{Name: "ci"}.Actor("10.0.0.1")
	keyed := func(phase gonogo.Phase) gonogo.Item {
		return gonogo.Item{ID: 3, Phase: phase, Title: "Smoke", OwnerRole: gonogo.QALead, CheckKey: gonogo.ProductionSmokeCheckKey, Status: gonogo.ItemOpen}
	}
	tests := []struct {
		name  string
		items []gonogo.Item
	}{
		{"no item carries the key", []gonogo.Item{{ID: 1, Phase: gonogo.Verification, Title: "Dashboards healthy", OwnerRole: gonogo.Ops}}},
		{"a readiness item carries it", []gonogo.Item{keyed(gonogo.Readiness)}},
		{"a rollback item carries it", []gonogo.Item{keyed(gonogo.Rollback)}},
	}
	for _, tc := range tests {
		for _, ev := range []gonogo.PipelineEvent{gonogo.EventSmokePassed, gonogo.EventSmokeFailed} {
			t.Run(tc.name+"/"+string(ev), func(t *testing.T) {
				snap := gonogo.Snapshot{Release: gonogo.Release{Product: "payments", Version: "2.4.0", State: gonogo.Verifying, Cycle: 1}, Items: tc.items}
				step, err := gonogo.ReportEvent(pipeline, snap, gonogo.EventReport{Event: ev}, pipelineNow)
				if err != nil || step.Item != nil || step.Move != nil {
					t.Fatalf("got %+v, %v; want a note alone", step, err)
				}
			})
		}
	}
}

// TestDefaultTemplateSmokeTests: the template puts the smoke test where the
// pipeline of docs/pipelines.md runs it: in staging before the Go, a
// readiness item the check smoke-test settles, and in production after
// deploying, a verification item the smoke events settle.
func TestDefaultTemplateSmokeTests(t *testing.T) {
	byKey := map[string]gonogo.ItemInput{}
	for _, in := range gonogo.DefaultTemplate() {
		byKey[in.CheckKey] = in
	}
	if in := byKey["smoke-test"]; in.Phase != gonogo.Readiness || !in.Required || !strings.Contains(in.Title, "staging") {
		t.Errorf("smoke-test item %+v, want a required readiness item about staging", in)
	}
	if in := byKey[gonogo.ProductionSmokeCheckKey]; in.Phase != gonogo.Verification || !in.Required || !strings.Contains(in.Title, "production") {
		t.Errorf("%s item %+v, want a required verification item about production", gonogo.ProductionSmokeCheckKey, in)
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
		{"draft, pending", gonogo.Draft, nil, open, false, gonogo.DecisionPending, "is a draft"},
		{"no-go", gonogo.NoGo, noGo, open, false, gonogo.DecisionNoGo, "decided No-Go: blocker open"},
		{"verifying after a go", gonogo.Verifying, goDecision, open, false, gonogo.DecisionGo, "is verifying"},
		{"released", gonogo.Released, goDecision, gonogo.Window{}, false, gonogo.DecisionGo, "is released"},
		{"rolled back", gonogo.RolledBack, goDecision, gonogo.Window{}, false, gonogo.DecisionGo, "is rolled back"},
		{"cancelled after a go", gonogo.Cancelled, goDecision, gonogo.Window{}, false, gonogo.DecisionGo, "is cancelled"},
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
	c := gonogo.Clear(gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Review, Cycle: 1}, Staffed: everyoneStaffed}, nil, pipelineNow)
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
