package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestNewPolicyRefusesWhatCannotHold(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   gonogo.Kind
		in     gonogo.PolicyInput
		fields []string
	}{
		{"one voter", gonogo.KindStandard, gonogo.PolicyInput{Roles: []string{"qa-lead", "ops"}, MinGoVoters: "1", Template: "product"}, []string{"min_voters"}},
		{"one role", gonogo.KindHotfix, gonogo.PolicyInput{Roles: []string{"qa-lead"}, MinGoVoters: "2", Template: "hotfix", ReviewDays: "5"}, []string{"roles"}},
		{"more voters than roles", gonogo.KindStandard, gonogo.PolicyInput{Roles: []string{"qa-lead", "ops"}, MinGoVoters: "3", Template: "product"}, []string{"min_voters"}},
		{"unknown role", gonogo.KindStandard, gonogo.PolicyInput{Roles: []string{"qa-lead", "cto"}, MinGoVoters: "2", Template: "product"}, []string{"roles"}},
		{"no template", gonogo.KindStandard, gonogo.PolicyInput{Roles: []string{"qa-lead", "ops"}, MinGoVoters: "2"}, []string{"template"}},
		{"review too late", gonogo.KindHotfix, gonogo.PolicyInput{Roles: []string{"qa-lead", "ops"}, MinGoVoters: "2", Template: "hotfix", ReviewDays: "31"}, []string{"review_days"}},
		{"review not a number", gonogo.KindHotfix, gonogo.PolicyInput{Roles: []string{"qa-lead", "ops"}, MinGoVoters: "two", Template: "hotfix", ReviewDays: "x"}, []string{"min_voters", "review_days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gonogo.NewPolicy("payments", tc.kind, tc.in)
			fields := gonogo.ErrorFields(err)
			if len(fields) != len(tc.fields) {
				t.Fatalf("problems %v, want %v", fields, tc.fields)
			}
			for _, f := range tc.fields {
				if fields[f] == "" {
					t.Errorf("no message for %s: %v", f, fields)
				}
			}
		})
	}
	p, err := gonogo.NewPolicy("payments", gonogo.KindHotfix, gonogo.PolicyInput{Roles: []string{"ops", "qa-lead"}, MinGoVoters: "2", Template: "hotfix", ReviewDays: "3"})
	if err != nil || p.Voters() != 2 || !p.Requires(gonogo.Ops) || p.Requires(gonogo.ProductOwner) || p.ReviewWithinDays != 3 {
		t.Fatalf("a good policy read as %+v, %v", p, err)
	}
}

func TestTheFloorOfTwoVotersHoldsWhateverThePolicySays(t *testing.T) {
	p := gonogo.Policy{Kind: gonogo.KindHotfix, Roles: gonogo.NewRoleSet(gonogo.Ops, gonogo.QALead), MinGoVoters: 1}
	if p.Voters() != 2 {
		t.Fatalf("a policy of one voter asks %d, want the floor of 2", p.Voters())
	}
	rel := gonogo.Release{ID: 1, Product: "payments", State: gonogo.Review, Cycle: 1, Kind: gonogo.KindHotfix}
	s := gonogo.Snapshot{Release: rel, KindPolicy: p, Staffed: gonogo.NewRoleSet(gonogo.Roles...), Notes: gonogo.NotesPublished,
		Votes: []gonogo.Vote{
			{ID: 1, Cycle: 1, Role: gonogo.Ops, UserID: 7, UserName: "Olga", Value: gonogo.VoteGo},
			{ID: 2, Cycle: 1, Role: gonogo.QALead, UserID: 7, UserName: "Olga", Value: gonogo.VoteGo},
		}}
	g := gonogo.Evaluate(s)
	if g.Ready || len(g.Reasons) != 1 || g.Reasons[0].Kind != gonogo.ReasonQuorum {
		t.Fatalf("one person signing both roles passed: %+v", g)
	}
}

