package gonogo

import (
	"strconv"
	"time"
)

// GitHub's issues and pull_request events, as docs.github.com's
// "Webhook events and payloads" shows them: the action, the issue or pull
// request whole, and the repository it belongs to.
type githubPayload struct {
	Action      string       `json:"action"`
	Issue       *githubIssue `json:"issue"`
	PullRequest *githubIssue `json:"pull_request"`
	Repository  struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

type githubIssue struct {
	Number      int    `json:"number"`
	Title       string `json:"title"`
	HTMLURL     string `json:"html_url"`
	State       string `json:"state"`        // open, closed
	StateReason string `json:"state_reason"` // completed, not_planned, reopened
	Merged      bool   `json:"merged"`       // pull requests
	Labels      []struct {
		Name string `json:"name"`
	} `json:"labels"`
	Milestone *struct {
		Title string `json:"title"`
	} `json:"milestone"`
	UpdatedAt string `json:"updated_at"`
}

// githubActions are the actions gonogo follows, by event: those that
// change what an issue or pull request is, says or where it belongs.
// Assignments, locks, pins, reviews and the like change none of it.
var githubActions = map[string]map[string]bool{
	"issues": {"opened": true, "edited": true, "closed": true, "reopened": true, "labeled": true, "unlabeled": true,
		"milestoned": true, "demilestoned": true, "deleted": true, "transferred": true},
	"pull_request": {"opened": true, "edited": true, "closed": true, "reopened": true, "labeled": true, "unlabeled": true,
		"milestoned": true, "demilestoned": true, "synchronize": true, "ready_for_review": true, "converted_to_draft": true},
}

// ParseGitHub reads a GitHub delivery of event (X-GitHub-Event). An issue
// deleted, or transferred to another repository, is deleted here.
func ParseGitHub(event string, body []byte, now time.Time) (TrackerEvent, error) {
	if event == "ping" {
		return TrackerEvent{Ping: true, What: "ping"}, nil
	}
	if githubActions[event] == nil {
		return TrackerEvent{What: event}, nil
	}
	var p githubPayload
	if err := decodePayload(GitHub, body, &p); err != nil {
		return TrackerEvent{}, err
	}
	ev := TrackerEvent{Project: p.Repository.FullName, What: event + " " + p.Action}
	if !githubActions[event][p.Action] {
		return ev, nil
	}
	src, typ, field := p.Issue, TrackedIssue, "issue"
	if event == "pull_request" {
		src, typ, field = p.PullRequest, TrackedChange, "pull_request"
	}
	if src == nil || src.Number <= 0 {
		return TrackerEvent{}, Errorf(EINVALID, "the GitHub %s payload has no %s.number", event, field)
	}
	at, err := parseTime(GitHub, "updated_at", src.UpdatedAt, time.RFC3339)
	if err != nil {
		return TrackerEvent{}, err
	}
	it := TrackerItem{Type: typ, Key: "#" + strconv.Itoa(src.Number), Title: src.Title, URL: src.HTMLURL, UpdatedAt: at}
	for _, l := range src.Labels {
		it.Labels = append(it.Labels, l.Name)
	}
	if src.Milestone != nil {
		it.Milestone = src.Milestone.Title
	}
	switch {
	case p.Action == "deleted" || p.Action == "transferred":
		it.State, it.UpdatedAt = TrackedDeleted, laterOf(at, now)
	case src.State == "closed" && src.Merged:
		it.State = TrackedMerged
	case src.State == "closed":
		it.State, it.NotPlanned = TrackedClosed, src.StateReason == "not_planned"
	default:
		it.State = TrackedOpen
	}
	ev.Item, ev.Use = it, true
	return ev, nil
}
