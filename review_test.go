package gonogo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// vote is a vote in cycle 1 of release 1, cast at minute m.
func vote(id int64, role gonogo.Role, user int64, value gonogo.VoteValue, m int) gonogo.Vote {
	return gonogo.Vote{ID: id, ReleaseID: 1, Cycle: 1, Role: role, UserID: user, UserName: []string{"", "Ann", "Rita", "Sam"}[user],
		Value: value, Comment: "because", At: at(m)}
}

func without(votes []gonogo.Vote, role gonogo.Role) []gonogo.Vote {
	return slices.DeleteFunc(slices.Clone(votes), func(v gonogo.Vote) bool { return v.Role == role })
}

func TestEvaluateSignOffs(t *testing.T) {
	done := []gonogo.Item{readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemDone)}
	open := []gonogo.Item{readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemOpen)}
	blocker := []gonogo.Defect{{ID: 7, Title: "Checkout fails", Severity: gonogo.Blocker, Status: gonogo.DefectOpen, Key: "PAY-1"}}
	minorOpen := []gonogo.Defect{{ID: 8, Title: "Typo", Severity: gonogo.Minor, Status: gonogo.DefectOpen}}
	supportWaived := []gonogo.Waiver{{Role: gonogo.SupportLead, Reason: "internal change"}}
	oneForAll := func() []gonogo.Vote {
		var out []gonogo.Vote
		for i, r := range gonogo.Roles {
			out = append(out, vote(int64(i+1), r, 1, gonogo.VoteGo, i))
		}
		return out
	}
	tests := []struct {
		name    string
		items   []gonogo.Item
		defects []gonogo.Defect
		votes   []gonogo.Vote
		waivers []gonogo.Waiver
		want    []gonogo.ReasonKind
		anchors []string
	}{
		{name: "ready", items: done, votes: allSigned()},
		{name: "a readiness item open", items: open, votes: allSigned(), want: []gonogo.ReasonKind{gonogo.ReasonItem}, anchors: []string{"item-1"}},
		{name: "a blocking defect", items: done, defects: blocker, votes: allSigned(), want: []gonogo.ReasonKind{gonogo.ReasonDefect}, anchors: []string{"defect-7"}},
		{name: "a defect that does not block", items: done, defects: minorOpen, votes: allSigned()},
		{name: "a role has not signed", items: done, votes: without(allSigned(), gonogo.Ops),
			want: []gonogo.ReasonKind{gonogo.ReasonRole}, anchors: []string{"role-ops"}},
		{name: "a waived role need not sign", items: done, votes: without(allSigned(), gonogo.SupportLead), waivers: supportWaived},
		{name: "a No-Go vote", items: done, votes: append(allSigned(), vote(20, gonogo.QALead, 1, gonogo.VoteNoGo, 30)),
			want: []gonogo.ReasonKind{gonogo.ReasonNoGo}, anchors: []string{"role-qa-lead"}},
		{name: "a No-Go changed to Go", items: done, votes: append(without(allSigned(), gonogo.QALead),
			vote(20, gonogo.QALead, 1, gonogo.VoteNoGo, 30), vote(21, gonogo.QALead, 1, gonogo.VoteGo, 31))},
		{name: "a No-Go from a waived role still blocks", items: done, waivers: supportWaived,
			votes: append(without(allSigned(), gonogo.SupportLead), vote(20, gonogo.SupportLead, 3, gonogo.VoteNoGo, 30)),
			want:  []gonogo.ReasonKind{gonogo.ReasonNoGo}},
		{name: "one person holding every role cannot approve alone", items: done, votes: oneForAll(),
			want: []gonogo.ReasonKind{gonogo.ReasonQuorum}, anchors: []string{"signoffs"}},
		{name: "votes of an earlier cycle do not count", items: done, votes: func() []gonogo.Vote {
			vs := allSigned()
			vs[0].Cycle = 0
			return vs
		}(), want: []gonogo.ReasonKind{gonogo.ReasonRole}},
		{name: "nobody signed", items: done,
			want: []gonogo.ReasonKind{gonogo.ReasonRole, gonogo.ReasonRole, gonogo.ReasonRole, gonogo.ReasonRole, gonogo.ReasonRole, gonogo.ReasonRole, gonogo.ReasonQuorum}},
		{name: "everything at once, No-Go first", items: open, defects: blocker,
			votes: []gonogo.Vote{vote(1, gonogo.QALead, 1, gonogo.VoteNoGo, 1), vote(2, gonogo.Ops, 1, gonogo.VoteGo, 2),
				vote(3, gonogo.ProductOwner, 2, gonogo.VoteGo, 3), vote(4, gonogo.EngineeringLead, 2, gonogo.VoteGo, 4),
				vote(5, gonogo.ReleaseManager, 2, gonogo.VoteGo, 5)},
			want: []gonogo.ReasonKind{gonogo.ReasonNoGo, gonogo.ReasonDefect, gonogo.ReasonItem, gonogo.ReasonRole}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := gonogo.Evaluate(gonogo.Snapshot{Release: reviewRelease, Items: tc.items, Defects: tc.defects, Votes: tc.votes, Waivers: tc.waivers,
				Staffed: everyoneStaffed, Notes: gonogo.NotesPublished})
			var kinds []gonogo.ReasonKind
			var anchors []string
			for _, r := range g.Reasons {
				kinds, anchors = append(kinds, r.Kind), append(anchors, r.Anchor)
				if r.Text == "" || r.Anchor == "" {
					t.Errorf("reason %+v does not say what to fix or where", r)
				}
			}
			if !slices.Equal(kinds, tc.want) {
				t.Fatalf("reasons %v, want %v (%v)", kinds, tc.want, g.Reasons)
			}
			if tc.anchors != nil && !slices.Equal(anchors, tc.anchors) {
				t.Errorf("anchors %v, want %v", anchors, tc.anchors)
			}
			if g.Ready != (len(tc.want) == 0) {
				t.Errorf("Ready = %v with %d reasons", g.Ready, len(tc.want))
			}
		})
	}
}

