package gonogo

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Jira Cloud's issue events, as developer.atlassian.com's "Webhooks"
// shows them: webhookEvent, timestamp (when Jira raised the event, in
// milliseconds) and the issue whole, with its fields.
type jiraPayload struct {
	WebhookEvent string `json:"webhookEvent"`
	Timestamp    int64  `json:"timestamp"`
	Issue        *struct {
		Key    string `json:"key"`
		Self   string `json:"self"`
		Fields struct {
			Summary string `json:"summary"`
			Project struct {
				Key string `json:"key"`
			} `json:"project"`
			Status *struct {
				Name           string `json:"name"`
				StatusCategory struct {
					Key string `json:"key"` // new, indeterminate, done
				} `json:"statusCategory"`
			} `json:"status"`
			Resolution  *jiraNamed `json:"resolution"`
			Priority    *jiraNamed `json:"priority"`
			IssueType   *jiraNamed `json:"issuetype"`
			FixVersions []struct {
				Name string `json:"name"`
			} `json:"fixVersions"`
			Labels  []string `json:"labels"`
			Updated string   `json:"updated"`
		} `json:"fields"`
	} `json:"issue"`
}

// jiraNamed is a field Jira names: an object with a name, as the REST API
// and Jira Cloud send it, or the bare name, as the examples of Atlassian's
// webhook page write the priority ("priority": "Minor").
type jiraNamed struct{ Name string }

func (n *jiraNamed) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &n.Name)
	}
	var v struct {
		Name string `json:"name"`
	}
	err := json.Unmarshal(b, &v)
	n.Name = v.Name
	return err
}

// jiraNotPlanned are Jira's own resolutions of an issue closed without a
// fix.
var jiraNotPlanned = []string{"won't do", "won't fix", "duplicate", "cannot reproduce", "declined", "incomplete"}

// jiraTimes are the forms Jira writes times in: 2026-11-30T10:00:00.000+0000.
var jiraTimes = []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339}

// ParseJira reads a Jira Cloud delivery. The item's time is the later of
// the issue's updated field and the event's timestamp; a deleted issue's
// is no earlier than now.
func ParseJira(body []byte, now time.Time) (TrackerEvent, error) {
	var p jiraPayload
	if err := decodePayload(Jira, body, &p); err != nil {
		return TrackerEvent{}, err
	}
	ev := TrackerEvent{What: p.WebhookEvent}
	switch p.WebhookEvent {
	case "jira:issue_created", "jira:issue_updated", "jira:issue_deleted":
	default:
		return ev, nil
	}
	if p.Issue == nil || strings.TrimSpace(p.Issue.Key) == "" {
		return TrackerEvent{}, Errorf(EINVALID, "the Jira %s payload has no issue.key", p.WebhookEvent)
	}
	f := p.Issue.Fields
	ev.Project = f.Project.Key
	if ev.Project == "" { // the key says it too: PAY-142
		ev.Project, _, _ = strings.Cut(p.Issue.Key, "-")
	}
	at := time.UnixMilli(p.Timestamp).UTC()
	if p.Timestamp <= 0 {
		at = time.Time{}
	}
	if f.Updated != "" {
		u, err := parseTime(Jira, "fields.updated", f.Updated, jiraTimes...)
		if err != nil {
			return TrackerEvent{}, err
		}
		at = laterOf(at, u)
	}
	if at.IsZero() && p.WebhookEvent != "jira:issue_deleted" {
		return TrackerEvent{}, Errorf(EINVALID, "the Jira payload has neither a timestamp nor fields.updated")
	}
	it := TrackerItem{Type: TrackedIssue, Key: p.Issue.Key, Title: f.Summary, URL: jiraBrowseURL(p.Issue.Self, p.Issue.Key),
		Labels: f.Labels, UpdatedAt: at, State: TrackedOpen}
	if f.Priority != nil {
		it.Priority = f.Priority.Name
	}
	if f.IssueType != nil {
		it.IssueType = f.IssueType.Name
	}
	for _, v := range f.FixVersions {
		it.FixVersions = append(it.FixVersions, v.Name)
	}
	if f.Status != nil {
		it.Status = f.Status.Name
		it.Started = f.Status.StatusCategory.Key == "indeterminate"
		if f.Status.StatusCategory.Key == "done" {
			it.State = TrackedClosed
		}
	}
	if f.Resolution != nil {
		it.State, it.Started = TrackedClosed, false
		it.NotPlanned = slices.Contains(jiraNotPlanned, strings.ToLower(strings.ReplaceAll(f.Resolution.Name, "’", "'")))
	}
	if p.WebhookEvent == "jira:issue_deleted" {
		it.State, it.UpdatedAt = TrackedDeleted, laterOf(at, now)
	}
	ev.Item, ev.Use, ev.What = it, true, strings.TrimPrefix(p.WebhookEvent, "jira:")
	return ev, nil
}

// jiraBrowseURL is the issue's page for people, from its REST address:
// https://acme.atlassian.net/rest/api/2/issue/10002 gives
// https://acme.atlassian.net/browse/PAY-142.
func jiraBrowseURL(self, key string) string {
	u, err := url.Parse(self)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/browse/" + url.PathEscape(key)
}
