package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestRecordPostReview(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	rm := gonogo.Actor{UserID: 7, Name: "Rita", Roles: gonogo.NewRoleSet(gonogo.ReleaseManager)}
	ops := gonogo.Actor{UserID: 8, Name: "Olga", Roles: gonogo.NewRoleSet(gonogo.Ops)}
	snap := func(st gonogo.State) gonogo.Snapshot {
		return gonogo.Snapshot{Release: gonogo.Release{ID: 4, Product: "web", Version: "2.1.1", State: st}, Items: []gonogo.Item{
			{ID: 1, Phase: gonogo.Verification, Title: "Post-release review within 3 days", CheckKey: gonogo.PostReleaseReviewKey, Status: gonogo.ItemOpen, OwnerRole: gonogo.ReleaseManager},
			{ID: 2, Phase: gonogo.Verification, Title: "Smoke test", CheckKey: "smoke-test", Status: gonogo.ItemOpen, OwnerRole: gonogo.Ops},
		}}
	}
	good := gonogo.PostReviewInput{Outcome: gonogo.ReviewIncident, Summary: "Checkout slowed for **20 minutes**.",
		Links: "https://tracker.example.com/INC-12\n\n", FollowUps: "ops: alert on checkout latency\nWrite the runbook"}

	t.Run("recorded", func(t *testing.T) {
		res, err := gonogo.RecordPostReview(rm, snap(gonogo.Released), good, now)
		if err != nil {
			t.Fatal(err)
		}
		r := res.Review
		if r.Outcome != gonogo.ReviewIncident || r.RecordedBy != "Rita" || !r.At.Equal(now) || len(r.Links) != 1 {
			t.Fatalf("review = %+v", r)
		}
		if len(r.FollowUps) != 2 || r.FollowUps[0].Owner != gonogo.Ops || r.FollowUps[1].Owner != gonogo.ReleaseManager || r.FollowUps[1].Text != "Write the runbook" {
			t.Fatalf("follow-ups = %+v", r.FollowUps)
		}
		if res.Audit.Action != gonogo.ActionPostReview || !strings.Contains(res.Audit.Detail, "Incident") || res.Audit.Topics[0] != gonogo.TopicReviewed {
			t.Fatalf("audit = %+v", res.Audit)
		}
		// Only the post-release-review item closes, with the review as evidence.
		if len(res.CloseItems) != 1 || res.CloseItems[0].Item.ID != 1 || res.CloseItems[0].Item.Status != gonogo.ItemDone ||
			res.CloseItems[0].Item.Evidence != "/releases/4/post-release-review" {
			t.Fatalf("closes = %+v", res.CloseItems)
		}
	})
	t.Run("states", func(t *testing.T) {
		for _, st := range gonogo.States {
			in := good
			if st == gonogo.RolledBack {
				in.Outcome = gonogo.ReviewRolledBack
			}
			_, err := gonogo.RecordPostReview(rm, snap(st), in, now)
			open := st == gonogo.Verifying || st == gonogo.Released || st == gonogo.RolledBack
			if open != (err == nil) {
				t.Errorf("%s: err = %v", st, err)
			}
			if !open && gonogo.ErrorCode(err) != gonogo.ECONFLICT {
				t.Errorf("%s: code %s, want conflict", st, gonogo.ErrorCode(err))
			}
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		if _, err := gonogo.RecordPostReview(ops, snap(gonogo.Released), good, now); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
			t.Fatalf("ops: %v", err)
		}
	})
	for _, tc := range []struct {
		name, field string
		state       gonogo.State
		change      func(*gonogo.PostReviewInput)
	}{
		{"unknown outcome", "outcome", gonogo.Released, func(in *gonogo.PostReviewInput) { in.Outcome = "fine" }},
		{"rolled back says so", "outcome", gonogo.RolledBack, func(in *gonogo.PostReviewInput) { in.Outcome = gonogo.ReviewClean }},
		{"no summary", "summary", gonogo.Released, func(in *gonogo.PostReviewInput) { in.Summary = "  " }},
		{"long summary", "summary", gonogo.Released, func(in *gonogo.PostReviewInput) { in.Summary = strings.Repeat("a", gonogo.MaxReviewSummaryLen+1) }},
		{"javascript link", "links", gonogo.Released, func(in *gonogo.PostReviewInput) { in.Links = "javascript:alert(1)" }},
		{"ftp link", "links", gonogo.Released, func(in *gonogo.PostReviewInput) { in.Links = "ftp://example.com/x" }},
		{"long link", "links", gonogo.Released, func(in *gonogo.PostReviewInput) {
			in.Links = "https://example.com/" + strings.Repeat("a", gonogo.MaxReviewLinkLen)
		}},
		{"too many links", "links", gonogo.Released, func(in *gonogo.PostReviewInput) {
			in.Links = strings.Repeat("https://example.com/a\n", gonogo.MaxReviewLinks+1)
		}},
		{"too many follow-ups", "follow_ups", gonogo.Released, func(in *gonogo.PostReviewInput) {
			in.FollowUps = strings.Repeat("do it\n", gonogo.MaxFollowUps+1)
		}},
		{"long follow-up", "follow_ups", gonogo.Released, func(in *gonogo.PostReviewInput) { in.FollowUps = strings.Repeat("a", gonogo.MaxItemTitleLen+1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.change(&in)
			_, err := gonogo.RecordPostReview(rm, snap(tc.state), in, now)
			if gonogo.ErrorCode(err) != gonogo.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			if _, ok := gonogo.ErrorFields(err)[tc.field]; !ok {
				t.Fatalf("fields = %v, want %s", gonogo.ErrorFields(err), tc.field)
			}
		})
	}
}

func TestNextRelease(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	reviewed := gonogo.Release{ID: 1, Product: "web", State: gonogo.Released, CreatedAt: at(1)}
	rels := []gonogo.Release{
		reviewed,
		{ID: 2, Product: "api", State: gonogo.Draft, CreatedAt: at(2)},     // another product
		{ID: 3, Product: "web", State: gonogo.Go, CreatedAt: at(3)},        // past its readiness
		{ID: 5, Product: "web", State: gonogo.Review, CreatedAt: at(6)},    // later
		{ID: 4, Product: "web", State: gonogo.NoGo, CreatedAt: at(5)},      // the earliest still being readied
		{ID: 6, Product: "web", State: gonogo.Cancelled, CreatedAt: at(4)}, // closed
	}
	if got, ok := gonogo.NextRelease(reviewed, rels); !ok || got.ID != 4 {
		t.Fatalf("next = %d, %v; want 4", got.ID, ok)
	}
	if _, ok := gonogo.NextRelease(reviewed, rels[:3]); ok {
		t.Fatal("found a next release where none is being readied")
	}
}

// TestSummarizeCountsPostReleaseOutcomes: each release whose last
// deployment ended in a period counts once, by its review's outcome or as
// missing; one still deploying, one cancelled and one that ended before
// both periods do not count.
func TestSummarizeCountsPostReleaseOutcomes(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	p := gonogo.LastDays(30, now, time.UTC)
	day := func(d int) time.Time { return now.AddDate(0, 0, -d) }
	ended := func(id int64, d int, review gonogo.ReviewOutcome, outcomes ...gonogo.DeployOutcome) gonogo.Facts {
		f := gonogo.Facts{ReleaseID: id, Product: "web", Review: review}
		for i, o := range outcomes {
			dep := gonogo.DeployFact{At: day(d + len(outcomes) - i), Outcome: o}
			if o != gonogo.DeployRunning {
				dep.EndAt = day(d + len(outcomes) - i - 1)
			}
			f.Deploys = append(f.Deploys, dep)
		}
		return f
	}
	cancelled := ended(9, 3, gonogo.ReviewClean, gonogo.DeployClean)
	cancelled.Cancelled = day(1)
	facts := []gonogo.Facts{
		ended(1, 2, gonogo.ReviewClean, gonogo.DeployClean),
		ended(2, 4, gonogo.ReviewIncident, gonogo.DeployRolledBack, gonogo.DeployClean), // counts once, by its last end
		ended(3, 5, "", gonogo.DeployClean),
		ended(4, 6, gonogo.ReviewRolledBack, gonogo.DeployRolledBack),
		ended(5, 1, "", gonogo.DeployRunning),
		ended(6, 40, gonogo.ReviewDegraded, gonogo.DeploySmokeFailed),
		ended(7, 90, gonogo.ReviewClean, gonogo.DeployClean),
		cancelled,
	}
	in := gonogo.Summarize(facts, "", p)
	want := map[gonogo.ReviewOutcome]int{gonogo.ReviewClean: 1, gonogo.ReviewIncident: 1, gonogo.ReviewRolledBack: 1}
	for _, o := range gonogo.ReviewOutcomes {
		if in.Reviews.Outcomes[o] != want[o] {
			t.Errorf("%s: %d, want %d", o, in.Reviews.Outcomes[o], want[o])
		}
	}
	if in.Reviews.Missing != 1 || in.Reviews.Total() != 4 {
		t.Errorf("missing %d of %d, want 1 of 4", in.Reviews.Missing, in.Reviews.Total())
	}
	if in.PrevReviews.Outcomes[gonogo.ReviewDegraded] != 1 || in.PrevReviews.Total() != 1 {
		t.Errorf("previous period = %+v", in.PrevReviews)
	}
}