func TestEvaluateNamesWhatToFix(t *testing.T) {
	votes := append(without(allSigned(), gonogo.QALead), vote(20, gonogo.QALead, 1, gonogo.VoteNoGo, 30))
	votes[len(votes)-1].Comment = "load test missing"
	g := gonogo.Evaluate(gonogo.Snapshot{Release: reviewRelease, Votes: votes,
		Defects: []gonogo.Defect{{ID: 7, Title: "Checkout fails", Severity: gonogo.Blocker, Status: gonogo.DefectFixed, TrackerURL: "https://x.atlassian.net/browse/PAY-142"}}})
	text := ""
	for _, r := range g.Reasons {
		text += r.Text + "\n"
	}
	for _, want := range []string{"QA lead (Ann) voted No-Go: load test missing", "Blocker defect PAY-142 “Checkout fails” is fixed"} {
		if !strings.Contains(text, want) {
			t.Errorf("reasons do not say %q:\n%s", want, text)
		}
	}
}

func TestCastVote(t *testing.T) {
	review := gonogo.Release{ID: 1, State: gonogo.Review, Cycle: 2}
	qa := gonogo.Actor{UserID: 5, Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead, gonogo.Ops}}
	tests := []struct {
		name  string
		rel   gonogo.Release
		in    gonogo.VoteInput
		code  string
		field string
	}{
		{name: "go", rel: review, in: gonogo.VoteInput{Role: gonogo.QALead, Value: gonogo.VoteGo}},
		{name: "second role of the same person", rel: review, in: gonogo.VoteInput{Role: gonogo.Ops, Value: gonogo.VoteGo}},
		{name: "a role not held", rel: review, in: gonogo.VoteInput{Role: gonogo.ReleaseManager, Value: gonogo.VoteGo}, code: gonogo.EFORBIDDEN},
		{name: "no-go without comment", rel: review, in: gonogo.VoteInput{Role: gonogo.QALead, Value: gonogo.VoteNoGo, Comment: "  "}, code: gonogo.EINVALID, field: "comment"},
		{name: "no-go with comment", rel: review, in: gonogo.VoteInput{Role: gonogo.QALead, Value: gonogo.VoteNoGo, Comment: "load test missing"}},
		{name: "no value", rel: review, in: gonogo.VoteInput{Role: gonogo.QALead}, code: gonogo.EINVALID, field: "value"},
		{name: "unknown role", rel: review, in: gonogo.VoteInput{Role: "ceo", Value: gonogo.VoteGo}, code: gonogo.EINVALID, field: "role"},
		{name: "not in review", rel: gonogo.Release{State: gonogo.Go}, in: gonogo.VoteInput{Role: gonogo.QALead, Value: gonogo.VoteGo}, code: gonogo.ECONFLICT},
		{name: "draft", rel: gonogo.Release{State: gonogo.Draft}, in: gonogo.VoteInput{Role: gonogo.QALead, Value: gonogo.VoteGo}, code: gonogo.ECONFLICT},
		{name: "too many conditions", rel: review, in: gonogo.VoteInput{Role: gonogo.QALead, Value: gonogo.VoteGo, Conditions: strings.Repeat("c\n", 11)}, code: gonogo.EINVALID, field: "conditions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := gonogo.CastVote(qa, gonogo.VoteSnapshot{Release: tc.rel}, tc.in, at(0))
			v := res.Vote
			if gonogo.ErrorCode(err) != tc.code {
				t.Fatalf("code %q (%v), want %q", gonogo.ErrorCode(err), err, tc.code)
			}
			if tc.field != "" {
				if _, ok := gonogo.ErrorFields(err)[tc.field]; !ok {
					t.Fatalf("no problem with %s: %v", tc.field, err)
				}
			}
			if err == nil && (v.Cycle != 2 || v.UserID != 5 || v.Role != tc.in.Role || v.UserName != "Quinn") {
				t.Fatalf("vote %+v", v)
			}
		})
	}
}

