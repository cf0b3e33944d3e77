package gonogo_test

import (
	"strings"
	"testing"
	"time"

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
			if got := gonogo.AbilitiesOf(gonogo.Actor{Roles: gonogo.RoleSet{r}}, gonogo.Snapshot{}).Transition(tr); got != want {
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
	_, err := gonogo.Move(rm, gonogo.Snapshot{Release: verifying, Items: items}, gonogo.MarkReleased, time.Time{})
	if gonogo.ErrorCode(err) != gonogo.ECONFLICT || len(gonogo.ErrorDetails(err)) != 1 || !contains(gonogo.ErrorDetails(err)[0], "Condition: deploy off-peak") {
		t.Fatalf("released with an open condition: %v", err)
	}
	items[1].Status = gonogo.ItemNA
	res, err := gonogo.Move(rm, gonogo.Snapshot{Release: verifying, Items: items}, gonogo.MarkReleased, time.Time{})
	if err != nil || res.To != gonogo.Released {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = gonogo.Move(rm, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.RolledBack}}, gonogo.Reopen, time.Time{})
	if err != nil || !res.NewCycle || res.To != gonogo.Review {
		t.Fatalf("reopen: %+v %v", res, err)
	}
	ops := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.Ops}}
	if _, err := gonogo.Move(ops, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Draft}}, gonogo.OpenReview, time.Time{}); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("ops opening the review: %v", err)
	}
	if _, err := gonogo.Move(ops, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go}}, gonogo.StartDeploy, time.Time{}); err != nil {
		t.Fatalf("ops starting the deploy: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestTransitionChecksListEveryReason: each way out of a release's state is
// answered with whether it can be taken now and every reason it cannot,
// each naming the item to close and where it is.
func TestTransitionChecksListEveryReason(t *testing.T) {
	var items []gonogo.Item
	for i := 1; i <= 6; i++ {
		items = append(items, gonogo.Item{ID: int64(i), Phase: gonogo.Verification, Title: "Check " + string(rune('A'-1+i)),
			Required: true, Status: gonogo.ItemOpen, OwnerRole: gonogo.Ops})
	}
	items[5].Status = gonogo.ItemFailed
	items = append(items, gonogo.Item{ID: 7, Phase: gonogo.Verification, Title: "Advisory", Status: gonogo.ItemOpen})
	snap := gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Verifying}, Items: items}

	checks := gonogo.TransitionChecks(snap)
	if len(checks) != 2 || checks[0].Transition != gonogo.MarkReleased || checks[1].Transition != gonogo.RollBack {
		t.Fatalf("checks %+v", checks)
	}
	release := checks[0]
	if release.Allowed || len(release.Reasons) != 6 {
		t.Fatalf("mark released: allowed %v with %d reasons, want refused with 6", release.Allowed, len(release.Reasons))
	}
	for i, r := range release.Reasons {
		if !contains(r.Text, "Check "+string(rune('A'+i))) || r.Anchor != "item-"+string(rune('1'+i)) {
			t.Errorf("reason %d: %+v", i, r)
		}
	}
	if !contains(release.Reasons[5].Text, "failed") {
		t.Errorf("a failed item should say so: %q", release.Reasons[5].Text)
	}
	if !checks[1].Allowed || len(checks[1].Reasons) != 0 {
		t.Fatalf("roll back: %+v", checks[1])
	}

	// Move refuses with the same reasons, every one of them: none is
	// folded into "and 1 more".
	_, err := gonogo.Move(gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}, snap, gonogo.MarkReleased, time.Time{})
	if gonogo.ErrorCode(err) != gonogo.ECONFLICT || contains(gonogo.ErrorMessage(err), "more") {
		t.Fatalf("refusal %v", err)
	}
	if d := gonogo.ErrorDetails(err); len(d) != 6 || d[5] != release.Reasons[5].Text {
		t.Fatalf("refusal details %q", d)
	}

	draft := gonogo.TransitionChecks(gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Draft}})
	if len(draft) != 2 || !draft[0].Allowed || !draft[1].Allowed {
		t.Fatalf("draft: %+v", draft)
	}
	if got := gonogo.TransitionChecks(gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Cancelled}}); len(got) != 0 {
		t.Fatalf("a cancelled release goes nowhere: %+v", got)
	}
}

// TestFinalSteps: what cannot be taken back says so, in words a person
// reads before confirming.
func TestFinalSteps(t *testing.T) {
	for _, tr := range gonogo.Transitions {
		want := tr == gonogo.Cancel || tr == gonogo.RollBack || tr == gonogo.MarkReleased
		if got := tr.Final(); got != want {
			t.Errorf("%s final: %v, want %v", tr, got, want)
		}
		if want && tr.Consequence() == "" {
			t.Errorf("%s has no consequence to show", tr)
		}
	}
	for _, o := range []gonogo.Outcome{gonogo.OutcomeGo, gonogo.OutcomeNoGo} {
		if o.Consequence() == "" {
			t.Errorf("recording %s says nothing of what follows", o)
		}
	}
}

// TestNewVersionAfterCancel: a version is taken while a release of it is
// live; a cancelled one frees it, and the new release replaces the latest
// cancelled one.
func TestNewVersionAfterCancel(t *testing.T) {
	in := gonogo.ReleaseInput{Product: "payments", Version: "2.4.0"}
	if id, err := gonogo.CheckNewVersion(in, nil); err != nil || id != 0 {
		t.Fatalf("a new version: %d, %v", id, err)
	}
	cancelled := []gonogo.Release{{ID: 3, State: gonogo.Cancelled}, {ID: 9, State: gonogo.Cancelled}}
	if id, err := gonogo.CheckNewVersion(in, cancelled); err != nil || id != 9 {
		t.Fatalf("after two cancelled: replaces %d, %v", id, err)
	}
	live := append(cancelled, gonogo.Release{ID: 12, State: gonogo.Released})
	_, err := gonogo.CheckNewVersion(in, live)
	if gonogo.ErrorCode(err) != gonogo.EINVALID || gonogo.ErrorFields(err)["version"] != "payments 2.4.0 already exists" {
		t.Fatalf("a live one: %v %v", err, gonogo.ErrorFields(err))
	}
}

func TestLineage(t *testing.T) {
	first := gonogo.Release{ID: 3, State: gonogo.Cancelled}
	second := gonogo.Release{ID: 9, State: gonogo.Cancelled}
	third := gonogo.Release{ID: 12, State: gonogo.Review}
	all := []gonogo.Release{first, second, third}
	for _, tc := range []struct {
		name             string
		rel              gonogo.Release
		replaces, nextID int64
	}{
		{"the first", first, 0, 9},
		{"the middle", second, 3, 12},
		{"the live one", third, 9, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, n := gonogo.Lineage(tc.rel, all)
			if r.ID != tc.replaces || n.ID != tc.nextID {
				t.Fatalf("replaces %d, replaced by %d; want %d, %d", r.ID, n.ID, tc.replaces, tc.nextID)
			}
		})
	}
}
