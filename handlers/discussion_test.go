package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views/xsstest"
)

func TestDiscussion(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := "/releases/" + itoa(rel.ID)
	ops := s.signIn(t, "ops")
	ops.get(page)

	res := ops.post(page+"/comments", url.Values{"body": {"  "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=comment-form] [data-testid=error-body]") == "" {
		t.Fatal("no message beside the comment")
	}
	res = ops.post(page+"/comments", url.Values{"body": {"Dashboards are up: [latency](https://grafana.example.com/d/1). @qa can you check the smoke run?"}})
	wantStatus(t, res, http.StatusSeeOther)
	comments, _ := s.store.FindComments(t.Context(), rel.ID, 1)
	if len(comments) != 1 || !comments[0].Mentions.Has(gonogo.QALead) {
		t.Fatalf("stored %+v", comments)
	}
	first := comments[0]

	// The QA lead sees it highlighted, and replies.
	qa := s.signIn(t, "qa")
	_, doc := qa.get(page)
	c := doc.Find("#comment-" + itoa(first.ID))
	if !c.HasClass("mentioned") {
		t.Fatal("a comment mentioning @qa is not highlighted for the QA lead")
	}
	if href, _ := c.Find(`[data-testid=comment-body] a`).Attr("href"); href != "https://grafana.example.com/d/1" {
		t.Errorf("the evidence link is %q", href)
	}
	_, doc = ops.get(page)
	if doc.Find("#comment-" + itoa(first.ID)).HasClass("mentioned") {
		t.Error("the comment is highlighted for ops, whom it does not mention")
	}
	res = qa.post(page+"/comments", url.Values{"body": {"Smoke run green."}, "parent_id": {itoa(first.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = qa.get(page)
	if got := doc.Find(".thread .replies [data-testid=comment]").Length(); got != 1 {
		t.Fatalf("%d replies in the thread", got)
	}
	res = qa.post(page+"/comments", url.Values{"body": {"x"}, "parent_id": {"99999"}})
	wantStatus(t, res, http.StatusNotFound)

	// Only the author edits; within ten minutes it is rewritten and the old text kept.
	res = qa.post(page+"/comments/"+itoa(first.ID), url.Values{"body": {"hijacked"}})
	wantStatus(t, res, http.StatusForbidden)
	res = ops.post(page+"/comments/"+itoa(first.ID), url.Values{"body": {"Dashboards are up. @qa @rm please check."}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = ops.get(page)
	c = doc.Find("#comment-" + itoa(first.ID))
	if !strings.Contains(c.Find(`[data-testid=comment-body]`).Text(), "@rm please check") || c.Find("[data-testid=edited]").Length() != 1 {
		t.Fatalf("after the edit: %q", c.Text())
	}
	if !strings.Contains(c.Find(".comment-history").Text(), "grafana") && !strings.Contains(c.Find(".comment-history").Text(), "latency") {
		t.Error("the earlier text is not kept")
	}
	// After ten minutes it is only appended to.
	s.store.Now = func() time.Time { return time.Now().UTC().Add(11 * time.Minute) }
	res = ops.post(page+"/comments/"+itoa(first.ID), url.Values{"body": {"Also: error rate flat."}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := s.store.FindComment(t.Context(), rel.ID, first.ID)
	if !strings.HasPrefix(got.Body, "Dashboards are up. @qa @rm please check.") || !strings.Contains(got.Body, "Also: error rate flat.") || got.Edits != 2 {
		t.Fatalf("after the window: %q (%d edits)", got.Body, got.Edits)
	}
}

func TestCommentsNeverCarryScript(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := "/releases/" + itoa(rel.ID)
	po := s.signIn(t, "po")
	po.get(page)
	for _, p := range xsstest.Payloads {
		res := po.post(page+"/comments", url.Values{"body": {p}})
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("payload %q: status %d", p, res.StatusCode)
		}
	}
	// The discussion is shown a page at a time: read every page.
	shown := 0
	for next := page; next != ""; {
		_, doc := po.get(next)
		shown += doc.Find("[data-testid=comment]").Length()
		if bad := xsstest.Page(doc); len(bad) > 0 {
			t.Fatalf("a payload survived into %s: %v", next, bad)
		}
		next, _ = doc.Find("#discussion [data-testid=older-link]").Attr("href")
	}
	if shown < 50 {
		t.Fatalf("only %d comments shown", shown)
	}
}

func TestDecisionRecordKeepsTheDiscussion(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.signAll(t, rel.ID)
	rm := s.signIn(t, "rm")
	rm.get("/releases/" + itoa(rel.ID))
	res := rm.post("/releases/"+itoa(rel.ID)+"/comments", url.Values{"body": {"All pillars green; going ahead."}})
	wantStatus(t, res, http.StatusSeeOther)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	res = rm.post("/releases/"+itoa(rel.ID)+"/comments", url.Values{"body": {"Said after the decision."}})
	wantStatus(t, res, http.StatusSeeOther)

	_, doc := rm.get("/releases/" + itoa(rel.ID) + "/decisions/1")
	got := text(doc, "[data-testid=record-discussion]")
	if !strings.Contains(got, "going ahead") || strings.Contains(got, "after the decision") {
		t.Fatalf("the record's discussion: %q", got)
	}
	_, md := rm.getText("/releases/" + itoa(rel.ID) + "/decisions/1.md")
	if !strings.Contains(md, "## Discussion") || !strings.Contains(md, "going ahead") {
		t.Fatal("the minutes lack the discussion")
	}
}
