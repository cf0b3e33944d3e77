package gonogo

import (
	"encoding/json"
	"strings"
	"time"
)

// MaxTrackerPayload is the largest webhook body gonogo reads from a
// tracker. An issue with its labels and a page of description is a few
// kilobytes; GitHub caps its own at 25 MB, but nothing gonogo reads needs
// more than this, and a body past it is refused before it is parsed.
const MaxTrackerPayload = 1 << 20

// TrackerEvent is what one webhook delivery says, read from the tracker's
// own payload: the issue or change it is about, and the project it comes
// from. Use is false for an event or action gonogo has no use for (a
// comment, an assignment); Ping is GitHub's hello when a hook is made.
type TrackerEvent struct {
	Item    TrackerItem
	Project string
	Use     bool
	Ping    bool
	// What names the event for the answer: "issues closed".
	What string
	// MilestoneByID is set when the payload names the item's milestone
	// by its id alone (GitLab's issue and merge request payloads do), so
	// the milestone's title, which is the version, cannot be known.
	MilestoneByID bool
}

// ParseTrackerPayload reads a delivery of tracker kind k: event is the
// event header (X-GitHub-Event, X-Gitlab-Event; Jira names it in the
// body), now the server's time, which a deletion is dated no earlier
// than, so that no late delivery can bring a deleted item back.
func ParseTrackerPayload(k TrackerKind, event string, body []byte, now time.Time) (TrackerEvent, error) {
	switch k {
	case GitHub:
		return ParseGitHub(event, body, now)
	case GitLab:
		return ParseGitLab(event, body, now)
	case Jira:
		return ParseJira(body, now)
	}
	return TrackerEvent{}, Errorf(EINVALID, "unknown tracker %q", k)
}

// Mismatch reports why an event of another project than the tracker's
// may not change anything, or "" when it is the tracker's own. Paths and
// keys are compared without regard to case, as the trackers do.
func (t Tracker) Mismatch(ev TrackerEvent) string {
	if strings.EqualFold(strings.TrimSpace(ev.Project), t.Project) {
		return ""
	}
	what := "repository"
	if t.Kind != GitHub {
		what = "project"
	}
	return "this delivery is about " + what + " " + quoteOr(ev.Project, "(none)") + ", but the " + t.Kind.Label() +
		" tracker of product " + t.Product + " follows " + t.Project
}

// Unreadable reports why the tracker cannot tell which release the
// event's item names, or "" when it can: a GitLab payload names the
// milestone by its id alone, which says nothing of the version.
func (t Tracker) Unreadable(ev TrackerEvent) string {
	if t.ReleaseBy == ByMilestone && ev.MilestoneByID && ev.Item.Milestone == "" {
		return "GitLab names the milestone of " + ev.Item.Key + " by its id alone, not its title: name releases by a label " +
			"such as release:2.4.0 on the product's Trackers page"
	}
	return ""
}

func quoteOr(s, empty string) string {
	if strings.TrimSpace(s) == "" {
		return empty
	}
	return `"` + clip(s, 100) + `"`
}

// laterOf is the later of two times.
func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// decodePayload reads a payload's JSON, saying what is wrong in words.
func decodePayload(kind TrackerKind, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return Errorf(EINVALID, "the %s payload is not JSON as %s sends it: %v", kind.Label(), kind.Label(), err)
	}
	return nil
}

// parseTime reads a time in the first of layouts that fits, and says
// which field would not read.
func parseTime(kind TrackerKind, field, v string, layouts ...string) (time.Time, error) {
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "the %s payload's %s %q is not a time", kind.Label(), field, clip(v, 40))
}
