package gonogo_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// readiness returns a required readiness item.
func readiness(id int64, pillar gonogo.Pillar, title string, status gonogo.ItemStatus) gonogo.Item {
	return gonogo.Item{ID: id, ReleaseID: 1, Phase: gonogo.Readiness, Pillar: pillar, Title: title,
		OwnerRole: gonogo.QALead, Required: true, Status: status}
}

func TestEvaluate(t *testing.T) {
	advisory := readiness(50, gonogo.Technical, "Technical documentation updated", gonogo.ItemOpen)
	advisory.Required = false
	verification := gonogo.Item{ID: 60, Phase: gonogo.Verification, Title: "Dashboards healthy", OwnerRole: gonogo.Ops, Required: true, Status: gonogo.ItemFailed}
	rollback := gonogo.Item{ID: 70, Phase: gonogo.Rollback, Title: "Rollback rehearsed", OwnerRole: gonogo.Ops, Required: true, Status: gonogo.ItemOpen}

	type reason struct{ anchor, contains string }
	tests := []struct {
		name  string
		items []gonogo.Item
		want  []reason // empty means ready
	}{
		{"no items", nil, nil},
		{"everything settled", []gonogo.Item{
			readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemDone),
			readiness(2, gonogo.Business, "Release notes written", gonogo.ItemNA),
		}, nil},
		{"open required item", []gonogo.Item{
			readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemDone),
			readiness(12, gonogo.Operational, "Smoke test passes", gonogo.ItemOpen),
		}, []reason{{"item-12", "“Smoke test passes” is still open"}}},
		{"failed required item", []gonogo.Item{
			readiness(3, gonogo.Technical, "Security scan clean", gonogo.ItemFailed),
		}, []reason{{"item-3", "“Security scan clean” failed"}}},
		{"every blocking item, in order", []gonogo.Item{
			readiness(3, gonogo.Technical, "Security scan clean", gonogo.ItemFailed),
			readiness(4, gonogo.Technical, "Integration tests pass", gonogo.ItemDone),
			readiness(9, gonogo.Business, "Acceptance criteria met", gonogo.ItemOpen),
			readiness(5, gonogo.Operational, "Rollback plan written", gonogo.ItemOpen),
		}, []reason{
			{"item-3", "Technical readiness: “Security scan clean” failed"},
			{"item-9", "Business alignment: “Acceptance criteria met” is still open"},
			{"item-5", "Operational preparedness: “Rollback plan written” is still open"},
		}},
		{"advisory, verification and rollback items do not block", []gonogo.Item{
			readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemDone),
			advisory, verification, rollback,
		}, nil},
		{"a status the gate does not know blocks", []gonogo.Item{
			readiness(8, gonogo.Technical, "Static analysis clean", ""),
		}, []reason{{"item-8", "“Static analysis clean”"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := gonogo.Evaluate(gonogo.Snapshot{Release: reviewRelease, Items: tc.items, Votes: allSigned(), Notes: gonogo.NotesPublished})
			if g.Ready != (len(tc.want) == 0) {
				t.Errorf("Ready = %t with reasons %v", g.Ready, g.Reasons)
			}
			if len(g.Reasons) != len(tc.want) {
				t.Fatalf("%d reasons %v, want %d", len(g.Reasons), g.Reasons, len(tc.want))
			}
			for i, w := range tc.want {
				r := g.Reasons[i]
				if r.Kind != gonogo.ReasonItem || r.Anchor != w.anchor || !strings.Contains(r.Text, w.contains) {
					t.Errorf("reason %d = %+v, want anchor %q and text containing %q", i, r, w.anchor, w.contains)
				}
			}
		})
	}
}

func TestEvaluateNamesTheOwner(t *testing.T) {
	it := readiness(1, gonogo.Business, "Release notes written", gonogo.ItemOpen)
	it.OwnerRole = gonogo.ProductOwner
	g := gonogo.Evaluate(gonogo.Snapshot{Release: reviewRelease, Items: []gonogo.Item{it}, Votes: allSigned(), Notes: gonogo.NotesPublished})
	if len(g.Reasons) != 1 || !strings.Contains(g.Reasons[0].Text, "Product owner") {
		t.Fatalf("reasons %v do not name the product owner", g.Reasons)
	}
}

