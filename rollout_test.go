package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var st0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// staged is a release deploying at its first of three stages, started at
// st0 with a 30-minute soak and one item.
func staged() gonogo.Snapshot {
	return gonogo.Snapshot{
		Release: gonogo.Release{ID: 1, Product: "shop", Version: "1.0", State: gonogo.Deploying, Cycle: 1},
		Stages: []gonogo.Stage{
			{ID: 11, Position: 1, Name: "canary", Soak: 30 * time.Minute, StartedAt: st0},
			{ID: 12, Position: 2, Name: "50%", Soak: 60 * time.Minute},
			{ID: 13, Position: 3, Name: "all"},
		},
		Items: []gonogo.Item{
			{ID: 5, Phase: gonogo.Verification, Title: "Error rate under 1% for the canary", OwnerRole: gonogo.Ops, Required: true, Status: gonogo.ItemDone, StageID: 11},
			{ID: 6, Phase: gonogo.Verification, Title: "Latency steady at 50%", OwnerRole: gonogo.Ops, Required: true, Status: gonogo.ItemOpen, StageID: 12},
		},
	}
}

var opsActor = gonogo.Actor{Name: "Olga", Roles: gonogo.RoleSet{gonogo.Ops}}

func TestPromotionBlockedForEachReason(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(*gonogo.Snapshot)
		at     time.Time
		want   string
	}{
		{"soak not over", func(*gonogo.Snapshot) {}, st0.Add(18 * time.Minute), "The soak of “canary” ends at 10:30 UTC (in 12 min)"},
		{"item open", func(s *gonogo.Snapshot) { s.Items[0].Status = gonogo.ItemOpen }, st0.Add(time.Hour), "“Error rate under 1% for the canary” is still open (Ops)"},
		{"item failed", func(s *gonogo.Snapshot) { s.Items[0].Status = gonogo.ItemFailed }, st0.Add(time.Hour), "“Error rate under 1% for the canary” failed (Ops)"},
		{"alert firing", func(s *gonogo.Snapshot) { s.Alerts = []string{"HighErrorRate"} }, st0.Add(time.Hour), "Alert “HighErrorRate” is firing"},
		{"not deploying", func(s *gonogo.Snapshot) { s.Release.State = gonogo.Verifying }, st0.Add(time.Hour), "stages are promoted while a release is deploying"},
		{"soak counts from the finish", func(s *gonogo.Snapshot) { s.Stages[0].FinishedAt = st0.Add(20 * time.Minute) }, st0.Add(40 * time.Minute), "ends at 10:50 UTC (in 10 min)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := staged()
			tc.adjust(&s)
			r := gonogo.PromotionCheck(s, tc.at)
			if r.CanPromote {
				t.Fatal("promotion allowed")
			}
			if !containsText(r.ReasonTexts(), tc.want) {
				t.Fatalf("reasons %q lack %q", r.ReasonTexts(), tc.want)
			}
			_, err := gonogo.Promote(opsActor, s, "", tc.at)
			if gonogo.ErrorCode(err) != gonogo.ECONFLICT || !containsText(gonogo.ErrorDetails(err), tc.want) {
				t.Fatalf("Promote = %v (%q), want a conflict naming %q", err, gonogo.ErrorDetails(err), tc.want)
			}
		})
	}
}

