package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// frozenRelease is a release in review, ready but for its window, which
// lies inside a one-off freeze ten days from now.
func (s *testServer) frozenRelease(t *testing.T, product string) (gonogo.Release, int64) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Hour)
	in := gonogo.FreezeInput{Name: "Year end " + product, Once: gonogo.Window{Start: now.AddDate(0, 0, 9), End: now.AddDate(0, 0, 11)}}
	fid, err := s.store.CreateFreeze(t.Context(), s.rmActor(), in)
	if err != nil {
		t.Fatal(err)
	}
	rel := s.mustCreateRelease(t, product, "1.0.0")
	s.scheduleWindow(t, rel.ID, gonogo.Window{Start: now.AddDate(0, 0, 10), End: now.AddDate(0, 0, 10).Add(time.Hour)})
	s.move(t, rel.ID, gonogo.OpenReview)
	s.settleReadiness(t, rel.ID)
	s.signAll(t, rel.ID)
	return rel, fid
}

// gateOf reads the release page's gate: its reasons and warnings.
func gateOf(t *testing.T, c *client, id int64) (reasons, warnings []string, doc *goquery.Document) {
	t.Helper()
	res, doc := c.get(fmt.Sprintf("/releases/%d", id))
	wantStatus(t, res, http.StatusOK)
	doc.Find("[data-testid=gate-reasons] li").Each(func(_ int, s *goquery.Selection) { reasons = append(reasons, strings.TrimSpace(s.Text())) })
	doc.Find("[data-testid=gate-warnings] li").Each(func(_ int, s *goquery.Selection) { warnings = append(warnings, strings.TrimSpace(s.Text())) })
	return reasons, warnings, doc
}

func oneContains(list []string, part string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, part) })
}

