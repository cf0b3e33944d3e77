package gonogo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// ScopeChange is a pull or merge request still open in a release's
// milestone, as its tracker last told: listed on the release page while
// the release is prepared and reviewed, and a gate reason when it carries
// the tracker's required label.
type ScopeChange struct {
	Kind     TrackerKind
	Key      string // #512 (GitHub), !12 (GitLab)
	Title    string
	URL      string
	Required bool // labelled with the tracker's RequiredLabel
}

// Name is the change in a sentence: PR #512 “Refund webhook”.
func (c ScopeChange) Name() string {
	return ChangeName(c.Kind, TrackerItem{Key: c.Key, Title: c.Title})
}

// MaxScopeShown bounds the open changes a release page lists; the
// required ones come first, so none that blocks is left out.
const MaxScopeShown = 50

// WatchesScope reports whether a release in state st watches the changes
// still open in its milestone: while it is prepared (a heads-up) and
// while its review is open. Once decided, what is in it is settled.
func WatchesScope(st State) bool { return st == Draft || st == Review }

// scopeReasons are the open changes labelled as required: the release
// cannot go out without them, so each stands in the way of a Go.
func scopeReasons(s Snapshot) []Reason {
	if !WatchesScope(s.Release.State) {
		return nil
	}
	var out []Reason
	for _, c := range s.Scope {
		if c.Required {
			out = append(out, Reason{ReasonScope,
				fmt.Sprintf("%s is in %s's milestone and still open", c.Name(), s.Release.Version), "scope"})
		}
	}
	return out
}

// SortScope puts the required changes first, then each tracker's in the
// order of their numbers (#99 before #512).
func SortScope(cs []ScopeChange) {
	slices.SortStableFunc(cs, func(a, b ScopeChange) int {
		if a.Required != b.Required {
			if a.Required {
				return -1
			}
			return 1
		}
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.Key), len(b.Key)); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}
