package seed_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestDemoHasPostReleaseReviews: the year's releases are reviewed with a
// realistic mix and some left missing; today's rollback is reviewed with
// follow-ups on storefront's next release; payments 2.3.1 awaits its review.
func TestDemoHasPostReleaseReviews(t *testing.T) {
	loc := berlin(t)
	s := seedDemoAt(t, demoNow, loc)
	in, err := s.FindInsights(t.Context(), "", gonogo.LastDays(365, demoNow, loc))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range gonogo.ReviewOutcomes {
		if in.Reviews.Outcomes[o] == 0 {
			t.Errorf("no %s review in the year", o)
		}
	}
	if c, all := in.Reviews.Outcomes[gonogo.ReviewClean], in.Reviews.Reviewed(); c*2 < all {
		t.Errorf("%d of %d reviews clean; want most", c, all)
	}
	if in.Reviews.Missing == 0 {
		t.Error("no review missing in the year")
	}
	find := func(product, version string) gonogo.Release {
		r, err := s.FindReleaseByName(t.Context(), product, version)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if _, ok, _ := s.FindPostReview(t.Context(), find("payments", "2.3.1").ID); ok {
		t.Error("payments 2.3.1 has its review: it should await it")
	}
	rev, ok, err := s.FindPostReview(t.Context(), find("storefront", "5.10.0").ID)
	if err != nil || !ok || rev.Outcome != gonogo.ReviewRolledBack || len(rev.FollowUps) != 3 {
		t.Fatalf("storefront 5.10.0's review = %+v, %v, %v", rev, ok, err)
	}
	for _, f := range rev.FollowUps {
		if f.Waiting() || f.ItemID == 0 {
			t.Errorf("follow-up %q did not land", f.Text)
		}
	}
	if rev.At.After(demoNow) || rev.At.Before(demoNow.Add(-2*24*time.Hour)) {
		t.Errorf("reviewed at %v", rev.At)
	}
}