func TestParseConditions(t *testing.T) {
	got, err := gonogo.ParseConditions("deploy only off-peak\n\n- ops: keep the old pods for an hour\nqa: \nnote: not a role", gonogo.QALead)
	if err != nil {
		t.Fatal(err)
	}
	want := []gonogo.Condition{
		{Text: "deploy only off-peak", Owner: gonogo.QALead},
		{Text: "keep the old pods for an hour", Owner: gonogo.Ops},
		{Text: "qa:", Owner: gonogo.QALead},
		{Text: "note: not a role", Owner: gonogo.QALead},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v", got)
	}
	if back := gonogo.FormatConditions(want[:2], gonogo.QALead); back != "deploy only off-peak\nops: keep the old pods for an hour" {
		t.Fatalf("formatted %q", back)
	}
	if _, err := gonogo.ParseConditions(strings.Repeat("x", 301), gonogo.QALead); gonogo.ErrorCode(err) != gonogo.EINVALID {
		t.Fatal("an over-long condition was accepted")
	}
}

func TestDecide(t *testing.T) {
	rm := gonogo.Actor{UserID: 2, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	ready := gonogo.Snapshot{Release: reviewRelease, Votes: allSigned(), Notes: gonogo.NotesPublished,
		Items: []gonogo.Item{readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemDone)}}
	blocked := ready
	blocked.Items = []gonogo.Item{readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemOpen)}
	tests := []struct {
		name  string
		actor gonogo.Actor
		snap  gonogo.Snapshot
		in    gonogo.DecisionInput
		code  string
	}{
		{"go when ready", rm, ready, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: "deploy off-peak\nops: watch the queue"}, ""},
		{"go when blocked", rm, blocked, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo}, gonogo.ECONFLICT},
		{"no-go when blocked", rm, blocked, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "not ready"}, ""},
		{"no-go without rationale", rm, blocked, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo}, gonogo.EINVALID},
		{"not the release manager", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.QALead}, Admin: true}, ready, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo}, gonogo.EFORBIDDEN},
		{"not in review", rm, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go}}, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "x"}, gonogo.ECONFLICT},
		{"no outcome", rm, ready, gonogo.DecisionInput{}, gonogo.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := gonogo.Decide(tc.actor, tc.snap, tc.in, at(40))
			d := res.Decision
			if gonogo.ErrorCode(err) != tc.code {
				t.Fatalf("code %q (%v), want %q", gonogo.ErrorCode(err), err, tc.code)
			}
			if err != nil {
				return
			}
			if d.Outcome != tc.in.Outcome || d.DeciderName != "Rita" || d.Cycle != 1 || !d.At.Equal(at(40)) {
				t.Fatalf("decision %+v", d)
			}
			if len(d.Record.Votes) != len(gonogo.Roles) || len(d.Record.Items) != 1 || d.Record.Gate.Ready != (tc.snap.Items[0].Status == gonogo.ItemDone) {
				t.Fatalf("record %+v", d.Record)
			}
		})
	}
	_, err := gonogo.Decide(rm, blocked, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo}, at(40))
	if details := gonogo.ErrorDetails(err); len(details) != 1 || !strings.Contains(details[0], "Static analysis clean") {
		t.Fatalf("a refused Go should carry the gate's reasons: %v", details)
	}
	res, _ := gonogo.Decide(rm, ready, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: "deploy off-peak\nops: watch the queue"}, at(40))
	if want := []gonogo.Condition{{"deploy off-peak", gonogo.ReleaseManager}, {"watch the queue", gonogo.Ops}}; !slices.Equal(res.Decision.Conditions, want) {
		t.Fatalf("conditions %+v", res.Decision.Conditions)
	}
	if got := res.Decision.Record.Attendees(); !slices.Equal(got, []string{"Ann", "Rita"}) {
		t.Fatalf("attendees %v", got)
	}
}

