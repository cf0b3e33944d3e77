package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestFixesKnownIssue(t *testing.T) {
	k := gonogo.KnownIssue{ReleaseID: 1, Product: "payments", Key: "PAY-142"}
	next := gonogo.Release{ID: 2, Product: "payments"}
	verified := gonogo.Defect{Status: gonogo.DefectVerified, TrackerURL: "https://acme.atlassian.net/browse/PAY-142"}
	for _, tc := range []struct {
		name string
		rel  gonogo.Release
		d    gonogo.Defect
		k    gonogo.KnownIssue
		want bool
	}{
		{"verified, the key read from its link", next, verified, k, true},
		{"typed key in another case", next, gonogo.Defect{Status: gonogo.DefectVerified, Key: "pay-142"}, k, true},
		{"only fixed", next, gonogo.Defect{Status: gonogo.DefectFixed, Key: "PAY-142"}, k, false},
		{"another key", next, gonogo.Defect{Status: gonogo.DefectVerified, Key: "PAY-143"}, k, false},
		{"another product", gonogo.Release{ID: 2, Product: "web"}, verified, k, false},
		{"the same release", gonogo.Release{ID: 1, Product: "payments"}, verified, k, false},
		{"a known issue without a key", next, gonogo.Defect{Status: gonogo.DefectVerified}, gonogo.KnownIssue{ReleaseID: 1, Product: "payments"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.FixesKnownIssue(tc.rel, tc.d, tc.k); got != tc.want {
				t.Errorf("FixesKnownIssue = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestIsKnownIssue(t *testing.T) {
	for _, sev := range gonogo.Severities {
		for _, st := range gonogo.DefectStatuses {
			want := sev.Grave() && (st == gonogo.DefectDeferred || st == gonogo.DefectWontFix)
			if got := gonogo.IsKnownIssue(gonogo.Defect{Severity: sev, Status: st}); got != want {
				t.Errorf("%s %s: known issue %t, want %t", sev, st, got, want)
			}
		}
	}
}

func TestSetWorkaround(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rel := gonogo.Release{ID: 1, Product: "payments", State: gonogo.Released}
	k := gonogo.KnownIssue{ID: 3, Key: "PAY-142", Title: "Crash"}
	support := gonogo.Actor{Name: "Sam", Roles: gonogo.RoleSet{gonogo.SupportLead}}
	got, a, err := gonogo.SetWorkaround(support, rel, k, "  Retry.\r\n", now)
	if err != nil || got.Workaround != "Retry." || got.UpdatedBy != "Sam" || a.Action != gonogo.ActionWorkaround {
		t.Fatalf("support after shipping: %+v %+v %v", got, a, err)
	}
	if _, a, err := gonogo.SetWorkaround(support, rel, got, "Retry.", now); err != nil || a.Action != "" {
		t.Errorf("an unchanged workaround is audited: %+v %v", a, err)
	}
	if _, _, err := gonogo.SetWorkaround(gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}, rel, k, "x", now); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Errorf("the release manager: %v", err)
	}
	rel.State = gonogo.Cancelled
	if _, _, err := gonogo.SetWorkaround(support, rel, k, "x", now); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("a cancelled release: %v", err)
	}
}

func TestConfirmSupport(t *testing.T) {
	notes := gonogo.Notes{NotesContent: gonogo.NotesContent{Title: "Faster refunds"}, Status: gonogo.NotesDraft}
	issues := []gonogo.KnownIssue{{ID: 1, Key: "PAY-142", Title: "Crash", Workaround: "Retry."}, {ID: 2, Title: "Slow"}}
	items := []gonogo.Item{
		{Title: "brief the help desk", OwnerRole: gonogo.SupportLead, Source: gonogo.SourceVote},
		{Title: "deploy off-peak", OwnerRole: gonogo.Ops, Source: gonogo.SourceDecision},
		{Title: "Support hand-off done", OwnerRole: gonogo.SupportLead},
	}
	goVote := gonogo.Vote{Role: gonogo.SupportLead, Value: gonogo.VoteGo, Conditions: []gonogo.Condition{{Text: "macro live", Owner: gonogo.SupportLead}}}
	c := gonogo.ConfirmSupport(goVote, notes, 0, issues, items)
	if c == nil {
		t.Fatal("support's Go confirms nothing")
	}
	want := `the release notes draft "Faster refunds"; 2 known issues (PAY-142, "Slow"), 1 without a workaround; 2 conditions: brief the help desk; macro live`
	if got := c.Text(); got != want {
		t.Errorf("Text = %s\nwant   %s", got, want)
	}
	if c := gonogo.ConfirmSupport(gonogo.Vote{Role: gonogo.SupportLead, Value: gonogo.VoteNoGo}, notes, 0, issues, items); c != nil {
		t.Error("a No-Go confirms")
	}
	if c := gonogo.ConfirmSupport(gonogo.Vote{Role: gonogo.QALead, Value: gonogo.VoteGo}, notes, 0, issues, items); c != nil {
		t.Error("QA's Go confirms for support")
	}
	notes.Status = gonogo.NotesPublished
	if got := gonogo.ConfirmSupport(goVote, notes, 3, nil, nil).Text(); !strings.HasPrefix(got, `the published release notes "Faster refunds", revision 3; no known issues;`) {
		t.Errorf("published: %s", got)
	}
}