func TestEvaluateIsPure(t *testing.T) {
	s := gonogo.Snapshot{Release: reviewRelease, Votes: allSigned(), Notes: gonogo.NotesPublished, Items: []gonogo.Item{
		readiness(1, gonogo.Technical, "Static analysis clean", gonogo.ItemOpen),
		readiness(2, gonogo.Business, "Release notes written", gonogo.ItemFailed),
	}}
	before := append([]gonogo.Item(nil), s.Items...)
	a, b := gonogo.Evaluate(s), gonogo.Evaluate(s)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two evaluations differ: %+v and %+v", a, b)
	}
	if !reflect.DeepEqual(before, s.Items) {
		t.Fatal("Evaluate changed the snapshot")
	}
}

// TestEvaluateAgreesWithProgress checks that the gate is ready exactly when
// every pillar's required items are settled and none failed.
func TestEvaluateAgreesWithProgress(t *testing.T) {
	var items []gonogo.Item
	for i, in := range gonogo.DefaultTemplate() {
		items = append(items, gonogo.Item{ID: int64(i + 1), Phase: in.Phase, Pillar: in.Pillar, Title: in.Title,
			OwnerRole: in.OwnerRole, Required: in.Required, Status: gonogo.ItemOpen})
	}
	complete := func() bool {
		for _, pr := range gonogo.PillarProgress(items) {
			if !pr.Complete() {
				return false
			}
		}
		return true
	}
	for i := range items {
		if got := gonogo.Evaluate(gonogo.Snapshot{Release: reviewRelease, Items: items, Votes: allSigned(), Notes: gonogo.NotesPublished}).Ready; got != complete() {
			t.Fatalf("after %d items: gate ready %t, progress complete %t", i, got, complete())
		}
		items[i].Status = []gonogo.ItemStatus{gonogo.ItemDone, gonogo.ItemNA}[i%2]
	}
	if !gonogo.Evaluate(gonogo.Snapshot{Release: reviewRelease, Items: items, Votes: allSigned(), Notes: gonogo.NotesPublished}).Ready {
		t.Fatal("every item settled, yet the gate is not ready")
	}
}

// reviewRelease is a release in review, in its first cycle.
var reviewRelease = gonogo.Release{ID: 1, State: gonogo.Review, Cycle: 1}

// allSigned is a Go from every role by two people, so that only what a test
// changes decides the gate.
func allSigned() []gonogo.Vote {
	var out []gonogo.Vote
	for i, r := range gonogo.Roles {
		who := int64(1)
		if r == gonogo.ReleaseManager {
			who = 2
		}
		out = append(out, gonogo.Vote{ID: int64(i + 1), ReleaseID: 1, Cycle: 1, Role: r, UserID: who,
			UserName: []string{"", "Ann", "Rita"}[who], Value: gonogo.VoteGo, At: at(i)})
	}
	return out
}

func at(minute int) time.Time { return time.Date(2026, 11, 25, 9, minute, 0, 0, time.UTC) }

// A release in review with no window can get a Go, but the gate warns: a Go
// says nothing of when the release goes out.
func TestGateWarnsOfAReviewWithoutAWindow(t *testing.T) {
	window := gonogo.Window{Start: at(0).Add(48 * time.Hour), End: at(0).Add(50 * time.Hour)}
	tests := []struct {
		name   string
		state  gonogo.State
		window gonogo.Window
		warn   bool
	}{
		{"in review without a window", gonogo.Review, gonogo.Window{}, true},
		{"in review with a window", gonogo.Review, window, false},
		{"a draft without a window", gonogo.Draft, gonogo.Window{}, false},
		{"deploying without a window", gonogo.Deploying, gonogo.Window{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := reviewRelease
			rel.State, rel.Window = tc.state, tc.window
			g := gonogo.Evaluate(gonogo.Snapshot{Release: rel, Votes: allSigned(), Notes: gonogo.NotesPublished})
			if !g.Ready {
				t.Fatalf("a warning blocks: %v", g.Reasons)
			}
			got := len(g.Warnings) == 1 && g.Warnings[0].Kind == "no-window" && strings.Contains(g.Warnings[0].Text, "No release window")
			if got != tc.warn || (!tc.warn && len(g.Warnings) != 0) {
				t.Fatalf("warnings %+v, want a no-window warning: %t", g.Warnings, tc.warn)
			}
		})
	}
}