func TestChangeWaiver(t *testing.T) {
	rm := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	review := gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Review}}
	if _, err := gonogo.ChangeWaiver(rm, review, gonogo.WaiverChange{Role: gonogo.SupportLead}); gonogo.ErrorCode(err) != gonogo.EINVALID {
		t.Errorf("a waiver without a reason: %v", err)
	}
	if _, err := gonogo.ChangeWaiver(rm, review, gonogo.WaiverChange{Role: gonogo.SupportLead, Reason: "internal"}); err != nil {
		t.Error(err)
	}
	if _, err := gonogo.ChangeWaiver(gonogo.Actor{Roles: gonogo.RoleSet{gonogo.QALead}}, review, gonogo.WaiverChange{Role: gonogo.QALead, Reason: "x"}); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Errorf("QA waiving itself: %v", err)
	}
	if _, err := gonogo.ChangeWaiver(rm, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go}}, gonogo.WaiverChange{Role: gonogo.QALead, Reason: "x"}); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("after the decision: %v", err)
	}
	c, err := gonogo.ChangeWaiver(rm, review, gonogo.WaiverChange{Role: gonogo.SupportLead, Required: true, Reason: "ignored"})
	if err != nil || c.Reason != "" {
		t.Errorf("making a role required again: %+v %v", c, err)
	}
}

func TestWaitingAndNudge(t *testing.T) {
	rm := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	s := gonogo.Snapshot{Release: reviewRelease, Votes: without(without(allSigned(), gonogo.QALead), gonogo.SupportLead),
		Waivers: []gonogo.Waiver{{Role: gonogo.SupportLead, Reason: "internal"}}, Staffed: everyoneStaffed}
	if got := gonogo.Waiting(s); !slices.Equal(got, []gonogo.Role{gonogo.QALead}) {
		t.Fatalf("waiting on %v", got)
	}
	if got := gonogo.Unstaffed(s); len(got) != 0 {
		t.Fatalf("unstaffed %v", got)
	}
	// Nobody holds QA lead for the product: the role is not waited on but
	// named as a gap, and a nudge to it is refused, saying who must act.
	gap := s
	gap.Release.Product = "payments"
	gap.Staffed = gonogo.NewRoleSet(gonogo.ProductOwner, gonogo.EngineeringLead, gonogo.Ops, gonogo.ReleaseManager)
	if w, u := gonogo.Waiting(gap), gonogo.Unstaffed(gap); len(w) != 0 || !slices.Equal(u, []gonogo.Role{gonogo.QALead}) {
		t.Fatalf("without a QA lead: waiting on %v, unstaffed %v", w, u)
	}
	err := gonogo.Nudge(rm, gap, gonogo.QALead)
	if gonogo.ErrorCode(err) != gonogo.ECONFLICT || !strings.Contains(gonogo.ErrorMessage(err), "No one holds the QA lead role for "+gap.Release.Product) {
		t.Fatalf("nudging a role nobody holds: %v", err)
	}
	if err := gonogo.Nudge(rm, s, gonogo.QALead); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		actor gonogo.Actor
		snap  gonogo.Snapshot
		role  gonogo.Role
		code  string
	}{
		{gonogo.Actor{Roles: gonogo.RoleSet{gonogo.QALead}}, s, gonogo.QALead, gonogo.EFORBIDDEN},
		{rm, s, gonogo.Ops, gonogo.ECONFLICT},
		{rm, s, gonogo.SupportLead, gonogo.ECONFLICT},
		{rm, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Go}}, gonogo.QALead, gonogo.ECONFLICT},
		{rm, s, "ceo", gonogo.ENOTFOUND},
	} {
		if code := gonogo.ErrorCode(gonogo.Nudge(tc.actor, tc.snap, tc.role)); code != tc.code {
			t.Errorf("nudge %s: %q, want %q", tc.role, code, tc.code)
		}
	}
}
