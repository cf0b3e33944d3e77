package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// deferredCritical adds a critical defect with a Jira link to rel and
// has the QA lead defer it through the release page's form.
func (s *testServer) deferredCritical(t *testing.T, qa *client, rel gonogo.Release, title, key string) int64 {
	t.Helper()
	ids, err := s.store.CreateDefects(t.Context(), s.actorOf("qa"), rel.ID, []gonogo.DefectInput{{Title: title, Severity: gonogo.Critical,
		TrackerURL: "https://acme.atlassian.net/browse/" + key}})
	if err != nil {
		t.Fatal(err)
	}
	qa.get(fmt.Sprintf("/releases/%d", rel.ID))
	res := qa.post(fmt.Sprintf("/releases/%d/defects/%d/status", rel.ID, ids[0]), url.Values{"status": {"deferred"}, "reason": {"needs a schema change"}})
	wantStatus(t, res, http.StatusSeeOther)
	return ids[0]
}

func (s *testServer) wantEvent(t *testing.T, releaseID int64, action gonogo.Action, actor, contains string) {
	t.Helper()
	events, err := s.store.FindReleaseEvents(t.Context(), releaseID, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == string(action) && strings.Contains(e.Detail, contains) && (actor == "" || e.Actor == actor) {
			return
		}
	}
	t.Errorf("release %d has no %s event by %q saying %q", releaseID, action, actor, contains)
}

