package db_test

import (
	"sync"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// reviewFixture is a release in review with every readiness item done, its
// notes published and every role signed Go by two people: ready for a Go.
func reviewFixture(t *testing.T) (*db.Store, gonogo.Release, gonogo.Actor) {
	t.Helper()
	s := db.OpenTest(t)
	rm := actor(mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager))
	all := actor(mustCreateUser(t, s, "all@example.com", false, gonogo.ProductOwner, gonogo.EngineeringLead, gonogo.QALead, gonogo.Ops, gonogo.SupportLead))
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	for _, it := range mustFindItems(t, s, rel.ID) {
		if it.Phase != gonogo.Readiness {
			continue
		}
		if _, err := s.UpdateItem(t.Context(), rm, rel.ID, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
			t.Fatal(err)
		}
	}
	publishNotes(t, s, rm, rel.ID)
	move(t, s, rm, rel.ID, gonogo.OpenReview)
	for _, r := range gonogo.Roles {
		a := all
		if r == gonogo.ReleaseManager {
			a = rm
		}
		in := gonogo.VoteInput{Role: r, Value: gonogo.VoteGo}
		if _, err := s.CastVote(t.Context(), a, rel.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	return s, rel, rm
}

func move(t *testing.T, s *db.Store, a gonogo.Actor, id int64, tr gonogo.Transition) {
	t.Helper()
	if _, err := s.Transition(t.Context(), a, id, tr); err != nil {
		t.Fatalf("%s: %v", tr, err)
	}
}

func TestConcurrentDecisionsOnlyOneWins(t *testing.T) {
	s, rel, rm := reviewFixture(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcome := gonogo.OutcomeGo
			if i%2 == 1 {
				outcome = gonogo.OutcomeNoGo
			}
			in := gonogo.DecisionInput{Outcome: outcome, Rationale: "decided by goroutine"}
			_, errs[i] = s.Decide(t.Context(), rm, rel.ID, in)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch gonogo.ErrorCode(err) {
		case "":
			won++
		case gonogo.ECONFLICT:
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d decisions succeeded, want exactly one", won)
	}
	if got := count(t, s, "decisions"); got != 1 {
		t.Fatalf("%d decisions stored", got)
	}
	events := 0
	for _, e := range mustEvents(t, s) {
		if e.Action == "decision" {
			events++
		}
	}
	if events != 1 {
		t.Fatalf("%d decision events audited", events)
	}
}

func TestDecisionRecordIsFrozenAndImmutable(t *testing.T) {
	s, rel, rm := reviewFixture(t)
	in := gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: "ops: deploy off-peak"}
	d, err := s.Decide(t.Context(), rm, rel.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.FindDecision(t.Context(), rel.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != d.ID || got.Outcome != gonogo.OutcomeGo || len(got.Record.Votes) != 6 || !got.Record.Gate.Ready ||
		len(got.Record.Items) != len(gonogo.DefaultTemplate()) || got.Conditions[0].Owner != gonogo.Ops {
		t.Fatalf("stored decision %+v", got)
	}
	if r, _ := s.FindRelease(t.Context(), rel.ID); r.State != gonogo.Go {
		t.Fatalf("state %s", r.State)
	}
	// The condition is a required verification item owned by ops.
	var cond gonogo.Item
	for _, it := range mustFindItems(t, s, rel.ID) {
		if it.Source == "decision" {
			cond = it
		}
	}
	if cond.OwnerRole != gonogo.Ops || cond.Phase != gonogo.Verification || !cond.Required || cond.SourceID != d.ID {
		t.Fatalf("condition item %+v", cond)
	}
	// Later changes do not touch the record; the database refuses edits.
	raw := rawDB(t, s)
	for _, q := range []string{`UPDATE decisions SET outcome = 'no-go'`, `DELETE FROM decisions`, `UPDATE votes SET value = 'no-go'`} {
		if _, err := raw.Exec(q); err == nil {
			t.Errorf("%s was allowed", q)
		}
	}
}

func TestNewCycleResetsVerificationAndKeepsHistory(t *testing.T) {
	s, rel, rm := reviewFixture(t)
	in := gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: "watch the queue"}
	if _, err := s.Decide(t.Context(), rm, rel.ID, in); err != nil {
		t.Fatal(err)
	}
	ops := gonogo.Actor{Name: "Ops", Roles: gonogo.RoleSet{gonogo.Ops, gonogo.ReleaseManager}}
	move(t, s, ops, rel.ID, gonogo.StartDeploy)
	move(t, s, ops, rel.ID, gonogo.FinishDeploy)
	verification := itemTitled(t, mustFindItems(t, s, rel.ID), "Dashboards healthy")
	if _, err := s.UpdateItem(t.Context(), rm, rel.ID, verification.ID, gonogo.ItemChange{Status: gonogo.ItemFailed, Evidence: "error rate 4%"}); err != nil {
		t.Fatal(err)
	}
	move(t, s, ops, rel.ID, gonogo.RollBack)
	move(t, s, rm, rel.ID, gonogo.Reopen)

	r, _ := s.FindRelease(t.Context(), rel.ID)
	if r.State != gonogo.Review || r.Cycle != 2 {
		t.Fatalf("after reopening: %s, cycle %d", r.State, r.Cycle)
	}
	items := mustFindItems(t, s, rel.ID)
	for _, it := range items {
		if it.IsCondition() {
			t.Errorf("the old cycle's condition %q is still an item", it.Title)
		}
		if it.Phase == gonogo.Verification && (it.Status != gonogo.ItemOpen || it.Evidence != "") {
			t.Errorf("verification item %q not reset: %s %q", it.Title, it.Status, it.Evidence)
		}
		if it.Phase == gonogo.Readiness && it.Status != gonogo.ItemDone {
			t.Errorf("readiness item %q lost its status", it.Title)
		}
	}
	votes, _ := s.FindVotes(t.Context(), rel.ID)
	snap, _ := s.FindSnapshot(t.Context(), rel.ID)
	if len(votes) != 6 || len(gonogo.CurrentVotes(r, snap.Votes)) != 0 {
		t.Fatalf("votes kept %d, counting %d", len(votes), len(gonogo.CurrentVotes(r, snap.Votes)))
	}
	if g := gonogo.Evaluate(snap); g.Ready {
		t.Fatal("a new cycle starts ready without any vote")
	}
	if _, ok, _ := s.FindCycleDecision(t.Context(), rel.ID, 1); !ok {
		t.Fatal("the first cycle's decision is gone")
	}
}