// TestFreezeException walks an exception from request to revocation
// through the server: the gate blocks while it waits, warns once two
// people approved it, and blocks again the moment it is revoked; every
// step is audited and announced to webhooks as freeze.exception.
func TestFreezeException(t *testing.T) {
	s := newServer(t)
	rcv := newReceiver(t, always(http.StatusOK), nil)
	if _, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: rcv.URL + "/hook", Secret: hookSecret,
		Topics: []gonogo.Topic{gonogo.TopicFreezeException}}); err != nil {
		t.Fatal(err)
	}
	rel, fid := s.frozenRelease(t, "shop")
	page := fmt.Sprintf("/releases/%d", rel.ID)
	qa, eng, rm, ops := s.signIn(t, "qa"), s.signIn(t, "eng"), s.signIn(t, "rm"), s.signIn(t, "ops")

	reasons, _, doc := gateOf(t, qa, rel.ID)
	if len(reasons) != 1 || !strings.Contains(reasons[0], "Year end shop") {
		t.Fatalf("before any exception the gate says %q", reasons)
	}
	until := doc.Find("[data-testid=exception-form] input[name=until]").AttrOr("value", "")
	if until == "" {
		t.Fatal("the QA lead is not offered the request form")
	}

	// A request without a reason is refused at the field, nothing stored.
	res := qa.post(page+"/exceptions", url.Values{"freeze": {itoa(fid)}, "until": {until}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if parse(t, res).Find("[data-testid=error-reason]").Length() != 1 {
		t.Fatal("no message beside the reason")
	}
	res = qa.post(page+"/exceptions", url.Values{"freeze": {itoa(fid)}, "until": {until}, "reason": {"the tax rate changes on the 1st"}})
	wantStatus(t, res, http.StatusSeeOther)

	reasons, _, doc = gateOf(t, eng, rel.ID)
	if !oneContains(reasons, "exception requested by Qa Tester, waiting on two approvals") {
		t.Fatalf("pending, the gate says %q", reasons)
	}
	exc := doc.Find("[data-testid=exception]")
	id, _ := strings.CutPrefix(exc.AttrOr("id", ""), "exception-")
	if id == "" || exc.Find("[data-testid=approve-exception-form]").Length() != 1 {
		t.Fatal("the engineering lead is not offered Approve")
	}
	approve := page + "/exceptions/" + id + "/approve"

	// The requester cannot approve their own request; the refusal is shown at it.
	qa.get(page)
	res = qa.post(approve, url.Values{"comment": {"mine"}})
	wantStatus(t, res, http.StatusForbidden)
	if got := text(parse(t, res), "[data-testid=exception-refused]"); !strings.Contains(got, "You asked for this exception") {
		t.Fatalf("self approval refused with %q", got)
	}
	// An approval needs its comment.
	res = eng.post(approve, url.Values{"comment": {" "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantStatus(t, eng.post(approve, url.Values{"comment": {"checked the change, small"}}), http.StatusSeeOther)
	// One person approves once.
	eng.get(page)
	wantStatus(t, eng.post(approve, url.Values{"comment": {"again"}}), http.StatusConflict)
	if reasons, _, _ := gateOf(t, rm, rel.ID); !oneContains(reasons, "waiting on one more approval") {
		t.Fatalf("after one approval the gate says %q", reasons)
	}
	wantStatus(t, rm.post(approve, url.Values{"comment": {"on call is staffed"}}), http.StatusSeeOther)

	reasons, warnings, doc := gateOf(t, ops, rel.ID)
	if len(reasons) != 0 || doc.Find("[data-testid=gate-ready]").Length() != 1 {
		t.Fatalf("approved, the gate still says %q", reasons)
	}
	if !oneContains(warnings, "Freeze “Year end shop” overridden by Eng Tester and Rm Tester until") ||
		!oneContains(warnings, "the tax rate changes on the 1st") {
		t.Fatalf("approved, the gate warns %q", warnings)
	}
	strictHTML(t, ops, page)
	strictHTML(t, eng, page)
	// The pipeline's gate shows the warning too.
	api := s.call(t, http.MethodGet, fmt.Sprintf("/api/v1/releases/%d/gate", rel.ID), s.mustToken(t, "ci", ""), "")
	if ws, _ := api.body["warnings"].([]any); !slices.ContainsFunc(ws, func(w any) bool { s, _ := w.(string); return strings.Contains(s, "overridden by") }) {
		t.Fatalf("the API's gate: %v", api.body)
	}

	// Ops approved nothing: no Revoke for them, and the server refuses.
	if doc.Find("[data-testid=revoke-exception-form]").Length() != 0 {
		t.Fatal("ops is offered Revoke")
	}
	revoke := page + "/exceptions/" + id + "/revoke"
	wantStatus(t, ops.post(revoke, url.Values{"reason": {"no"}, "confirm": {"1"}}), http.StatusForbidden)
	// Revoke asks first, saying what it does.
	eng.get(page)
	res = eng.post(revoke, url.Values{"reason": {"the tax change moved"}})
	wantStatus(t, res, http.StatusOK)
	if got := text(parse(t, res), "[data-testid=confirm-page]"); !strings.Contains(got, "blocks the release's gate again") {
		t.Fatalf("the confirmation says %q", got)
	}
	wantStatus(t, eng.post(revoke, url.Values{"reason": {"the tax change moved"}, "confirm": {"1"}}), http.StatusSeeOther)
	reasons, warnings, _ = gateOf(t, ops, rel.ID)
	if len(reasons) != 1 || strings.Contains(reasons[0], "exception") || len(warnings) != 0 {
		t.Fatalf("revoked, the gate says %q and warns %q", reasons, warnings)
	}

	// Audited, in order, on the release.
	events, err := s.store.FindReleaseEvents(t.Context(), rel.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if strings.HasPrefix(e.Action, "freeze.exception") {
			actions = append([]string{e.Action + " " + e.Actor}, actions...)
		}
	}
	want := []string{"freeze.exception.request Qa Tester", "freeze.exception.approve Eng Tester", "freeze.exception.approve Rm Tester", "freeze.exception.revoke Eng Tester"}
	if !slices.Equal(actions, want) {
		t.Fatalf("audit %q, want %q", actions, want)
	}
	// Announced: one delivery per step, under freeze.exception, with the release.
	for i, w := range want {
		got := rcv.next(t)
		if !got.signatureOK || !slices.Equal(got.payload.Topics, []gonogo.Topic{gonogo.TopicFreezeException}) ||
			got.payload.Event.Action != strings.Fields(w)[0] || got.payload.Release == nil || got.payload.Release.ID != rel.ID {
			t.Fatalf("delivery %d: %+v", i, got.payload)
		}
	}

	// The freeze's page lists the exception, revoked, linked from /freezes.
	res, doc = ops.get("/freezes")
	if doc.Find(fmt.Sprintf("[data-testid=freeze-link][href='/freezes/%d']", fid)).Length() != 1 {
		t.Fatal("the freezes list does not link the freeze's page")
	}
	res, doc = ops.get(fmt.Sprintf("/freezes/%d", fid))
	wantStatus(t, res, http.StatusOK)
	rows := doc.Find("[data-testid=freeze-exception]")
	if rows.Length() != 1 || rows.AttrOr("data-status", "") != "revoked" || !strings.Contains(rows.Text(), "Rm Tester") {
		t.Fatalf("the freeze's page lists %q", rows.Text())
	}
	strictHTML(t, ops, fmt.Sprintf("/freezes/%d", fid))
	// A new request may follow the revoked one.
	qa.get(page)
	wantStatus(t, qa.post(page+"/exceptions", url.Values{"freeze": {itoa(fid)}, "until": {until}, "reason": {"again"}}), http.StatusSeeOther)
}

// TestFreezeExceptionRefusals: who may not ask, and what may not be asked.
func TestFreezeExceptionRefusals(t *testing.T) {
	s := newServer(t)
	rel, fid := s.frozenRelease(t, "shop")
	page := fmt.Sprintf("/releases/%d", rel.ID)
	admin := s.signIn(t, "admin")
	_, _, doc := gateOf(t, admin, rel.ID)
	if doc.Find("[data-testid=exception-form]").Length() != 0 {
		t.Fatal("an admin without a role is offered the request form")
	}
	wantStatus(t, admin.post(page+"/exceptions", url.Values{"freeze": {itoa(fid)}, "reason": {"x"}}), http.StatusForbidden)

	qa := s.signIn(t, "qa")
	_, _, doc = gateOf(t, qa, rel.ID)
	until := doc.Find("[data-testid=exception-form] input[name=until]").AttrOr("value", "")
	past, _ := time.Parse("2006-01-02T15:04", until)
	res := qa.post(page+"/exceptions", url.Values{"freeze": {itoa(fid)}, "reason": {"x"}, "until": {past.AddDate(0, 0, 5).Format("2006-01-02T15:04")}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), "[data-testid=error-until]"); !strings.Contains(got, "at most to the end of the freeze") {
		t.Fatalf("an end past the freeze: %q", got)
	}
	// No double request for one freeze.
	wantStatus(t, qa.post(page+"/exceptions", url.Values{"freeze": {itoa(fid)}, "reason": {"x"}, "until": {until}}), http.StatusSeeOther)
	qa.get(page)
	wantStatus(t, qa.post(page+"/exceptions", url.Values{"freeze": {itoa(fid)}, "reason": {"y"}, "until": {until}}), http.StatusConflict)
}

// TestFreezeExceptionOnTheRecord: a Go recorded under an exception lists
// it, with its approvals, on the decision's record and in its minutes.
func TestFreezeExceptionOnTheRecord(t *testing.T) {
	s := newServer(t)
	rel, fid := s.frozenRelease(t, "shop")
	ctx := t.Context()
	scheduled, err := s.store.FindRelease(ctx, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.store.RequestException(ctx, s.actorOf("qa"), rel.ID, gonogo.ExceptionInput{FreezeID: fid, Reason: "tax change", Until: scheduled.Window.End})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"eng", "admin"} {
		if err := s.store.ApproveException(ctx, s.actorOf(who), rel.ID, id, "fine by "+who); err != nil {
			t.Fatalf("%s approving: %v", who, err)
		}
	}
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Rationale: "ready"})
	c := s.signIn(t, "support")
	res, doc := c.get(fmt.Sprintf("/releases/%d/decisions/1", rel.ID))
	wantStatus(t, res, http.StatusOK)
	got := doc.Find("[data-testid=record-exception]")
	if got.Length() != 1 || got.AttrOr("data-status", "") != "approved" || !strings.Contains(got.Text(), "overridden by Eng Tester and Admin Tester") ||
		!strings.Contains(got.Text(), "fine by admin") {
		t.Fatalf("the record lists %q", got.Text())
	}
	res, md := c.getText(fmt.Sprintf("/releases/%d/decisions/1.md", rel.ID))
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(md, "## Freeze exceptions") || !strings.Contains(md, "overridden by Eng Tester and Admin Tester") || !strings.Contains(md, "fine by eng") {
		t.Fatalf("the minutes say:\n%s", md)
	}
}

// TestFreezeExceptionIsLive: someone watching the release page hears of
// an approval as it happens, as a change of the window (which redraws the
// window panel and the gate).
func TestFreezeExceptionIsLive(t *testing.T) {
	s := newServer(t)
	rel, fid := s.frozenRelease(t, "shop")
	ctx := t.Context()
	scheduled, err := s.store.FindRelease(ctx, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.store.RequestException(ctx, s.actorOf("qa"), rel.ID, gonogo.ExceptionInput{FreezeID: fid, Reason: "tax change", Until: scheduled.Window.End})
	if err != nil {
		t.Fatal(err)
	}
	events, stop := openStream(t, s.signIn(t, "support"), "scope=release&release="+itoa(rel.ID), "")
	defer stop()
	eng := s.signIn(t, "eng")
	eng.get(fmt.Sprintf("/releases/%d", rel.ID))
	wantStatus(t, eng.post(fmt.Sprintf("/releases/%d/exceptions/%d/approve", rel.ID, id), url.Values{"comment": {"fine"}}), http.StatusSeeOther)
	if n := next(t, events, "notice"); !strings.Contains(n.data, "approved the exception to the freeze") {
		t.Fatalf("notice %q", n.data)
	}
	next(t, events, "window")
}

// strictHTML fails the test if the page at path, as c sees it, has what
// TestPagesAreStrictHTML looks for.
func strictHTML(t *testing.T, c *client, path string) {
	t.Helper()
	_, body := c.getText(path)
	for _, problem := range htmlProblems([]byte(body)) {
		t.Errorf("GET %s: %s", path, problem)
	}
}
