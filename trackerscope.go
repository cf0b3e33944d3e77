package gonogo

import "fmt"

// ReleaseAudit is an audit written on one release.
type ReleaseAudit struct {
	ReleaseID int64
	Audit     Audit
}

// ChangeName is how a pull or merge request is named in a sentence:
// PR #512 “Refund webhook”, MR !12 “Retry refunds”.
func ChangeName(k TrackerKind, it TrackerItem) string {
	noun := "PR"
	if k == GitLab {
		noun = "MR"
	}
	return fmt.Sprintf("%s %s “%s”", noun, it.Key, it.Title)
}

// ScopeAudits are the audits a change's delivery writes on the releases
// it concerns: the one it left (from), and the one it is in now (to), when
// it arrived there, changed state, or gained or lost the required label.
// before is what the tracker last said of it, nil if nothing.
func ScopeAudits(t Tracker, it TrackerItem, before *TrackerItem, from, to *Release) []ReleaseAudit {
	if it.Type != TrackedChange {
		return nil
	}
	name := ChangeName(t.Kind, it)
	var out []ReleaseAudit
	if from != nil && (to == nil || to.ID != from.ID) {
		where := "left " + from.Version
		if to != nil {
			where = "moved to " + to.Version
		}
		out = append(out, ReleaseAudit{from.ID, audit(ActionScopeChange, "%s %s", name, where)})
	}
	if to == nil {
		return out
	}
	switch {
	case from == nil || from.ID != to.ID:
		out = append(out, ReleaseAudit{to.ID, audit(ActionScopeChange, "%s is in %s (%s)", name, to.Version, it.State)})
	case before != nil && before.State != it.State:
		out = append(out, ReleaseAudit{to.ID, audit(ActionScopeChange, "%s in %s: %s → %s", name, to.Version, before.State, it.State)})
	case before != nil && t.RequiredChange(*before) != t.RequiredChange(it):
		what := "labelled " + t.RequiredLabel
		if !t.RequiredChange(it) {
			what = "no longer labelled " + t.RequiredLabel
		}
		out = append(out, ReleaseAudit{to.ID, audit(ActionScopeChange, "%s in %s: %s", name, to.Version, what)})
	}
	return out
}