func TestHotfixGateAsksItsPolicysRolesAndCount(t *testing.T) {
	rel := gonogo.Release{ID: 1, Product: "payments", State: gonogo.Review, Cycle: 1, Kind: gonogo.KindHotfix}
	s := gonogo.Snapshot{Release: rel, Staffed: gonogo.NewRoleSet(gonogo.Roles...), Notes: gonogo.NotesPublished}
	var waiting []string
	for _, r := range gonogo.Evaluate(s).Reasons {
		if r.Kind == gonogo.ReasonRole {
			waiting = append(waiting, r.Text)
		}
	}
	if len(waiting) != 4 || strings.Contains(strings.Join(waiting, ";"), "Product owner") {
		t.Fatalf("the default hotfix policy waits on %q", waiting)
	}
	s.KindPolicy = gonogo.Policy{Kind: gonogo.KindHotfix, Roles: gonogo.NewRoleSet(gonogo.Ops, gonogo.QALead, gonogo.ReleaseManager), MinGoVoters: 3}
	s.Votes = []gonogo.Vote{
		{ID: 1, Cycle: 1, Role: gonogo.Ops, UserID: 1, UserName: "Olga", Value: gonogo.VoteGo},
		{ID: 2, Cycle: 1, Role: gonogo.QALead, UserID: 2, UserName: "Quinn", Value: gonogo.VoteGo},
	}
	g := gonogo.Evaluate(s)
	var quorum string
	for _, r := range g.Reasons {
		if r.Kind == gonogo.ReasonQuorum {
			quorum = r.Text
		}
	}
	if !strings.Contains(quorum, "at least three people") {
		t.Fatalf("the quorum reason %q does not name the policy's three", quorum)
	}
	s.Release.Kind = gonogo.KindStandard
	s.KindPolicy = gonogo.Policy{}
	if n := len(gonogo.Waiting(s)); n != 4 {
		t.Fatalf("a standard release with no policy set waits on %d roles, want every unsigned one (4)", n)
	}
}

func TestHotfixGoOwesAReviewThatHoldsReleaseUntilItsDeadline(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rm := gonogo.Actor{UserID: 9, Name: "Rita", Roles: gonogo.NewRoleSet(gonogo.ReleaseManager)}
	rel := gonogo.Release{ID: 1, Product: "payments", State: gonogo.Review, Cycle: 1, Kind: gonogo.KindHotfix, ManagerID: 9}
	s := gonogo.Snapshot{Release: rel, Staffed: gonogo.NewRoleSet(gonogo.Roles...), Notes: gonogo.NotesPublished}
	for i, r := range []gonogo.Role{gonogo.EngineeringLead, gonogo.QALead, gonogo.Ops, gonogo.ReleaseManager} {
		s.Votes = append(s.Votes, gonogo.Vote{ID: int64(i + 1), Cycle: 1, Role: r, UserID: int64(i%2 + 1), UserName: "P", Value: gonogo.VoteGo})
	}
	res, err := gonogo.Decide(rm, s, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo}, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.AddDate(0, 0, gonogo.DefaultReviewDays); !res.ReviewDue.Equal(want) || len(res.AddItems) != 1 {
		t.Fatalf("the Go owes a review due %v with %d items; want %v and one", res.ReviewDue, len(res.AddItems), want)
	}
	review := res.AddItems[0]
	if review.CheckKey != gonogo.PostReleaseReviewKey || review.Source != gonogo.SourcePolicy || !review.IsCondition() || !strings.Contains(review.Title, "within 5 days") {
		t.Fatalf("the review item is %+v", review)
	}
	review.ID = 5
	rel.State, rel.ReviewDue = gonogo.Verifying, res.ReviewDue
	after := gonogo.Snapshot{Release: rel, Items: []gonogo.Item{review}}
	if _, err := gonogo.Move(rm, after, gonogo.MarkReleased, now.Add(time.Hour)); gonogo.ErrorCode(err) != gonogo.ECONFLICT ||
		!strings.Contains(strings.Join(gonogo.ErrorDetails(err), ";"), "Record the post-release review first") {
		t.Fatalf("marked released before the review: %v %v", err, gonogo.ErrorDetails(err))
	}
	late := res.ReviewDue.Add(time.Minute)
	if _, err := gonogo.Move(rm, after, gonogo.MarkReleased, late); err != nil {
		t.Fatalf("refused after the deadline: %v", err)
	}
	rel.State = gonogo.Released
	if !gonogo.ReviewOverdue(rel, after.Items, late) || gonogo.ReviewOverdue(rel, after.Items, now) {
		t.Fatal("overdue is not judged by the deadline")
	}
	after.Items[0].Status = gonogo.ItemDone
	if gonogo.ReviewOverdue(rel, after.Items, late) {
		t.Fatal("a recorded review is still overdue")
	}
	std := s
	std.Release.Kind = gonogo.KindStandard
	std.KindPolicy = gonogo.Policy{Kind: gonogo.KindStandard, Roles: gonogo.NewRoleSet(gonogo.EngineeringLead, gonogo.QALead, gonogo.Ops, gonogo.ReleaseManager), MinGoVoters: 2, Template: gonogo.TemplateProduct}
	if res, err := gonogo.Decide(rm, std, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo}, now); err != nil || !res.ReviewDue.IsZero() || len(res.AddItems) != 0 {
		t.Fatalf("a standard release's Go owes a review: %+v, %v", res, err)
	}
}