func TestKnownIssuesFlowIntoTheNextReleasesNotes(t *testing.T) {
	s := newServer(t)
	old := s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")
	s.deferredCritical(t, qa, old, "Refund crashes on zero amount", "PAY-142")
	s.wantEvent(t, old.ID, gonogo.ActionKnownIssueAdd, "Qa Tester", "PAY-142")
	s.mustItem(t, old.ID, "Known issues reviewed")
	_, doc := qa.get(fmt.Sprintf("/releases/%d", old.ID))
	if got := text(doc, "[data-testid=notes-panel] p:has([data-testid=known-issues-link])"); got != "1 known issue — 1 needs a workaround" {
		t.Errorf("the release page's notes panel says %q", got)
	}

	// The notes editor shows it, with the workaround form for support only.
	po := s.signIn(t, "po")
	_, doc = po.get(fmt.Sprintf("/releases/%d/notes", old.ID))
	if got := text(doc, "[data-testid=notes-known-panel] [data-testid=known-issue-key]"); got != "PAY-142" {
		t.Fatalf("the editor's known issue key = %q", got)
	}
	if doc.Find("[data-testid=notes-known-panel] [data-testid=workaround-form]").Length() != 0 {
		t.Error("the product owner is offered the workaround form")
	}
	ki := doc.Find("[data-testid=known-issue]").AttrOr("id", "")
	kid := strings.TrimPrefix(ki, "known-issue-")

	support := s.signIn(t, "support")
	_, doc = support.get(fmt.Sprintf("/releases/%d/known-issues", old.ID))
	if doc.Find("[data-testid=workaround-form]").Length() != 1 {
		t.Fatal("the support lead has no workaround form")
	}
	path := fmt.Sprintf("/releases/%d/known-issues/%s", old.ID, kid)
	res := support.post(path, url.Values{"workaround": {strings.Repeat("x", gonogo.MaxWorkaroundLen+1)}, "return": {"/releases/1/notes"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if msg := text(doc, "[data-testid=workaround-form] .field-error"); !strings.Contains(msg, "at most") {
		t.Errorf("the refusal says %q", msg)
	}
	res = support.post(path, url.Values{"workaround": {"Refund **0.01**, then void it."}, "return": {"//evil.example"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, fmt.Sprintf("/releases/%d/known-issues#", old.ID)) {
		t.Errorf("a workaround with a foreign return went to %q", loc)
	}
	s.wantEvent(t, old.ID, gonogo.ActionWorkaround, "Support Tester", "PAY-142")
	eng := s.signIn(t, "eng")
	wantStatus(t, eng.post(path, url.Values{"workaround": {"Reboot."}}), http.StatusForbidden)
	wantStatus(t, po.post(path, url.Values{"workaround": {"Reboot."}}), http.StatusForbidden)

	// Published and shipped: the notes page shows it, its link and workaround.
	s.publishNotes(t, old.ID)
	s.setState(t, old.ID, gonogo.Released)
	_, doc = po.get("/notes/payments/2.4.0")
	issue := doc.Find("[data-testid=notes-page] [data-testid=known-issue]")
	if issue.Length() != 1 || issue.Find("[data-testid=known-issue-key]").AttrOr("href", "") != "https://acme.atlassian.net/browse/PAY-142" {
		t.Fatalf("the notes page's known issues: %q", issue.Text())
	}
	if got := issue.Find("[data-testid=workaround]").Text(); !strings.Contains(got, "Refund 0.01, then void it.") {
		t.Errorf("workaround shown: %q", got)
	}
	if doc.Find("[data-testid=fixed-in]").Length() != 0 {
		t.Error("fixed before any fix")
	}

	// 2.5.0 verifies a defect with the same key.
	next := s.mustCreateRelease(t, "payments", "2.5.0")
	ids, err := s.store.CreateDefects(t.Context(), s.actorOf("qa"), next.ID, []gonogo.DefectInput{{Title: "Refund of zero", Severity: gonogo.Major, Key: "PAY-142"}})
	if err != nil {
		t.Fatal(err)
	}
	qa.get(fmt.Sprintf("/releases/%d", next.ID))
	wantStatus(t, qa.post(fmt.Sprintf("/releases/%d/defects/%d/status", next.ID, ids[0]), url.Values{"status": {"verified"}}), http.StatusSeeOther)
	s.wantEvent(t, old.ID, gonogo.ActionKnownIssueFixed, "Qa Tester", "fixed in 2.5.0")
	s.wantEvent(t, next.ID, gonogo.ActionKnownIssueFixed, "Qa Tester", "known issue of 2.4.0")
	_, doc = po.get(fmt.Sprintf("/releases/%d/notes", next.ID))
	fixed := doc.Find("[data-testid=fixed-known-issue]")
	if fixed.Length() != 1 || !strings.Contains(fixed.Text(), "known issue in 2.4.0") || fixed.AttrOr("data-key", "") != "PAY-142" {
		t.Fatalf("2.5.0's notes draft says %q", fixed.Text())
	}
	_, doc = po.get("/notes/payments/2.4.0")
	if doc.Find("[data-testid=fixed-in]").Length() != 0 {
		t.Error("2.4.0 says fixed while the fix has not shipped")
	}
	s.publishNotes(t, next.ID)
	s.setState(t, next.ID, gonogo.Released)
	_, doc = po.get("/notes/payments/2.4.0")
	if got := text(doc, "[data-testid=fixed-in]"); got != "fixed in 2.5.0" {
		t.Errorf("2.4.0's notes page says %q", got)
	}
	_, doc = po.get("/notes/payments/2.5.0")
	if doc.Find("[data-testid=fixed-known-issue]").Length() != 1 {
		t.Error("2.5.0's published notes lack the fixed line")
	}
}

func TestSupportSignOffShowsWhatSupportConfirms(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")
	s.deferredCritical(t, qa, rel, "Refund crashes on zero amount", "PAY-142")
	if _, err := s.store.SaveNotes(t.Context(), s.actorOf("po"), rel.ID, gonogo.NotesInput{Title: "Faster refunds", Highlights: "Refunds in a click."}, false); err != nil {
		t.Fatal(err)
	}
	s.move(t, rel.ID, gonogo.OpenReview)
	if _, err := s.store.CastVote(t.Context(), s.actorOf("ops"), rel.ID, gonogo.VoteInput{Role: gonogo.Ops, Value: gonogo.VoteGo,
		Conditions: "support: brief the help desk on refunds"}); err != nil {
		t.Fatal(err)
	}

	support := s.signIn(t, "support")
	_, doc := support.get(fmt.Sprintf("/releases/%d", rel.ID))
	brief := doc.Find("[data-role=support-lead] [data-testid=support-brief]")
	if brief.Length() != 1 {
		t.Fatal("the support lead's sign-off has no brief")
	}
	if got := text(doc, "[data-testid=support-notes] .notes-title"); got != "Faster refunds" {
		t.Errorf("the brief's notes title = %q", got)
	}
	if got := text(doc, "[data-testid=support-known-issues] [data-testid=known-issue-key]"); got != "PAY-142" {
		t.Errorf("the brief's known issue = %q", got)
	}
	if got := text(doc, "[data-testid=support-conditions] [data-testid=support-condition]"); !strings.Contains(got, "brief the help desk") {
		t.Errorf("the brief's conditions = %q", got)
	}
	_, qdoc := qa.get(fmt.Sprintf("/releases/%d", rel.ID))
	if qdoc.Find("[data-testid=support-brief]").Length() != 0 {
		t.Error("the QA lead sees support's brief")
	}

	res := support.post(fmt.Sprintf("/releases/%d/votes", rel.ID), url.Values{"role": {"support-lead"}, "value": {"go"}})
	wantStatus(t, res, http.StatusSeeOther)
	s.wantEvent(t, rel.ID, gonogo.ActionSupportConfirm, "Support Tester", "1 known issue (PAY-142), 1 without a workaround")

	s.settleItems(t, rel.ID)
	for name, role := range map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead, "qa": gonogo.QALead,
		"rm": gonogo.ReleaseManager} {
		s.vote(t, rel.ID, name, role, gonogo.VoteGo, "")
	}
	if _, err := s.store.SaveNotes(t.Context(), s.actorOf("po"), rel.ID, gonogo.NotesInput{Title: "Faster refunds", Highlights: "Refunds in a click."}, true); err != nil {
		t.Fatal(err)
	}
	d := s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	_, doc = support.get(fmt.Sprintf("/releases/%d/decisions/%d", rel.ID, d.Number))
	got := text(doc, "[data-testid=decision-record] [data-testid=support-confirmed]")
	for _, want := range []string{"Support confirmed:", "the release notes draft \"Faster refunds\"", "PAY-142", "brief the help desk on refunds"} {
		if !strings.Contains(got, want) {
			t.Errorf("the decision record's confirmation %q lacks %q", got, want)
		}
	}
	res, md := support.getText(fmt.Sprintf("/releases/%d/decisions/%d.md", rel.ID, d.Number))
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(md, "**Support confirmed:** the release notes draft") {
		t.Errorf("the minutes lack support's confirmation:\n%s", md)
	}
}

// A tracker that moves a critical issue to the next milestone defers it
// in the release it leaves: through the webhook, it becomes a known issue
// there, as a change by hand would.
func TestTrackerDeferralMakesAKnownIssue(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "payments", "2.5.0")
	s.mustTracker(t, "payments", gonogo.GitHub, "acme/payments")
	gh := func(id, action, updated string, sets map[string]any) delivery {
		return delivery{kind: gonogo.GitHub, event: "issues", id: id, secret: trackerSecret, body: ghIssue(t, action, updated, sets)}
	}
	s.mustDeliver(t, gh("k-open", "labeled", "10:01:00", map[string]any{"issue.labels": ghLabels("critical")}), http.StatusOK, "applied")
	if ks, _ := s.store.FindReleaseKnownIssues(t.Context(), rel.ID); len(ks) != 0 {
		t.Fatalf("an open defect is a known issue: %+v", ks)
	}
	s.mustDeliver(t, gh("k-move", "milestoned", "10:02:00", map[string]any{"issue.labels": ghLabels("critical"),
		"issue.milestone.title": "2.5.0"}), http.StatusOK, "applied")
	ks, err := s.store.FindReleaseKnownIssues(t.Context(), rel.ID)
	if err != nil || len(ks) != 1 || ks[0].Key != "#318" {
		t.Fatalf("known issues of 2.4.0: %+v, %v", ks, err)
	}
	s.wantEvent(t, rel.ID, gonogo.ActionKnownIssueAdd, "GitHub (integration)", "#318")
}

// The pages known issues appear on are strict HTML: the workaround forms'
// labels, ids and messages included, refused or not.
func TestKnownIssuePagesAreStrictHTML(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")
	s.deferredCritical(t, qa, rel, "Refund crashes on zero amount", "PAY-142")
	s.deferredCritical(t, qa, rel, "Refund crashes on retry", "PAY-143")
	s.move(t, rel.ID, gonogo.OpenReview)
	support, po := s.signIn(t, "support"), s.signIn(t, "po")
	ks, err := s.store.FindReleaseKnownIssues(t.Context(), rel.ID)
	if err != nil || len(ks) != 2 {
		t.Fatalf("known issues %+v, %v", ks, err)
	}
	pages := map[string]string{}
	_, pages["release page, support"] = support.getText(fmt.Sprintf("/releases/%d", rel.ID))
	_, pages["known issues"] = support.getText(fmt.Sprintf("/releases/%d/known-issues", rel.ID))
	_, pages["notes editor"] = po.getText(fmt.Sprintf("/releases/%d/notes", rel.ID))
	res := support.post(fmt.Sprintf("/releases/%d/known-issues/%d", rel.ID, ks[1].ID), url.Values{"workaround": {"bad \x01 text"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	pages["refused workaround"] = string(body)
	for name, body := range pages {
		for _, problem := range htmlProblems([]byte(body)) {
			t.Errorf("%s: %s", name, problem)
		}
	}
}
