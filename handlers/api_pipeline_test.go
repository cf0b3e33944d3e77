package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestReportCheck(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "payments-ci", "payments")
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	path := "/api/v1/releases/payments/2.4.0/checks/"

	res := s.call(t, http.MethodPost, path+"security-scan", token,
		`{"status":"fail","url":"https://ci.example.com/runs/7","summary":"2 high findings"}`).want(t, http.StatusOK)
	if res.str("item.status") != "failed" || res.str("item.check_key") != "security-scan" || res.str("item.evidence") != "https://ci.example.com/runs/7" {
		t.Fatalf("answer %v", res.body)
	}
	it := s.mustItem(t, rel.ID, "Security scan clean")
	if it.Status != gonogo.ItemFailed || it.Evidence != "https://ci.example.com/runs/7" || it.UpdatedBy != "payments-ci (API token)" {
		t.Fatalf("item %+v", it)
	}
	ev, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1)
	if len(ev) != 1 || ev[0].Action != "check.report" || ev[0].Actor != "payments-ci (API token)" || !strings.Contains(ev[0].Detail, "2 high findings") {
		t.Fatalf("audit %+v", ev)
	}
	// The release page shows it to people: the item failed, linking the run.
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	row := doc.Find(`[data-testid=item][data-title="Security scan clean"]`)
	if st, _ := row.Attr("data-status"); st != "failed" || row.Find(`[data-testid=item-evidence] a`).AttrOr("href", "") != "https://ci.example.com/runs/7" {
		t.Fatalf("release page item: status %q, evidence %q", st, row.Find(`[data-testid=item-evidence]`).Text())
	}
	// A fixed scan passes; a summary alone is the evidence.
	s.call(t, http.MethodPost, path+"security-scan", token, `{"status":"pass","summary":"clean"}`).want(t, http.StatusOK)
	if it := s.mustItem(t, rel.ID, "Security scan clean"); it.Status != gonogo.ItemDone || it.Evidence != "clean" {
		t.Fatalf("item %+v", it)
	}

	bad := []struct {
		name, key, body string
		status          int
	}{
		{"unknown check key", "no-such-check", `{"status":"pass"}`, http.StatusNotFound},
		{"unknown status", "smoke-test", `{"status":"green"}`, http.StatusUnprocessableEntity},
		{"not a link", "smoke-test", `{"status":"pass","url":"javascript:alert(1)"}`, http.StatusUnprocessableEntity},
		{"bad JSON", "smoke-test", `{"status":"pass"`, http.StatusBadRequest},
		{"unknown field", "smoke-test", `{"stauts":"pass"}`, http.StatusBadRequest},
		{"not an object", "smoke-test", `["pass"]`, http.StatusBadRequest},
		{"no body", "smoke-test", ``, http.StatusBadRequest},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			s.call(t, http.MethodPost, path+tc.key, token, tc.body).want(t, tc.status)
			if it := s.mustItem(t, rel.ID, "Smoke test passes in staging"); it.Status != gonogo.ItemOpen {
				t.Fatalf("a refused report changed the item: %+v", it)
			}
		})
	}
	s.call(t, http.MethodPost, "/api/v1/releases/payments/9.9.9/checks/smoke-test", token, `{"status":"pass"}`).want(t, http.StatusNotFound)

	// Checks feed the decision: in review yes, once decided no.
	s.move(t, rel.ID, gonogo.OpenReview)
	s.call(t, http.MethodPost, path+"smoke-test", token, `{"status":"pass"}`).want(t, http.StatusOK)
	for _, st := range []gonogo.State{gonogo.Go, gonogo.NoGo, gonogo.Deploying, gonogo.Verifying, gonogo.Released, gonogo.RolledBack, gonogo.Cancelled} {
		s.setState(t, rel.ID, st)
		res := s.call(t, http.MethodPost, path+"unit-coverage", token, `{"status":"pass"}`).want(t, http.StatusConflict)
		if !strings.Contains(res.str("error"), "draft or review") {
			t.Fatalf("%s: %v", st, res.body)
		}
	}
	if it := s.mustItem(t, rel.ID, "Unit test coverage at threshold"); it.Status != gonogo.ItemOpen {
		t.Fatalf("a refused report changed the item: %+v", it)
	}
}

