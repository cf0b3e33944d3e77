package gonogo

import (
	"strconv"
	"time"
)

// GitLab's issue and merge request events, as docs.gitlab.com's "Webhook
// events" shows them: object_kind, the project, the item's attributes and
// its labels. The milestone is named by its id (milestone_id); a title is
// read where a payload carries one.
type gitlabPayload struct {
	ObjectKind string `json:"object_kind"`
	Project    struct {
		PathWithNamespace string `json:"path_with_namespace"`
	} `json:"project"`
	Attributes *struct {
		IID         int    `json:"iid"`
		Title       string `json:"title"`
		URL         string `json:"url"`
		State       string `json:"state"` // opened, closed, merged, locked
		Action      string `json:"action"`
		UpdatedAt   string `json:"updated_at"`
		MilestoneID *int64 `json:"milestone_id"`
		Milestone   *struct {
			Title string `json:"title"`
		} `json:"milestone"`
	} `json:"object_attributes"`
	Labels []struct {
		Title string `json:"title"`
	} `json:"labels"`
}

// gitlabTimes are the forms GitLab writes times in: its documentation's
// examples use RFC 3339, the hooks it sends "2026-11-30 10:00:00 UTC".
var gitlabTimes = []string{time.RFC3339, "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700"}

// ParseGitLab reads a GitLab delivery of event (X-Gitlab-Event). Issues
// are keyed #5, merge requests !12, as GitLab writes them.
func ParseGitLab(event string, body []byte, _ time.Time) (TrackerEvent, error) {
	switch event {
	case "Issue Hook", "Confidential Issue Hook", "Merge Request Hook":
	default:
		return TrackerEvent{What: event}, nil
	}
	var p gitlabPayload
	if err := decodePayload(GitLab, body, &p); err != nil {
		return TrackerEvent{}, err
	}
	ev := TrackerEvent{Project: p.Project.PathWithNamespace, What: event}
	typ, prefix := TrackedIssue, "#"
	switch p.ObjectKind {
	case "issue":
	case "merge_request":
		typ, prefix = TrackedChange, "!"
	default:
		return ev, nil // a work item that is not an issue: a task, an epic
	}
	a := p.Attributes
	if a == nil || a.IID <= 0 {
		return TrackerEvent{}, Errorf(EINVALID, "the GitLab %s payload has no object_attributes.iid", p.ObjectKind)
	}
	at, err := parseTime(GitLab, "updated_at", a.UpdatedAt, gitlabTimes...)
	if err != nil {
		return TrackerEvent{}, err
	}
	ev.What = p.ObjectKind + " " + a.Action
	it := TrackerItem{Type: typ, Key: prefix + strconv.Itoa(a.IID), Title: a.Title, URL: a.URL, UpdatedAt: at}
	for _, l := range p.Labels {
		it.Labels = append(it.Labels, l.Title)
	}
	if a.Milestone != nil {
		it.Milestone = a.Milestone.Title
	}
	ev.MilestoneByID = a.MilestoneID != nil && it.Milestone == ""
	switch a.State {
	case "merged":
		it.State = TrackedMerged
	case "closed":
		it.State = TrackedClosed
	default:
		it.State = TrackedOpen
	}
	ev.Item, ev.Use = it, true
	return ev, nil
}
