package db_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func (st *story) review(id int64, o gonogo.ReviewOutcome, when, followUps string) gonogo.PostReview {
	st.t.Helper()
	rev, err := st.s.RecordPostReview(st.ctx(when), st.rm, id, gonogo.PostReviewInput{Outcome: o, Summary: "What we saw.",
		Links: "https://tracker.example.com/INC-1", FollowUps: followUps})
	st.check(err, "review "+string(o))
	return rev
}

func findReview(t *testing.T, st *story, id int64) gonogo.PostReview {
	t.Helper()
	rev, ok, err := st.s.FindPostReview(t.Context(), id)
	if err != nil || !ok {
		t.Fatalf("find review of %d: %v, %v", id, ok, err)
	}
	return rev
}

// TestPostReviewFollowUpsWaitThenLand records reviews of October's
// releases: pay's follow-ups wait, as pay has nothing in the making, and
// land on the next release of pay once it is created; web's go straight
// to the web release being readied; insights count the outcomes.
func TestPostReviewFollowUpsWaitThenLand(t *testing.T) {
	st, p := october(t)
	pay, err := st.s.FindReleaseByName(t.Context(), "pay", "1.1.0")
	st.check(err, "find pay 1.1.0")
	web, err := st.s.FindReleaseByName(t.Context(), "web", "3.1.0")
	st.check(err, "find web 3.1.0")

	st.review(pay.ID, gonogo.ReviewIncident, "2026-11-02 10:00", "ops: alert on refund latency\nWrite the vault runbook")
	rev := findReview(t, st, pay.ID)
	if rev.Outcome != gonogo.ReviewIncident || rev.RecordedBy != st.rm.Name || len(rev.Links) != 1 || len(rev.FollowUps) != 2 {
		t.Fatalf("review = %+v", rev)
	}
	for _, f := range rev.FollowUps {
		if !f.Waiting() {
			t.Fatalf("follow-up %q went to %d with nothing of pay in the making", f.Text, f.ReleaseID)
		}
	}
	if e := lastEvent(t, st.s); e.Action != string(gonogo.ActionPostReview) || e.ReleaseID != pay.ID {
		t.Fatalf("last event = %+v", e)
	}

	// A second review of the same release is a conflict; nothing changes.
	_, err = st.s.RecordPostReview(st.ctx("2026-11-02 11:00"), st.rm, pay.ID, gonogo.PostReviewInput{Outcome: gonogo.ReviewClean, Summary: "Again."})
	wantCode(t, err, gonogo.ECONFLICT)
	if got := findReview(t, st, pay.ID).Outcome; got != gonogo.ReviewIncident {
		t.Fatalf("outcome after a refused second review = %s", got)
	}

	// web 3.2.0 is being readied: web's follow-up goes straight to it.
	w3 := st.create("web", "3.2.0", "2026-11-01 09:00", gonogo.Window{})
	st.review(web.ID, gonogo.ReviewDegraded, "2026-11-02 12:00", "qa: cover the misaligned button")
	wf := findReview(t, st, web.ID).FollowUps[0]
	if wf.ReleaseID != w3 || wf.ItemID == 0 || wf.Release != "web 3.2.0" || wf.ItemStatus != gonogo.ItemOpen {
		t.Fatalf("web follow-up = %+v", wf)
	}
	it := itemTitled(t, mustFindItems(t, st.s, w3), "cover the misaligned button")
	if it.ID != wf.ItemID || !it.Required || it.Phase != gonogo.Readiness || it.OwnerRole != gonogo.QALead || it.IsCondition() {
		t.Fatalf("web follow-up item = %+v", it)
	}

	// Removed from that checklist, the follow-up says where it went, and no item.
	st.check(st.s.RemoveItem(st.ctx("2026-11-02 13:00"), st.rm, w3, it.ID), "remove the follow-up")
	if wf := findReview(t, st, web.ID).FollowUps[0]; wf.ReleaseID != w3 || wf.ItemID != 0 || wf.ItemStatus != "" {
		t.Fatalf("removed follow-up = %+v", wf)
	}

	// pay 1.3.0 is created: the waiting follow-ups land on it, audited there.
	p4 := st.create("pay", "1.3.0", "2026-11-03 09:00", gonogo.Window{})
	rev = findReview(t, st, pay.ID)
	items := mustFindItems(t, st.s, p4)
	for _, f := range rev.FollowUps {
		if f.ReleaseID != p4 || f.ItemID != itemTitled(t, items, f.Text).ID {
			t.Fatalf("pay follow-up = %+v", f)
		}
	}
	if it := itemTitled(t, items, "alert on refund latency"); it.OwnerRole != gonogo.Ops || !it.Required {
		t.Fatalf("pay follow-up item = %+v", it)
	}
	added := 0
	for _, e := range mustEvents(t, st.s) {
		if e.ReleaseID == p4 && e.Action == string(gonogo.ActionItemAdd) {
			added++
		}
	}
	wantInt(t, "follow-ups audited on pay 1.3.0", added, 2)
	// The release after it gets none: each follow-up lands once.
	p5 := st.create("pay", "1.4.0", "2026-11-04 09:00", gonogo.Window{})
	for _, it := range mustFindItems(t, st.s, p5) {
		if it.Custom {
			t.Fatalf("pay 1.4.0 got %q", it.Title)
		}
	}

	// Insights: of October's releases whose deployment ended, pay 1.1.0
	// had an incident, web 3.1.0 was degraded, pay 1.2.0 has no review;
	// pay 1.0.0, in September, neither.
	in, err := st.s.FindInsights(t.Context(), "", p)
	st.check(err, "insights")
	wantInt(t, "incident", in.Reviews.Outcomes[gonogo.ReviewIncident], 1)
	wantInt(t, "degraded", in.Reviews.Outcomes[gonogo.ReviewDegraded], 1)
	wantInt(t, "clean", in.Reviews.Outcomes[gonogo.ReviewClean], 0)
	wantInt(t, "missing", in.Reviews.Missing, 1)
	wantInt(t, "previous missing", in.PrevReviews.Missing, 1)
	wantInt(t, "previous reviewed", in.PrevReviews.Reviewed(), 0)
}

