package seed

import (
	"fmt"
	"time"

	"github.com/gonogo/gonogo"
)

// The demo's post-release reviews. Through the past year the release
// manager reviews, each Friday afternoon, the releases shipped at least a
// day before that have no review yet, most of them clean, some degraded,
// a few incidents; now and then one is left unreviewed, so insights show
// reviews still missing. The past ends quietly a month before today (see
// pastQuiet): a review touches its release, and a past release touched
// since would show in the board's recently closed lane. On today's board,
// payments 2.3.0 is reviewed clean, storefront 5.10.0's rollback is
// reviewed with follow-ups for storefront's next release, and payments
// 2.3.1, shipped five days ago, awaits its review.

// planReviews plans the reviews, given the other steps (today's releases'
// last steps name when each closed).
func (w *writer) planReviews(steps []demoStep, users map[gonogo.Role]gonogo.Actor, now time.Time) []demoStep {
	loc := w.zone()
	done := map[int64]bool{}
	var out []demoStep
	for fri := friday(now.Add(-pastBegins), loc); fri.Before(now.Add(-pastQuiet + 24*time.Hour)); fri = fri.AddDate(0, 0, 7) {
		out = append(out, demoStep{release: "weekly reviews", at: fri, do: func() error { return w.reviewWeek(users[gonogo.ReleaseManager], done) }})
	}
	last := map[string]time.Time{}
	for _, st := range steps {
		if st.at.After(last[st.release]) {
			last[st.release] = st.at
		}
	}
	for _, r := range todaysReviews {
		at := last[r.name].Add(r.after)
		if at.IsZero() || !at.Before(now) {
			continue
		}
		out = append(out, demoStep{release: r.name, at: at, do: func() error {
			var product, version string
			fmt.Sscan(r.name, &product, &version)
			rel, err := w.store.FindReleaseByName(w.ctx, product, version)
			if err != nil {
				return err
			}
			_, err = w.store.RecordPostReview(w.ctx, users[gonogo.ReleaseManager], rel.ID, r.in)
			return err
		}})
	}
	return out
}

// friday is the first Friday 15:00 in loc after t.
func friday(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := time.Date(t.Year(), t.Month(), t.Day(), 15, 0, 0, 0, loc)
	for d.Weekday() != time.Friday || !d.After(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// reviewWeek reviews every release shipped at least a day ago with no
// review yet, but one in nine, which is left for later and never done.
func (w *writer) reviewWeek(rm gonogo.Actor, done map[int64]bool) error {
	rels, err := w.store.FindReleases(w.ctx, gonogo.ReleaseFilter{States: []gonogo.State{gonogo.Released}})
	if err != nil {
		return err
	}
	for _, r := range rels {
		if done[r.ID] || r.UpdatedAt.After(w.now.Add(-24*time.Hour)) {
			continue
		}
		done[r.ID] = true
		if r.ID%9 == 4 {
			continue
		}
		if _, err := w.store.RecordPostReview(w.ctx, rm, r.ID, pastReview(r)); err != nil {
			return fmt.Errorf("review %s: %w", r.Name(), err)
		}
	}
	return nil
}

// pastReview is the review of a past release: its outcome by a fixed mix
// (six in ten clean, one in four degraded, the rest incidents).
func pastReview(r gonogo.Release) gonogo.PostReviewInput {
	switch n := r.ID % 20; {
	case n < 12:
		return gonogo.PostReviewInput{Outcome: gonogo.ReviewClean, Summary: pastClean[int(r.ID)%len(pastClean)]}
	case n < 17:
		return gonogo.PostReviewInput{Outcome: gonogo.ReviewDegraded, Summary: pastDegraded[int(r.ID)%len(pastDegraded)],
			Links: fmt.Sprintf("https://grafana.example.com/d/%s?from=release-%d", r.Product, r.ID)}
	default:
		return gonogo.PostReviewInput{Outcome: gonogo.ReviewIncident, Summary: pastIncident[int(r.ID)%len(pastIncident)],
			Links: fmt.Sprintf("https://status.example.com/incidents/%d\nhttps://acme.atlassian.net/browse/INC-%d", 4000+r.ID, 200+r.ID)}
	}
}

var pastClean = []string{
	"Shipped without a ripple: error rates and latency stayed at their baseline through the week.",
	"No alerts, no tickets. Support saw the usual questions about the new screens and nothing else.",
	"Clean. The feature flag went to 100% on day two as planned.",
}

var pastDegraded = []string{
	"p95 latency rose by **30%** for two days until the cache warmed up; no errors, a few slow-page tickets.",
	"A background job ran twice as long as before and delayed the nightly reports by an hour. Fixed by an index the next day.",
	"Memory use grew slowly on two pods; they were restarted twice before the leak was found.",
}

var pastIncident = []string{
	"An incident: a migration locked a hot table for **six minutes** at peak. Checkout failed for some customers.\n\n" +
		"- Detected by the error-rate alert within a minute\n- Mitigated by killing the migration\n- Finished off-peak that night",
	"An incident: a misconfigured rate limit rejected 4% of API calls for 40 minutes. Rolled forward with the right limit.",
}

// todaysReviews are the reviews of today's board's closed releases.
var todaysReviews = []struct {
	name  string
	after time.Duration // after the release's last step
	in    gonogo.PostReviewInput
}{
	{"payments 2.3.0", 2 * 24 * time.Hour, gonogo.PostReviewInput{Outcome: gonogo.ReviewClean,
		Summary: "Hourly payouts ran **clean** from the first hour: 14,200 payouts in the first week, no failures, no merchant tickets.",
		Links:   "https://grafana.example.com/d/payments-payouts"}},
	{"storefront 5.10.0", 20 * time.Hour, gonogo.PostReviewInput{Outcome: gonogo.ReviewRolledBack,
		Summary: "Shared wishlist links returned **500** for logged-out visitors: the share service expected a session.\n\n" +
			"Rolled back after 25 minutes; about 1,900 visitors saw the error page. The load test had only covered signed-in shoppers.",
		Links:     "https://status.example.com/incidents/4812\nhttps://acme.atlassian.net/browse/INC-311",
		FollowUps: "qa: load-test share links as a logged-out visitor\nops: alert on 5xx rate of the share service\neng: share service works without a session"}},
}
