package db

import (
	"strings"
	"testing"
)

// TestScopeReadsSeekTheReleaseIndex checks that the scope reads, the
// release page's and the board's, seek tracker_items_release by the
// releases they show, never scanning what every tracker said.
func TestScopeReadsSeekTheReleaseIndex(t *testing.T) {
	s := OpenTest(t)
	for _, tc := range []struct {
		name string
		q    string
		args []any
	}{
		{"a release's scope", scopeQuery, []any{1, 50}},
		{"the board's", boardScopeQuery, []any{"[1,2,3]"}},
		{"how many more", `SELECT count(*) FROM tracker_items WHERE release_id = ? AND type = 'change' AND state = 'open'`, []any{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := explain(t, s, tc.q, tc.args)
			if !strings.Contains(plan, "USING INDEX tracker_items_release (release_id=? AND type=? AND state=?)") &&
				!strings.Contains(plan, "USING COVERING INDEX tracker_items_release (release_id=? AND type=? AND state=?)") {
				t.Errorf("the plan does not seek tracker_items_release:\n%s", plan)
			}
			if strings.Contains(plan, "SCAN ti") || strings.Contains(plan, "SCAN tracker_items") {
				t.Errorf("the plan scans the tracker items:\n%s", plan)
			}
		})
	}
}

func TestShippedReadSeeksTheReleaseIndex(t *testing.T) {
	s := OpenTest(t)
	plan := explain(t, s, shippedQuery, []any{1, 200})
	if !strings.Contains(plan, "tracker_items_release (release_id=?") || strings.Contains(plan, "SCAN ti") {
		t.Errorf("the notes draft's read does not seek tracker_items_release:\n%s", plan)
	}
}