// everyoneStaffed is a product where some enabled person holds every role.
var everyoneStaffed = gonogo.NewRoleSet(gonogo.Roles...)

// A required role that no enabled person holds for the release's product
// is a reason of its own, which says where to add one; a waived role, or
// one whose Go is already in, is no gap.
func TestEvaluateGaps(t *testing.T) {
	payments := gonogo.Release{ID: 1, Product: "payments", State: gonogo.Review, Cycle: 1}
	noSupport := gonogo.NewRoleSet(slices.DeleteFunc(slices.Clone(gonogo.Roles), func(r gonogo.Role) bool { return r == gonogo.SupportLead })...)
	noGo := append(without(allSigned(), gonogo.SupportLead), vote(20, gonogo.SupportLead, 1, gonogo.VoteNoGo, 30))
	tests := []struct {
		name    string
		staffed gonogo.RoleSet
		votes   []gonogo.Vote
		waivers []gonogo.Waiver
		want    []gonogo.ReasonKind
	}{
		{name: "every role staffed, one to sign", staffed: everyoneStaffed, votes: without(allSigned(), gonogo.SupportLead),
			want: []gonogo.ReasonKind{gonogo.ReasonRole}},
		{name: "nobody holds the support lead role", staffed: noSupport, votes: without(allSigned(), gonogo.SupportLead),
			want: []gonogo.ReasonKind{gonogo.ReasonGap}},
		{name: "a waived role is no gap", staffed: noSupport, votes: without(allSigned(), gonogo.SupportLead),
			waivers: []gonogo.Waiver{{Role: gonogo.SupportLead, Reason: "internal change"}}},
		{name: "a Go already in is no gap", staffed: noSupport, votes: allSigned()},
		{name: "a No-Go nobody can change", staffed: noSupport, votes: noGo,
			want: []gonogo.ReasonKind{gonogo.ReasonNoGo, gonogo.ReasonGap}},
		{name: "a product nobody works on", votes: nil, want: []gonogo.ReasonKind{gonogo.ReasonGap, gonogo.ReasonGap,
			gonogo.ReasonGap, gonogo.ReasonGap, gonogo.ReasonGap, gonogo.ReasonGap, gonogo.ReasonQuorum}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := gonogo.Evaluate(gonogo.Snapshot{Release: payments, Votes: tc.votes, Waivers: tc.waivers,
				Staffed: tc.staffed, Notes: gonogo.NotesPublished})
			var kinds []gonogo.ReasonKind
			for _, r := range g.Reasons {
				kinds = append(kinds, r.Kind)
			}
			if !slices.Equal(kinds, tc.want) {
				t.Fatalf("reasons %v, want %v (%v)", kinds, tc.want, g.Reasons)
			}
		})
	}
	g := gonogo.Evaluate(gonogo.Snapshot{Release: payments, Votes: without(allSigned(), gonogo.SupportLead), Staffed: noSupport,
		Notes: gonogo.NotesPublished})
	want := gonogo.Reason{Kind: gonogo.ReasonGap, Anchor: "role-support-lead",
		Text: "No one can sign as Support lead for payments: add one under Products → payments"}
	if len(g.Reasons) != 1 || g.Reasons[0] != want {
		t.Fatalf("reasons %+v, want %+v", g.Reasons, want)
	}
	if g.Ready {
		t.Error("a gap leaves the gate ready")
	}
}