// TestPostReviewClosesTheHotfixCondition records the review of a release
// still verifying that carries a post-release-review item: the item is
// done, with the review as evidence, audited in the same change.
func TestPostReviewClosesTheHotfixCondition(t *testing.T) {
	st := newStory(t)
	id := st.create("pay", "1.0.1", "2026-10-01 09:00", gonogo.Window{})
	st.ready(id, "2026-10-01 10:00", "", "", nil)
	st.move(id, gonogo.OpenReview, "2026-10-01 11:00")
	st.votes(id, "2026-10-01 11:30", "2026-10-01 11:40", false)
	st.decide(id, gonogo.OutcomeGo, "2026-10-01 12:00", "")
	st.move(id, gonogo.StartDeploy, "2026-10-01 13:00")
	st.move(id, gonogo.FinishDeploy, "2026-10-01 13:30")
	_, err := st.s.AddItem(st.ctx("2026-10-01 13:31"), st.rm, id, gonogo.ItemInput{Phase: gonogo.Verification, Title: "Post-release review within 3 days",
		OwnerRole: gonogo.ReleaseManager, Required: true, CheckKey: gonogo.PostReleaseReviewKey})
	st.check(err, "add the review item")

	st.review(id, gonogo.ReviewClean, "2026-10-02 10:00", "")
	it := itemTitled(t, mustFindItems(t, st.s, id), "Post-release review within 3 days")
	if it.Status != gonogo.ItemDone || it.Evidence != fmt.Sprintf("/releases/%d/post-release-review", id) || it.UpdatedBy != st.rm.Name {
		t.Fatalf("item = %+v", it)
	}
	var closed bool
	for _, e := range mustEvents(t, st.s) {
		if e.Action == string(gonogo.ActionItemStatus) && e.ReleaseID == id && e.Detail != "" &&
			containsAll(e.Detail, "Post-release review within 3 days", "done", "post-release-review") {
			closed = true
		}
	}
	if !closed {
		t.Fatal("closing the item was not audited")
	}
}

// TestPostReviewRefusedBeforeProduction refuses a review of a draft, and
// stores nothing.
func TestPostReviewRefusedBeforeProduction(t *testing.T) {
	st := newStory(t)
	id := st.create("pay", "2.0.0", "2026-10-01 09:00", gonogo.Window{})
	_, err := st.s.RecordPostReview(st.ctx("2026-10-02 10:00"), st.rm, id, gonogo.PostReviewInput{Outcome: gonogo.ReviewClean, Summary: "Fine."})
	wantCode(t, err, gonogo.ECONFLICT)
	wantInt(t, "reviews", count(t, st.s, "post_release_reviews"), 0)
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestPostReviewIsNeverEdited: the file itself refuses to change or
// remove a recorded review or a follow-up's words.
func TestPostReviewIsNeverEdited(t *testing.T) {
	st := newStory(t)
	id := st.create("pay", "1.0.1", "2026-10-01 09:00", gonogo.Window{})
	st.ready(id, "2026-10-01 10:00", "", "", nil)
	st.move(id, gonogo.OpenReview, "2026-10-01 11:00")
	st.votes(id, "2026-10-01 11:30", "2026-10-01 11:40", false)
	st.decide(id, gonogo.OutcomeGo, "2026-10-01 12:00", "")
	st.ship(id, "2026-10-01 13:00", "2026-10-01 13:30", "2026-10-01 14:00")
	st.review(id, gonogo.ReviewClean, "2026-10-02 10:00", "Write it down")
	raw := rawDB(t, st.s)
	for _, q := range []string{`UPDATE post_release_reviews SET outcome = 'incident'`, `DELETE FROM post_release_reviews`,
		`UPDATE post_release_followups SET text = 'nothing'`, `DELETE FROM post_release_followups`} {
		if _, err := raw.ExecContext(t.Context(), q); err == nil || !strings.Contains(err.Error(), "never") {
			t.Errorf("%s: %v", q, err)
		}
	}
	if rev := findReview(t, st, id); rev.Outcome != gonogo.ReviewClean || rev.FollowUps[0].Text != "Write it down" {
		t.Fatalf("review after the attempts = %+v", rev)
	}
}
