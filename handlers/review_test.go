package handlers_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestOpenReviewAndTransitionsOutOfOrder(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := "/releases/" + itoa(rel.ID)
	rm := s.signIn(t, "rm")
	_, doc := rm.get(page)
	if doc.Find(`[data-testid=transition-open-review]`).Length() != 1 {
		t.Fatal("the release manager has no button to open the review")
	}
	for _, tc := range []struct {
		transition string
		status     int
		msg        string
	}{
		{"mark-released", http.StatusConflict, "cannot mark released"},
		{"start-deploy", http.StatusConflict, "cannot start deploying"},
		{"teleport", http.StatusUnprocessableEntity, "Unknown transition"},
	} {
		res := rm.post(page+"/transitions", url.Values{"transition": {tc.transition}})
		wantStatus(t, res, tc.status)
		if msg := text(parse(t, res), "#lifecycle [data-testid=transition-refused]"); !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: message %q", tc.transition, msg)
		}
	}
	ops := s.signIn(t, "ops")
	res := ops.post(page+"/transitions", url.Values{"transition": {"open-review"}})
	wantStatus(t, res, http.StatusForbidden)

	res = rm.post(page+"/transitions", url.Values{"transition": {"open-review"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = rm.get(page)
	if got := text(doc, "[data-testid=release-state]"); got != "In review" {
		t.Fatalf("state %q", got)
	}
	if got := doc.Find("[data-testid=signoff]").Length(); got != 6 {
		t.Fatalf("%d sign-off rows, want one per role", got)
	}
	events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1)
	if events[0].Action != "release.state" || !strings.Contains(events[0].Detail, "Draft to In review") {
		t.Fatalf("audit %+v", events[0])
	}
}

func TestSignOff(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := "/releases/" + itoa(rel.ID)
	qa := s.signIn(t, "qa")
	_, doc := qa.get(page)
	if doc.Find(`[data-testid=sign-qa-lead]`).Length() != 1 || doc.Find(`[data-testid=sign-ops]`).Length() != 0 {
		t.Fatal("QA should have a form for its own role only")
	}

	// A No-Go needs a comment.
	res := qa.postHX(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"no-go"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(parse(t, res), "#role-qa-lead [data-testid=error-comment]"); !strings.Contains(msg, "what must change") {
		t.Fatalf("message %q", msg)
	}
	// Nobody signs for a role they do not hold.
	res = qa.postHX(page+"/votes", url.Values{"role": {"ops"}, "value": {"go"}})
	wantStatus(t, res, http.StatusForbidden)

	res = qa.postHX(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"no-go"}, "comment": {"load test missing"}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if v, _ := doc.Find("#role-qa-lead").Attr("data-vote"); v != "no-go" {
		t.Fatalf("QA row shows vote %q", v)
	}
	if oob, _ := doc.Find("#gate").Attr("data-hx-swap-oob"); oob != "true" {
		t.Fatal("the gate is not swapped out of band")
	}
	if !strings.Contains(doc.Find("#gate").Text(), "voted No-Go: load test missing") {
		t.Fatal("the gate does not name the No-Go")
	}

	// Changing the vote keeps the history.
	res = qa.postHX(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}, "comment": {"load test passed"},
		"conditions": {"watch p99 latency for an hour\nops: keep old pods"}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	row := doc.Find("#role-qa-lead")
	if v, _ := row.Attr("data-vote"); v != "go" {
		t.Fatalf("vote after change %q", v)
	}
	if !strings.Contains(row.Find(".vote-history").Text(), "load test missing") {
		t.Error("the earlier No-Go is not in the history")
	}
	votes, _ := s.store.FindVotes(t.Context(), rel.ID)
	if len(votes) != 2 {
		t.Fatalf("%d votes stored, want both", len(votes))
	}
	// The conditions became post-deploy verification items with owners.
	var conds []gonogo.Item
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.IsCondition() {
			conds = append(conds, it)
		}
	}
	if len(conds) != 2 || conds[0].Phase != gonogo.Verification || conds[0].OwnerRole != gonogo.QALead || conds[1].OwnerRole != gonogo.Ops {
		t.Fatalf("condition items %+v", conds)
	}
	// A new vote replaces the role's earlier conditions.
	res = qa.post(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}, "conditions": {"one condition only"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = qa.get(page)
	if got := doc.Find("[data-testid=open-conditions] li").Length(); got != 1 {
		t.Fatalf("%d open conditions after a new vote, want 1", got)
	}
}

func TestMultiRolePersonSignsEachRoleAndCannotApproveAlone(t *testing.T) {
	s := newServer(t)
	s.mustCreateUser(t, "boss", gonogo.RoleSet(gonogo.Roles), false)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	page := "/releases/" + itoa(rel.ID)
	boss := s.signIn(t, "boss")
	_, doc := boss.get(page)
	if got := doc.Find(`form.sign-form`).Length(); got != 6 {
		t.Fatalf("%d sign forms for a person holding every role", got)
	}
	for _, r := range gonogo.Roles {
		res := boss.post(page+"/votes", url.Values{"role": {string(r)}, "value": {"go"}})
		wantStatus(t, res, http.StatusSeeOther)
	}
	_, doc = boss.get(page)
	if doc.Find(`[data-testid=gate-reasons] li[data-kind=quorum]`).Length() != 1 {
		t.Fatal("one person signing every role should leave the gate blocked on the quorum")
	}
	if _, ok := doc.Find(`[data-testid=decide-go]`).Attr("disabled"); !ok {
		t.Fatal("Record Go is enabled while the gate is blocked")
	}
	if text(doc, "[data-testid=go-why]") == "" {
		t.Error("the disabled Go does not say why")
	}
	// Asked anyway, the server refuses with the reasons.
	res := boss.post(page+"/decisions", url.Values{"outcome": {"go"}})
	wantStatus(t, res, http.StatusConflict)
	doc = parse(t, res)
	if !strings.Contains(text(doc, "[data-testid=decide] [data-testid=error-summary]"), "at least two people") {
		t.Fatalf("refusal %q", text(doc, "[data-testid=decide] [data-testid=error-summary]"))
	}
	if r, _ := s.store.FindRelease(t.Context(), rel.ID); r.State != gonogo.Review {
		t.Fatalf("state %s after a refused Go", r.State)
	}
}

func TestWaiveRole(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := "/releases/" + itoa(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	res := rm.post(page+"/roles/support-lead", url.Values{"required": {"0"}, "reason": {" "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "#role-support-lead [data-testid=error-reason]") == "" {
		t.Fatal("no message beside the reason")
	}
	res = rm.post(page+"/roles/support-lead", url.Values{"required": {"0"}, "reason": {"internal change, no customer impact"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := rm.get(page)
	if !strings.Contains(text(doc, "#role-support-lead"), "internal change, no customer impact") {
		t.Fatal("the waiver's reason is not shown")
	}
	if strings.Contains(doc.Find("#gate").Text(), "Support lead has not signed off") {
		t.Fatal("a waived role still blocks the gate")
	}
	res = rm.post(page+"/roles/ceo", url.Values{"required": {"0"}, "reason": {"x"}})
	wantStatus(t, res, http.StatusNotFound)
	res = rm.post(page+"/roles/support-lead", url.Values{"required": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = rm.get(page)
	if !strings.Contains(doc.Find("#gate").Text(), "Support lead has not signed off") {
		t.Fatal("a role made required again does not block")
	}
}

func TestRecordGoAndFollowTheRelease(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.signAll(t, rel.ID)
	page := "/releases/" + itoa(rel.ID)
	rm := s.signIn(t, "rm")
	_, doc := rm.get(page)
	if doc.Find("[data-testid=gate-ready]").Length() != 1 {
		t.Fatalf("gate not ready: %s", doc.Find("#gate").Text())
	}
	if _, disabled := doc.Find(`[data-testid=decide-go]`).Attr("disabled"); disabled {
		t.Fatal("Record Go is disabled on a ready gate")
	}
	res := rm.post(page+"/decisions", url.Values{"outcome": {"go"}, "rationale": {"All green."}, "conditions": {"ops: deploy only off-peak"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != page+"/decisions/1" {
		t.Fatalf("redirected to %q", loc)
	}
	_, doc = rm.get(page + "/decisions/1")
	if got := text(doc, "[data-testid=decision-outcome]"); got != "Go" {
		t.Fatalf("outcome %q", got)
	}
	if got := doc.Find(`[data-testid=record-vote][data-vote=go]`).Length(); got != 6 {
		t.Errorf("%d Go votes in the record", got)
	}
	if !strings.Contains(text(doc, "[data-testid=record-conditions]"), "deploy only off-peak") {
		t.Error("the record lacks the condition")
	}
	if text(doc, "[data-testid=rationale]") != "All green." {
		t.Error("the record lacks the rationale")
	}

	// A second decision in the same cycle is refused.
	res = rm.post(page+"/decisions", url.Values{"outcome": {"no-go"}, "rationale": {"changed my mind"}})
	wantStatus(t, res, http.StatusConflict)

	// The condition is an open verification item, owned by ops.
	_, doc = rm.get(page)
	if !strings.Contains(text(doc, "[data-testid=open-conditions]"), "deploy only off-peak") {
		t.Fatal("the open condition is not shown")
	}
	// Ops deploys; released needs the condition and verification closed.
	ops := s.signIn(t, "ops")
	ops.get(page)
	for _, tr := range []string{"start-deploy", "finish-deploy"} {
		res = ops.post(page+"/transitions", url.Values{"transition": {tr}})
		wantStatus(t, res, http.StatusSeeOther)
	}
	res = ops.post(page+"/transitions", url.Values{"transition": {"mark-released"}})
	wantStatus(t, res, http.StatusForbidden)
	res = rm.post(page+"/transitions", url.Values{"transition": {"mark-released"}})
	wantStatus(t, res, http.StatusConflict)
	if msg := text(parse(t, res), "#lifecycle [data-testid=transition-refused]"); !strings.Contains(msg, "deploy only off-peak") {
		t.Fatalf("refusal does not name the open condition: %q", msg)
	}
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.Phase == gonogo.Verification {
			res = rm.post(page+"/items/"+itoa(it.ID), url.Values{"status": {"done"}})
			wantStatus(t, res, http.StatusSeeOther)
		}
	}
	res = rm.post(page+"/transitions", url.Values{"transition": {"mark-released"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if r, _ := s.store.FindRelease(t.Context(), rel.ID); r.State != gonogo.Released {
		t.Fatalf("state %s", r.State)
	}
}

func TestNoGoThenNewCycle(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteNoGo, "flaky checkout")
	page := "/releases/" + itoa(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	res := rm.post(page+"/decisions", url.Values{"outcome": {"no-go"}, "rationale": {" "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=error-rationale]") == "" {
		t.Fatal("no message beside the rationale")
	}
	res = rm.post(page+"/decisions", url.Values{"outcome": {"no-go"}, "rationale": {"fix the checkout first"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if r, _ := s.store.FindRelease(t.Context(), rel.ID); r.State != gonogo.NoGo {
		t.Fatalf("state %s", r.State)
	}
	// Votes are closed until a new cycle.
	qa := s.signIn(t, "qa")
	res = qa.post(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}})
	wantStatus(t, res, http.StatusConflict)

	res = rm.post(page+"/transitions", url.Values{"transition": {"reopen"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := rm.get(page)
	if got := text(doc, "[data-testid=release-cycle]"); got != "2" {
		t.Fatalf("cycle %q after reopening", got)
	}
	if v, _ := doc.Find("#role-qa-lead").Attr("data-vote"); v != "" {
		t.Fatalf("QA's old vote %q still counts in the new cycle", v)
	}
	if votes, _ := s.store.FindVotes(t.Context(), rel.ID); len(votes) != 1 {
		t.Fatal("the old cycle's vote was not kept")
	}
	if doc.Find(`[data-testid=decision-link]`).Length() != 1 {
		t.Fatal("the No-Go decision is not listed")
	}
}

func TestDecisionMinutes(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Rationale: "All | green", Conditions: "ops: deploy only off-peak"})
	po := s.signIn(t, "po")
	res, body := po.getText("/releases/" + itoa(rel.ID) + "/decisions/1.md")
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
		t.Fatalf("content type %q", ct)
	}
	for _, want := range []string{
		"# Go/No-Go minutes: payments 2.4.0", "**Decision:** Go (decision 1, review cycle 1)", "**Decided by:** Rm Tester",
		"**Attendees:**", "## Votes", "| QA lead | Go | Qa Tester |", "deploy only off-peak — Ops", "## Evidence", "## Open risks",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("minutes lack %q:\n%s", want, body)
		}
	}
	for _, p := range []string{"/decisions/2", "/decisions/abc", "/decisions/0.md"} {
		res, _ := po.get("/releases/" + itoa(rel.ID) + p)
		wantStatus(t, res, http.StatusNotFound)
	}
}

func TestAuditChainPage(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/audit")
	if doc.Find("[data-testid=chain-ok]").Length() != 1 {
		t.Fatalf("a clean trail is not reported intact: %s", doc.Find(".chain").Text())
	}
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit_events SET detail = 'nothing happened' WHERE id = 3`); err == nil {
		t.Fatal("the trail accepted an edit")
	}
	for _, q := range []string{`DROP TRIGGER audit_never_edited`, `UPDATE audit_events SET detail = 'nothing happened' WHERE id = 3`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// The edit is behind what the page has verified, which a view does not
	// hash again: the verification of the whole trail, which runs in the
	// background, finds it, and the page shows it.
	if _, err := s.store.VerifyWholeTrail(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, doc = admin.get("/admin/audit")
	if got := text(doc, "[data-testid=chain-break-id]"); got != "3" {
		t.Fatalf("break reported at %q, want event 3", got)
	}
}
