package gonogo_test

import (
	"testing"

	"github.com/gonogo/gonogo"
)

// scopeOf is a snapshot of release 2.4.0 in state st with the given open
// changes in its milestone.
func scopeOf(st gonogo.State, scope ...gonogo.ScopeChange) gonogo.Snapshot {
	return gonogo.Snapshot{Release: gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", State: st}, Scope: scope}
}

func scopeReasons(g gonogo.Gate) []gonogo.Reason {
	var out []gonogo.Reason
	for _, r := range g.Reasons {
		if r.Kind == gonogo.ReasonScope {
			out = append(out, r)
		}
	}
	return out
}

func TestOpenRequiredChangeIsAGateReason(t *testing.T) {
	pr := gonogo.ScopeChange{Kind: gonogo.GitHub, Key: "#512", Title: "Refund webhook", Required: true}
	mr := gonogo.ScopeChange{Kind: gonogo.GitLab, Key: "!12", Title: "Retry refunds", Required: true}
	optional := gonogo.ScopeChange{Kind: gonogo.GitHub, Key: "#513", Title: "Tidy logs"}
	tests := []struct {
		name string
		snap gonogo.Snapshot
		want []string
	}{
		{"a required pull request in review", scopeOf(gonogo.Review, pr),
			[]string{"PR #512 “Refund webhook” is in 2.4.0's milestone and still open"}},
		{"a required merge request in a draft", scopeOf(gonogo.Draft, mr),
			[]string{"MR !12 “Retry refunds” is in 2.4.0's milestone and still open"}},
		{"one not labelled as required is listed, not a reason", scopeOf(gonogo.Review, optional), nil},
		{"after the decision the scope is no longer judged", scopeOf(gonogo.Go, pr), nil},
		{"each required one, in order", scopeOf(gonogo.Review, pr, optional, mr), []string{
			"PR #512 “Refund webhook” is in 2.4.0's milestone and still open",
			"MR !12 “Retry refunds” is in 2.4.0's milestone and still open"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := scopeReasons(gonogo.Evaluate(tc.snap))
			if len(got) != len(tc.want) {
				t.Fatalf("scope reasons %+v, want %q", got, tc.want)
			}
			for i, r := range got {
				if r.Text != tc.want[i] || r.Anchor != "scope" {
					t.Errorf("reason %d: %+v, want %q anchored to the scope panel", i, r, tc.want[i])
				}
			}
		})
	}
}

func TestScopeIsWatchedWhileTheReleaseIsPrepared(t *testing.T) {
	for _, st := range gonogo.States {
		want := st == gonogo.Draft || st == gonogo.Review
		if got := gonogo.WatchesScope(st); got != want {
			t.Errorf("WatchesScope(%s) = %t, want %t", st, got, want)
		}
	}
}