func containsText(texts []string, want string) bool {
	for _, s := range texts {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func TestPromoteAfterSoak(t *testing.T) {
	s := staged()
	at := st0.Add(31 * time.Minute)
	r := gonogo.PromotionCheck(s, at)
	if !r.CanPromote || r.Label() != "canary (1 of 3)" {
		t.Fatalf("check = %+v, label %q", r.Reasons, r.Label())
	}
	step, err := gonogo.Promote(opsActor, s, "", at)
	if err != nil {
		t.Fatal(err)
	}
	// The canary, never reported finished, finishes now; 50% starts.
	if len(step.Stages) != 2 || !step.Stages[0].FinishedAt.Equal(at) || step.Stages[1].ID != 12 || !step.Stages[1].StartedAt.Equal(at) {
		t.Fatalf("stages = %+v", step.Stages)
	}
	if step.Audit.Action != gonogo.ActionStageStart || !strings.Contains(step.Audit.Detail, "“50%” (2 of 3)") {
		t.Fatalf("audit = %+v", step.Audit)
	}
}

func TestPromoteNeedsOpsOrReleaseManager(t *testing.T) {
	qa := gonogo.Actor{Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	if _, err := gonogo.Promote(qa, staged(), "", st0.Add(time.Hour)); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("QA lead promoted: %v", err)
	}
	rm := gonogo.Actor{Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	if _, err := gonogo.Promote(rm, staged(), "", st0.Add(time.Hour)); err != nil {
		t.Fatalf("release manager refused: %v", err)
	}
}

func TestLastStage(t *testing.T) {
	s := staged()
	s.Stages[1].StartedAt, s.Stages[1].FinishedAt = st0.Add(time.Hour), st0.Add(time.Hour)
	s.Stages[2].StartedAt = st0.Add(3 * time.Hour)
	s.Items[1].Status = gonogo.ItemDone
	at := st0.Add(4 * time.Hour)
	r := gonogo.PromotionCheck(s, at)
	if r.CanPromote || !containsText(r.ReasonTexts(), "is the last stage") || r.Label() != "all (3 of 3)" {
		t.Fatalf("last stage: %+v", r)
	}
	if _, err := gonogo.Move(opsActor, s, gonogo.FinishDeploy, at); err != nil {
		t.Fatalf("deploy-finished at the last stage refused: %v", err)
	}
	s.Alerts = []string{"HighErrorRate"}
	if _, err := gonogo.Move(opsActor, s, gonogo.FinishDeploy, at); gonogo.ErrorCode(err) != gonogo.ECONFLICT || !containsText(gonogo.ErrorDetails(err), "HighErrorRate") {
		t.Fatalf("deploy-finished with an alert firing: %v", err)
	}
}

func TestFinishDeployWaitsForTheLastStage(t *testing.T) {
	s := staged()
	_, err := gonogo.Move(opsActor, s, gonogo.FinishDeploy, st0.Add(time.Hour))
	if gonogo.ErrorCode(err) != gonogo.ECONFLICT || !containsText(gonogo.ErrorDetails(err), "has not reached its last stage “all”: it is at “canary” (1 of 3)") {
		t.Fatalf("err = %v %q", err, gonogo.ErrorDetails(err))
	}
	for _, c := range gonogo.TransitionChecksAt(s, st0.Add(time.Hour)) {
		if c.Transition == gonogo.FinishDeploy && c.Allowed {
			t.Fatal("the button to finish the deployment is enabled")
		}
	}
}

func TestStartDeployStartsTheFirstStage(t *testing.T) {
	s := staged()
	s.Release.State = gonogo.Go
	s.Stages[0].StartedAt = time.Time{}
	res, err := gonogo.Move(opsActor, s, gonogo.StartDeploy, st0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stages) != 1 || res.Stages[0].ID != 11 || !res.Stages[0].StartedAt.Equal(st0) {
		t.Fatalf("stages = %+v", res.Stages)
	}
}

func TestNoStagesNoChange(t *testing.T) {
	s := staged()
	s.Stages, s.Items = nil, nil
	if r := gonogo.PromotionCheck(s, st0); r.Staged() || r.CanPromote || len(r.Reasons) != 0 || r.Label() != "" {
		t.Fatalf("rollout without stages: %+v", r)
	}
	if _, err := gonogo.Move(opsActor, s, gonogo.FinishDeploy, st0); err != nil {
		t.Fatalf("deploy-finished without stages: %v", err)
	}
	s.Release.State = gonogo.Go
	if res, err := gonogo.Move(opsActor, s, gonogo.StartDeploy, st0); err != nil || len(res.Stages) != 0 {
		t.Fatalf("start deploy without stages: %v %+v", err, res.Stages)
	}
	if _, err := gonogo.ReportEvent(opsActor, s, gonogo.EventReport{Event: gonogo.EventStageStarted}, st0); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("stage-started without stages: %v", err)
	}
}

func TestStageEvents(t *testing.T) {
	s := staged()
	step, err := gonogo.ReportEvent(opsActor, s, gonogo.EventReport{Event: gonogo.EventStageFinished, URL: "https://ci.example.com/1"}, st0.Add(5*time.Minute))
	if err != nil || step.Stage == nil || !step.Stage.Stages[0].FinishedAt.Equal(st0.Add(5*time.Minute)) || step.Audit().Action != gonogo.ActionStageFinish {
		t.Fatalf("stage-finished: %v %+v", err, step)
	}
	s.Stages[0].FinishedAt = st0.Add(5 * time.Minute)
	if _, err := gonogo.ReportEvent(opsActor, s, gonogo.EventReport{Event: gonogo.EventStageFinished}, st0.Add(6*time.Minute)); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("finished twice: %v", err)
	}
	if _, err := gonogo.ReportEvent(opsActor, s, gonogo.EventReport{Event: gonogo.EventStageStarted}, st0.Add(10*time.Minute)); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("stage-started early: %v", err)
	}
	step, err = gonogo.ReportEvent(opsActor, s, gonogo.EventReport{Event: gonogo.EventStageStarted}, st0.Add(40*time.Minute))
	if err != nil || step.Stage == nil || len(step.Stage.Stages) != 1 || step.Stage.Stages[0].ID != 12 {
		t.Fatalf("stage-started: %v %+v", err, step.Stage)
	}
}

