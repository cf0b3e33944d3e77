package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// TestLiveStreamSendsNoNoticeOfOwnChanges: a person's own vote reaches
// their stream as the triggers that redraw their other tabs, without a
// notice; someone else's vote comes with one.
func TestLiveStreamSendsNoNoticeOfOwnChanges(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	qa := s.signIn(t, "qa")
	events, stop := openStream(t, qa, "scope=release&release="+itoa(rel.ID), "")
	defer stop()

	qa.get("/releases/" + itoa(rel.ID))
	wantStatus(t, qa.post("/releases/"+itoa(rel.ID)+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}}), http.StatusSeeOther)
	s.vote(t, rel.ID, "ops", gonogo.Ops, gonogo.VoteGo, "")
	var own string
	for {
		e := nextAny(t, events)
		if e.name == "notice" {
			if !strings.Contains(e.data, "Ops Tester") {
				t.Fatalf("a notice of the reader's own change: %q", e.data)
			}
			if own == "" {
				t.Fatal("no vote trigger came for the reader's own vote")
			}
			return
		}
		if e.name == "vote" && own == "" {
			own = e.id
		}
	}
}

// TestMarkingReleasedCelebratesWithoutJavaScript: the release manager's
// plain form leads to the release page with the celebration on it, in
// its status region, not to "The release moved on."; the address alone
// celebrates nothing that is not released.
func TestMarkingReleasedCelebratesWithoutJavaScript(t *testing.T) {
	s := newServer(t)
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	other := s.mustCreateRelease(t, "web", "1.0.0")
	s.markReleasable(t, rel)
	rm := s.signIn(t, "rm")
	rm.get("/releases/" + itoa(rel.ID))
	res := rm.post("/releases/"+itoa(rel.ID)+"/transitions", url.Values{"transition": {string(gonogo.MarkReleased)}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := rm.get(res.Header.Get("Location"))
	if got := text(doc, `[role=status] [data-testid=celebration]`); !strings.Contains(got, "payments 2.4.0 is released") {
		t.Fatalf("the release manager's page celebrates %q", got)
	}
	if got := text(doc, `[data-testid=notice]`); got != "" {
		t.Errorf("and also says %q", got)
	}
	_, doc = rm.get("/releases/" + itoa(other.ID) + "?notice=mark-released")
	if n := doc.Find(`[data-testid=celebration]`).Length(); n != 0 {
		t.Error("a release in draft is celebrated because the address says so")
	}
}
