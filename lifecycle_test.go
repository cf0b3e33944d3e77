package gonogo_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// TestStateMachine checks every (state, transition) pair against the life of
// a release in DESIGN.md.
func TestStateMachine(t *testing.T) {
	allowed := map[gonogo.State]map[gonogo.Transition]gonogo.State{
		gonogo.Draft:      {gonogo.OpenReview: gonogo.Review, gonogo.Cancel: gonogo.Cancelled},
		gonogo.Review:     {gonogo.Cancel: gonogo.Cancelled},
		gonogo.Go:         {gonogo.StartDeploy: gonogo.Deploying, gonogo.Cancel: gonogo.Cancelled},
		gonogo.NoGo:       {gonogo.Reopen: gonogo.Review, gonogo.Cancel: gonogo.Cancelled},
		gonogo.Deploying:  {gonogo.FinishDeploy: gonogo.Verifying, gonogo.RollBack: gonogo.RolledBack},
		gonogo.Verifying:  {gonogo.MarkReleased: gonogo.Released, gonogo.RollBack: gonogo.RolledBack},
		gonogo.RolledBack: {gonogo.Reopen: gonogo.Review},
	}
	n := 0
	for _, st := range gonogo.States {
		for _, tr := range gonogo.Transitions {
			n++
			t.Run(string(st)+"/"+string(tr), func(t *testing.T) {
				next, err := st.Next(tr)
				want, ok := allowed[st][tr]
				switch {
				case ok && (err != nil || next != want):
					t.Fatalf("got %s, %v; want %s", next, err, want)
				case !ok && gonogo.ErrorCode(err) != gonogo.ECONFLICT:
					t.Fatalf("got %s, %v; want a conflict", next, err)
				}
			})
		}
	}
	if n != len(gonogo.States)*len(gonogo.Transitions) || n != 63 {
		t.Fatalf("covered %d pairs", n)
	}
	if _, err := gonogo.Draft.Next("jump"); gonogo.ErrorCode(err) != gonogo.EINVALID {
		t.Fatal("an unknown transition should be invalid")
	}
}

func TestCanTransition(t *testing.T) {
	for _, tr := range gonogo.Transitions {
		for _, r := range gonogo.Roles {
			want := r == gonogo.ReleaseManager ||
				(r == gonogo.Ops && (tr == gonogo.StartDeploy || tr == gonogo.FinishDeploy || tr == gonogo.RollBack))
			if got := gonogo.CanTransition(gonogo.RoleSet{r}, tr); got != want {
				t.Errorf("%s %s: %v, want %v", r, tr, got, want)
			}
		}
	}
}

func TestMoveToReleasedNeedsVerification(t *testing.T) {
	rm := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	verifying := gonogo.Release{State: gonogo.Verifying}
	items := []gonogo.Item{
		{Phase: gonogo.Verification, Title: "Dashboards healthy", Required: true, Status: gonogo.ItemDone},
		{Phase: gonogo.Verification, Title: "Condition: deploy off-peak", Required: true, Status: gonogo.ItemOpen},
		{Phase: gonogo.Verification, Title: "Advisory", Required: false, Status: gonogo.ItemOpen},
	}
	_, err := gonogo.Move(rm, gonogo.Snapshot{Release: verifying, Items: items}, gonogo.MarkReleased)
	if gonogo.ErrorCode(err) != gonogo.ECONFLICT || !contains(gonogo.ErrorMessage(err), "Condition: deploy off-peak") {
		t.Fatalf("released with an open condition: %v", err)
	}
	items[1].Status = gonogo.ItemNA
	res, err := gonogo.Move(rm, gonogo.Snapshot{Release: verifying, Items: items}, gonogo.MarkReleased)
	if err != nil || res.To != gonogo.Released {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = gonogo.Move(rm, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.RolledBack}}, gonogo.Reopen)
	if err != nil || !res.NewCycle || res.To != gonogo.Review {
		t.Fatalf("reopen: %+v %v", res, err)
	}
	ops := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.Ops}}
	if _, err := gonogo.Move(ops, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Draft}}, gonogo.OpenReview); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("ops opening the review: %v", err)
	}
	if _, err := gonogo.Move(ops, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go}}, gonogo.StartDeploy); err != nil {
		t.Fatalf("ops starting the deploy: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
