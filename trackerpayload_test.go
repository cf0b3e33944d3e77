package gonogo_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// The payloads are the fixtures of the webhook tests, shaped as each
// tracker's documentation shows them (see handlers/hooks_test.go).
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("handlers", "testdata", "trackers", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var payloadNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func TestParseGitHub(t *testing.T) {
	ev, err := gonogo.ParseGitHub("issues", fixture(t, "github/issues.opened.json"), payloadNow)
	if err != nil || !ev.Use || ev.Project != "acme/payments" {
		t.Fatalf("issues opened: %+v, %v", ev, err)
	}
	it := ev.Item
	if it.Type != gonogo.TrackedIssue || it.Key != "#318" || it.Title != "Refund fails on retry" || it.State != gonogo.TrackedOpen ||
		it.Milestone != "2.4.0" || !slices.Equal(it.Labels, []string{"blocker"}) || it.URL != "https://github.com/acme/payments/issues/318" ||
		!it.UpdatedAt.Equal(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("issues opened read as %+v", it)
	}

	ev, _ = gonogo.ParseGitHub("pull_request", fixture(t, "github/pull_request.closed.json"), payloadNow)
	if ev.Item.Type != gonogo.TrackedChange || ev.Item.Key != "#512" || ev.Item.State != gonogo.TrackedMerged {
		t.Fatalf("a merged pull request read as %+v", ev.Item)
	}

	if ev, err := gonogo.ParseGitHub("ping", fixture(t, "github/ping.json"), payloadNow); err != nil || !ev.Ping {
		t.Fatalf("ping: %+v, %v", ev, err)
	}
	for _, tc := range []struct{ event, body string }{
		{"issue_comment", `{"action":"created"}`},
		{"issues", `{"action":"assigned","issue":{"number":1,"updated_at":"2026-11-30T10:00:00Z"}}`},
		{"push", `not even JSON`},
	} {
		if ev, err := gonogo.ParseGitHub(tc.event, []byte(tc.body), payloadNow); err != nil || ev.Use {
			t.Errorf("%s %s is not ignored: %+v, %v", tc.event, tc.body, ev, err)
		}
	}
}

func TestParseGitHubStates(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		state      gonogo.TrackedState
		notPlanned bool
		at         time.Time
	}{
		{"closed as completed", `{"action":"closed","issue":{"number":1,"state":"closed","state_reason":"completed","updated_at":"2026-11-30T10:00:00Z"}}`,
			gonogo.TrackedClosed, false, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
		{"closed as not planned", `{"action":"closed","issue":{"number":1,"state":"closed","state_reason":"not_planned","updated_at":"2026-11-30T10:00:00Z"}}`,
			gonogo.TrackedClosed, true, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
		{"reopened", `{"action":"reopened","issue":{"number":1,"state":"open","state_reason":"reopened","updated_at":"2026-11-30T10:00:00Z"}}`,
			gonogo.TrackedOpen, false, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
		// A deleted issue's last update is older than its deletion: the
		// deletion is dated now, so that it is never stale.
		{"deleted", `{"action":"deleted","issue":{"number":1,"state":"open","updated_at":"2026-11-30T10:00:00Z"}}`,
			gonogo.TrackedDeleted, false, payloadNow},
		{"transferred", `{"action":"transferred","issue":{"number":1,"state":"open","updated_at":"2026-11-30T10:00:00Z"}}`,
			gonogo.TrackedDeleted, false, payloadNow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := gonogo.ParseGitHub("issues", []byte(tc.body), payloadNow)
			if err != nil || ev.Item.State != tc.state || ev.Item.NotPlanned != tc.notPlanned || !ev.Item.UpdatedAt.Equal(tc.at) {
				t.Fatalf("read as %+v, %v", ev.Item, err)
			}
		})
	}
	for _, bad := range []string{`{"action":"opened","issue":{"number":1,"updated_at":"yesterday"}}`, `{"action":"opened"}`, `[1,2`} {
		if _, err := gonogo.ParseGitHub("issues", []byte(bad), payloadNow); gonogo.ErrorCode(err) != gonogo.EINVALID {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestParseGitLab(t *testing.T) {
	ev, err := gonogo.ParseGitLab("Issue Hook", fixture(t, "gitlab/issue.open.json"), payloadNow)
	it := ev.Item
	if err != nil || ev.Project != "acme/payments" || it.Key != "#5" || it.State != gonogo.TrackedOpen ||
		!slices.Equal(it.Labels, []string{"blocker", "release:2.4.0"}) || !it.UpdatedAt.Equal(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)) ||
		ev.MilestoneByID {
		t.Fatalf("an issue read as %+v (%+v), %v", it, ev, err)
	}
	ev, _ = gonogo.ParseGitLab("Merge Request Hook", fixture(t, "gitlab/merge_request.merge.json"), payloadNow)
	if ev.Item.Type != gonogo.TrackedChange || ev.Item.Key != "!12" || ev.Item.State != gonogo.TrackedMerged {
		t.Fatalf("a merged merge request read as %+v", ev.Item)
	}
	// The documentation's own example writes times in RFC 3339; GitLab
	// sends "2026-11-30 10:00:00 UTC". Both read.
	ev, err = gonogo.ParseGitLab("Issue Hook", []byte(`{"object_kind":"issue","object_attributes":{"iid":7,"state":"closed",
		"updated_at":"2013-12-03T17:15:43Z","milestone_id":3}}`), payloadNow)
	if err != nil || ev.Item.State != gonogo.TrackedClosed || !ev.Item.UpdatedAt.Equal(time.Date(2013, 12, 3, 17, 15, 43, 0, time.UTC)) || !ev.MilestoneByID {
		t.Fatalf("%+v, %v", ev, err)
	}
	tr := gonogo.NewTracker("payments", gonogo.GitLab)
	if why := tr.Unreadable(ev); why == "" {
		t.Fatal("a milestone known by its id alone was read as no milestone")
	}
	if ev, err := gonogo.ParseGitLab("Note Hook", []byte(`{}`), payloadNow); err != nil || ev.Use {
		t.Fatalf("a comment was not ignored: %+v, %v", ev, err)
	}
}

func TestParseJira(t *testing.T) {
	ev, err := gonogo.ParseJira(fixture(t, "jira/issue_created.json"), payloadNow)
	it := ev.Item
	if err != nil || ev.Project != "PAY" || it.Key != "PAY-142" || it.Priority != "Highest" || it.IssueType != "Bug" ||
		!slices.Equal(it.FixVersions, []string{"2.4.0"}) || it.State != gonogo.TrackedOpen || it.URL != "https://acme.atlassian.net/browse/PAY-142" ||
		!it.UpdatedAt.Equal(time.UnixMilli(1796032800123)) {
		t.Fatalf("an issue created read as %+v, %v", it, err)
	}
	ev, _ = gonogo.ParseJira(fixture(t, "jira/issue_updated.json"), payloadNow)
	if ev.Item.Status != "Verified" || ev.Item.State != gonogo.TrackedClosed || ev.Item.NotPlanned {
		t.Fatalf("an issue verified read as %+v", ev.Item)
	}
	ev, _ = gonogo.ParseJira(fixture(t, "jira/issue_deleted.json"), payloadNow)
	if ev.Item.State != gonogo.TrackedDeleted || !ev.Item.UpdatedAt.Equal(payloadNow) {
		t.Fatalf("an issue deleted read as %+v", ev.Item)
	}
	// Atlassian's own example names the priority bare; an issue in
	// progress is started; Won't Do closes it as not planned.
	ev, err = gonogo.ParseJira([]byte(`{"timestamp":1796032800000,"webhookEvent":"jira:issue_updated","issue":{"key":"PAY-9",
		"fields":{"priority":"Minor","status":{"name":"In Progress","statusCategory":{"key":"indeterminate"}},
		"updated":"2026-11-30T11:00:00.000+0100"}}}`), payloadNow)
	if err != nil || ev.Item.Priority != "Minor" || !ev.Item.Started || ev.Project != "PAY" {
		t.Fatalf("%+v, %v", ev, err)
	}
	ev, _ = gonogo.ParseJira([]byte(`{"timestamp":1796032800000,"webhookEvent":"jira:issue_updated","issue":{"key":"PAY-9",
		"fields":{"status":{"name":"Done","statusCategory":{"key":"done"}},"resolution":{"name":"Won't Do"}}}}`), payloadNow)
	if ev.Item.State != gonogo.TrackedClosed || !ev.Item.NotPlanned {
		t.Fatalf("Won't Do read as %+v", ev.Item)
	}
	if ev, err := gonogo.ParseJira([]byte(`{"webhookEvent":"comment_created"}`), payloadNow); err != nil || ev.Use {
		t.Fatalf("a comment was not ignored: %+v, %v", ev, err)
	}
	if _, err := gonogo.ParseJira([]byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"PAY-9","fields":{"updated":"soon"}}}`), payloadNow); gonogo.ErrorCode(err) != gonogo.EINVALID {
		t.Fatalf("a time that is none: %v", err)
	}
}

func TestTrackerMismatch(t *testing.T) {
	tr := gonogo.NewTracker("payments", gonogo.GitHub)
	tr.Project = "acme/payments"
	if why := tr.Mismatch(gonogo.TrackerEvent{Project: "Acme/Payments"}); why != "" {
		t.Fatalf("the same repository in other case: %s", why)
	}
	if why := tr.Mismatch(gonogo.TrackerEvent{Project: "acme/web"}); why != `this delivery is about repository "acme/web", but the GitHub tracker of product payments follows acme/payments` {
		t.Fatalf("another repository: %s", why)
	}
}
