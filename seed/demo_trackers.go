package seed

import (
	"fmt"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// demoTrackerSecret is the demo's GitHub webhook secret: the demo is for
// trying gonogo out, where a secret anyone can read does no harm. Make a
// new one on the trackers page before pointing a real repository at it.
const demoTrackerSecret = "demo-secret-make-a-new-one"

// demoIssues are what GitHub tells the demo of acme/mobile's issues in
// milestone 3.8.0: a critical that is still open and a major closed as
// fixed, each changed there a while ago.
var demoIssues = []struct {
	number, title string
	labels        []string
	closed        bool
	ago           time.Duration
}{
	{"341", "App crashes when the connection returns mid-sync", []string{"bug", "critical"}, false, 3 * time.Hour},
	{"337", "Photos taken offline upload twice", []string{"bug"}, true, 26 * time.Hour},
}

// seedTrackers connects GitHub to the mobile app, as its QA lead would,
// a quarter of an hour before now (after every release's last step, so
// that the trail stays in time order), and lets it tell gonogo of two
// issues, which become synced defects of mobile 3.8.0, audited as GitHub
// (integration). Each issue changed in GitHub well before it arrives.
func (w *writer) seedTrackers(qa gonogo.Actor, now time.Time) error {
	tr := gonogo.NewTracker("mobile", gonogo.GitHub)
	tr.Project, tr.Secret, tr.RequiredLabel = "acme/mobile", demoTrackerSecret, "release-blocker"
	w.at(now.Add(-15 * time.Minute))
	if _, err := w.store.SaveTracker(w.ctx, qa, tr); err != nil {
		return err
	}
	tr, err := w.store.FindTracker(w.ctx, "mobile", gonogo.GitHub)
	if err != nil {
		return err
	}
	for i, is := range demoIssues {
		state := gonogo.TrackedOpen
		if is.closed {
			state = gonogo.TrackedClosed
		}
		w.at(now.Add(time.Duration(i-2) * 5 * time.Minute))
		it := gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: "#" + is.number, Title: is.title, URL: "https://github.com/acme/mobile/issues/" + is.number,
			State: state, Labels: is.labels, Milestone: "3.8.0", UpdatedAt: now.Add(-is.ago)}
		if _, err := w.store.ApplyDelivery(w.ctx, tr, db.TrackerDelivery{ID: fmt.Sprintf("demo-%d", i), Item: it}); err != nil {
			return err
		}
	}
	return nil
}