// TestEventsInEachState reports each event with a release in each state:
// the deploy events take the same transitions as the board, smoke results
// are taken only while deploying or verifying, and anything else is 409
// with the domain's message.
func TestEventsInEachState(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	token := s.mustToken(t, "ci", "")
	moves := map[gonogo.PipelineEvent]map[gonogo.State]gonogo.State{
		gonogo.EventDeployStarted:  {gonogo.Go: gonogo.Deploying},
		gonogo.EventDeployFinished: {gonogo.Deploying: gonogo.Verifying},
		gonogo.EventRolledBack:     {gonogo.Deploying: gonogo.RolledBack, gonogo.Verifying: gonogo.RolledBack},
		gonogo.EventSmokePassed:    {gonogo.Deploying: gonogo.Deploying, gonogo.Verifying: gonogo.Verifying},
		gonogo.EventSmokeFailed:    {gonogo.Deploying: gonogo.Deploying, gonogo.Verifying: gonogo.Verifying},
	}
	n := 0
	for _, ev := range gonogo.PipelineEvents {
		for _, st := range gonogo.States {
			t.Run(string(ev)+"/"+string(st), func(t *testing.T) {
				n++
				rel := s.mustCreateRelease(t, "events", "1.0."+itoa(int64(n)))
				s.setState(t, rel.ID, st)
				before, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1)
				body := `{"event":"` + string(ev) + `","url":"https://ci.example.com/deploys/` + itoa(int64(n)) + `","summary":"job ` + itoa(int64(n)) + `"}`
				res := s.call(t, http.MethodPost, "/api/v1/releases/events/"+rel.Version+"/events", token, body)
				after, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1)
				to, ok := moves[ev][st]
				if !ok {
					res.want(t, http.StatusConflict)
					if got := s.mustState(t, rel.ID); got != st {
						t.Fatalf("a refused event moved the release to %s", got)
					}
					if after[0].ID != before[0].ID {
						t.Fatalf("a refused event was audited: %+v", after[0])
					}
					return
				}
				res.want(t, http.StatusOK)
				if got := s.mustState(t, rel.ID); got != to || res.str("release.state") != string(to) {
					t.Fatalf("state %s (answer %q), want %s", got, res.str("release.state"), to)
				}
				e := after[0]
				if e.ID == before[0].ID || e.Actor != "ci (API token)" || !strings.Contains(e.Detail, "job "+itoa(int64(n))) {
					t.Fatalf("audit %+v", e)
				}
				if ev == gonogo.EventSmokeFailed && !strings.Contains(e.Detail, "smoke test failed") {
					t.Fatalf("audit %+v", e)
				}
			})
		}
	}
	// The refusal is the domain's own message.
	rel := s.mustCreateRelease(t, "events", "2.0.0")
	s.setState(t, rel.ID, gonogo.Go)
	res := s.call(t, http.MethodPost, "/api/v1/releases/events/2.0.0/events", token, `{"event":"deploy-finished"}`).want(t, http.StatusConflict)
	_, want := gonogo.Go.Next(gonogo.FinishDeploy)
	if res.str("error") != gonogo.ErrorMessage(want) {
		t.Fatalf("error %q, want the domain's %q", res.str("error"), gonogo.ErrorMessage(want))
	}
	s.call(t, http.MethodPost, "/api/v1/releases/events/2.0.0/events", token, `{"event":"deployed"}`).want(t, http.StatusUnprocessableEntity)
	s.call(t, http.MethodPost, "/api/v1/releases/events/2.0.0/events", token, `{"event":`).want(t, http.StatusBadRequest)
	s.call(t, http.MethodPost, "/api/v1/releases/events/9.9.9/events", token, `{"event":"deploy-started"}`).want(t, http.StatusNotFound)
	if got := s.mustState(t, rel.ID); got != gonogo.Go {
		t.Fatalf("bad events moved the release to %s", got)
	}
}
