package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestMeetingMode(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails", Severity: gonogo.Blocker})
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteNoGo, "blocker open")
	page := "/releases/" + itoa(rel.ID) + "/meeting"

	rm := s.signIn(t, "rm")
	res, doc := rm.get(page)
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(text(doc, "[data-testid=m-verdict] h2"), "Blocked") {
		t.Fatalf("verdict %q", text(doc, "[data-testid=m-verdict] h2"))
	}
	if !strings.Contains(text(doc, "[data-testid=m-defects]"), "Checkout fails") {
		t.Error("the blocking defect is not shown")
	}
	if v, _ := doc.Find(`[data-testid=m-vote][data-role=qa-lead]`).Attr("data-vote"); v != "no-go" {
		t.Errorf("QA tile shows %q", v)
	}
	if doc.Find("[data-testid=decide-no-go]").Length() != 1 {
		t.Error("the release manager has no decide buttons in the meeting")
	}
	if live, _ := doc.Find("[data-testid=live-main]").Attr("data-sse-connect"); !strings.Contains(live, "scope=release") {
		t.Errorf("meeting mode does not follow the release live: %q", live)
	}
	if doc.Find(".topbar").Length() != 0 {
		t.Error("meeting mode shows the site navigation")
	}
	// Others watch without the buttons.
	po := s.signIn(t, "po")
	_, doc = po.get(page)
	if doc.Find("[data-testid=decide-no-go]").Length() != 0 {
		t.Error("a product owner sees the decide buttons")
	}
	// The live part answers every region out of band.
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "fixed")
	res, doc = po.getHX(page + "?part=live")
	wantStatus(t, res, http.StatusOK)
	for _, id := range []string{"m-head", "m-verdict", "m-votes", "m-pillar-bars", "m-defects", "m-conditions"} {
		if oob, _ := doc.Find("#" + id).Attr("data-hx-swap-oob"); oob != "true" {
			t.Errorf("#%s is not swapped out of band", id)
		}
	}
	if v, _ := doc.Find(`[data-testid=m-vote][data-role=qa-lead]`).Attr("data-vote"); v != "go" {
		t.Errorf("the live QA tile shows %q", v)
	}
}

func TestNudgeGoesOutThroughWebhooks(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.vote(t, rel.ID, "po", gonogo.ProductOwner, gonogo.VoteGo, "")
	admin := s.signIn(t, "admin")
	r := newReceiver(t, always(http.StatusOK), nil)
	s.registerWebhook(t, admin, r.URL, gonogo.TopicNudge)

	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	waiting := text(doc, "[data-testid=waiting]")
	if !strings.Contains(waiting, "QA lead") || strings.Contains(waiting, "Product owner,") {
		t.Fatalf("waiting on: %q", waiting)
	}
	if doc.Find("[data-testid=nudge-qa-lead]").Length() != 1 {
		t.Fatal("no nudge button for the QA lead")
	}
	res := rm.post("/releases/"+itoa(rel.ID)+"/nudge", url.Values{"role": {"qa-lead"}})
	wantStatus(t, res, http.StatusSeeOther)
	got := r.next(t)
	if !got.signatureOK || !strings.Contains(got.payload.Text, "QA lead") || !strings.Contains(got.payload.Text, "payments 2.4.0") {
		t.Fatalf("nudge delivery %q", got.payload.Text)
	}
	// One who has signed is not nudged, and only the release manager nudges.
	res = rm.post("/releases/"+itoa(rel.ID)+"/nudge", url.Values{"role": {"product-owner"}})
	wantStatus(t, res, http.StatusConflict)
	qa := s.signIn(t, "qa")
	qa.get("/")
	res = qa.post("/releases/"+itoa(rel.ID)+"/nudge", url.Values{"role": {"ops"}})
	wantStatus(t, res, http.StatusForbidden)
}

func TestReleasedIsCelebrated(t *testing.T) {
	s := newServer(t)
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	r := newReceiver(t, always(http.StatusOK), nil)
	s.registerWebhook(t, admin, r.URL, gonogo.TopicReleased)
	po := s.signIn(t, "po")
	events, stop := openStream(t, po, "scope=board", "")
	defer stop()

	s.move(t, rel.ID, gonogo.StartDeploy)
	s.move(t, rel.ID, gonogo.FinishDeploy)
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	a := s.rmActor()
	for _, it := range items {
		if it.Phase == gonogo.Verification {
			if _, err := s.store.UpdateItem(t.Context(), a, rel.ID, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.move(t, rel.ID, gonogo.MarkReleased)
	c := next(t, events, "celebrate")
	if !strings.Contains(c.data, "payments 2.4.0 is released") || !strings.Contains(c.data, "Signed off by") {
		t.Fatalf("celebration %q", c.data)
	}
	got := r.next(t)
	if !strings.Contains(got.payload.Text, "[Released]") || !strings.Contains(got.payload.Text, "signed off by") {
		t.Fatalf("announcement %q", got.payload.Text)
	}
}