func TestValidateStages(t *testing.T) {
	specs := gonogo.NormalizeStages([]gonogo.StageSpec{{Name: " canary ", SoakMinutes: 30, Items: []string{" a ", ""}}, {}, {Name: "all"}})
	if len(specs) != 2 || specs[0].Name != "canary" || len(specs[0].Items) != 1 {
		t.Fatalf("normalized = %+v", specs)
	}
	if err := gonogo.ValidateStages(specs); err != nil {
		t.Fatal(err)
	}
	bad := []gonogo.StageSpec{{Name: "", Items: []string{"x"}}, {Name: "b", SoakMinutes: -1}, {Name: "c", Items: []string{"1", "2", "3", "4", "5", "6"}}}
	fields := gonogo.ErrorFields(gonogo.ValidateStages(bad))
	for _, f := range []string{"stage-0-name", "stage-1-soak", "stage-2-items"} {
		if fields[f] == "" {
			t.Errorf("no problem for %s: %v", f, fields)
		}
	}
	many := make([]gonogo.StageSpec, gonogo.MaxStages+1)
	for i := range many {
		many[i].Name = string(rune('a' + i))
	}
	if gonogo.ErrorFields(gonogo.ValidateStages(many))["stages"] == "" {
		t.Error("nine stages accepted")
	}
}

func TestReopenStartsTheRolloutOver(t *testing.T) {
	s := staged()
	s.Release.State = gonogo.RolledBack
	s.Stages[0].FinishedAt = st0.Add(time.Minute)
	s.Stages[1].StartedAt = st0.Add(time.Hour)
	rm := gonogo.Actor{Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	res, err := gonogo.Move(rm, s, gonogo.Reopen, st0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stages) != 3 {
		t.Fatalf("stages = %+v", res.Stages)
	}
	for _, st := range res.Stages {
		if st.Started() || !st.FinishedAt.IsZero() {
			t.Fatalf("stage %q kept its times: %+v", st.Name, st)
		}
	}
}

func TestPromotionRefusalAlwaysSaysWhy(t *testing.T) {
	s := staged()
	s.Stages[0].StartedAt = time.Time{}
	for _, st := range []gonogo.State{gonogo.Go, gonogo.Deploying, gonogo.Verifying} {
		s.Release.State = st
		if r := gonogo.PromotionCheck(s, st0); r.CanPromote || len(r.Reasons) == 0 {
			t.Errorf("%s, no stage started: %+v", st, r)
		}
	}
}
