package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// gateRoles are the roles the gate of the page in doc still waits on.
func gateRoles(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="gate-reasons"] li[data-kind="role"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func TestHotfixIsCreatedThroughTheFormAndAsksOnlyItsRoles(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	_, form := rm.get("/releases/new")
	if form.Find(`[data-testid="kind-standard"]`).AttrOr("checked", "no") == "no" {
		t.Fatal("the create form does not choose standard unless told")
	}
	res := rm.post("/releases", url.Values{"product": {"payments"}, "version": {"2.4.1"}, "title": {"Fix refunds"},
		"kind": {"hotfix"}, "manager_id": {itoa(s.users["rm"].ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	page := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
	rels, err := s.store.FindReleases(t.Context(), gonogo.ReleaseFilter{Product: "payments"})
	if err != nil || len(rels) != 1 || rels[0].Kind != gonogo.KindHotfix {
		t.Fatalf("releases %+v, %v: want one hotfix", rels, err)
	}
	id := rels[0].ID
	s.settleReadiness(t, id)
	s.move(t, id, gonogo.OpenReview)
	_, doc := rm.get(page)
	if got := text(doc, `[data-testid="release-kind"] [data-testid="kind-chip"]`); got != "Hotfix" {
		t.Fatalf("release page kind chip %q, want Hotfix", got)
	}
	roles := gateRoles(doc)
	if len(roles) != 4 {
		t.Fatalf("the hotfix gate waits on %d roles, want the policy's 4: %q", len(roles), roles)
	}
	for _, r := range roles {
		if strings.Contains(r, "Product owner") || strings.Contains(r, "Support lead") {
			t.Fatalf("the hotfix gate asks a role its policy leaves out: %q", r)
		}
	}
	if n := doc.Find(`[data-role="product-owner"] [data-testid="waived"]`).Length(); n != 1 {
		t.Fatal("the product owner's sign-off is not shown as not required by the policy")
	}
	_, board := rm.get("/")
	if board.Find(`[data-release="payments 2.4.1"] [data-testid="kind-chip"]`).Length() != 1 {
		t.Fatal("the board card does not mark the hotfix")
	}
	s.vote(t, id, "eng", gonogo.EngineeringLead, gonogo.VoteGo, "")
	s.vote(t, id, "qa", gonogo.QALead, gonogo.VoteGo, "")
	s.vote(t, id, "ops", gonogo.Ops, gonogo.VoteGo, "")
	s.vote(t, id, "rm", gonogo.ReleaseManager, gonogo.VoteGo, "")
	_, doc = rm.get(page)
	if doc.Find(`[data-testid="gate-ready"]`).Length() != 1 {
		t.Fatalf("a hotfix signed by its policy's roles is not ready: %q", text(doc, `[data-testid="gate-reasons"]`))
	}
}

func TestStandardReleaseRefusesABadKind(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	rm.get("/releases/new")
	res := rm.post("/releases", url.Values{"product": {"payments"}, "version": {"2.4.1"}, "title": {"Fix"}, "kind": {"urgent"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(parse(t, res), `[data-testid="error-kind"]`); msg == "" {
		t.Fatal("a bad kind is refused without a message by the field")
	}
}

func TestHotfixIsNotReleasedBeforeItsReviewAndShowsOverdueOnTheBoard(t *testing.T) {
	s := newServer(t)
	now := time.Now().UTC()
	s.store.Now = func() time.Time { return now }
	rel, err := s.store.CreateRelease(t.Context(), gonogo.SystemActor, gonogo.ReleaseInput{Product: "payments", Version: "2.4.1",
		Title: "Fix refunds", ManagerID: s.users["rm"].ID, Kind: gonogo.KindHotfix})
	if err != nil {
		t.Fatal(err)
	}
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	for name, role := range map[string]gonogo.Role{"eng": gonogo.EngineeringLead, "qa": gonogo.QALead, "ops": gonogo.Ops, "rm": gonogo.ReleaseManager} {
		s.vote(t, rel.ID, name, role, gonogo.VoteGo, "")
	}
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	s.move(t, rel.ID, gonogo.StartDeploy)
	s.move(t, rel.ID, gonogo.FinishDeploy)
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.Phase == gonogo.Verification && it.CheckKey != gonogo.PostReleaseReviewKey {
			if _, err := s.store.UpdateItem(t.Context(), s.rmActor(), rel.ID, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	_, record := rm.get(page + "/decisions/1")
	if got := text(record, `[data-testid="decision-record"] [data-testid="kind-chip"]`); got != "Hotfix" {
		t.Fatalf("the decision record shows the kind %q", got)
	}
	if _, md := rm.getText(page + "/decisions/1.md"); !strings.Contains(md, "**Kind:** hotfix") {
		t.Fatal("the minutes do not say it is a hotfix")
	}
	rm.get(page)
	res := rm.post(page+"/transitions", url.Values{"transition": {"mark-released"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusConflict)
	if got := text(parse(t, res), `[data-testid="transition-refused"]`); !strings.Contains(got, "Record the post-release review first, due") {
		t.Fatalf("the refusal does not ask for the review: %q", got)
	}
	_, board := rm.get("/")
	if board.Find(`[data-testid="overdue-review"]`).Length() != 0 {
		t.Fatal("a review not yet due shows as overdue")
	}

	now = now.AddDate(0, 0, gonogo.DefaultReviewDays+1)
	rm = s.signIn(t, "rm") // days later, a new session
	rm.get(page)
	wantStatus(t, rm.post(page+"/transitions", url.Values{"transition": {"mark-released"}, "confirm": {"1"}}), http.StatusSeeOther)
	_, board = rm.get("/")
	row := board.Find(`[data-testid="overdue-reviews"] [data-testid="overdue-review"]`)
	if row.Length() != 1 || row.AttrOr("data-release", "") != "payments 2.4.1" {
		t.Fatalf("the board lists %d overdue reviews, want the released hotfix", row.Length())
	}
	if board.Find(`[data-release="payments 2.4.1"][data-testid="release-card"] [data-testid="review-overdue"]`).Length() != 1 {
		t.Fatal("the hotfix's card is not flagged as overdue")
	}
	_, doc := rm.get(page)
	if doc.Find(`[data-testid="release-review-due"] [data-testid="review-overdue"]`).Length() != 1 {
		t.Fatal("the release page does not say the review is overdue")
	}
}

func TestAdminSetsAKindPolicyAudited(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "1.0.0")
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/products/payments")
	if doc.Find(`[data-testid="policy-form-hotfix"]`).Length() != 1 || doc.Find(`[data-testid="policy-form-standard"]`).Length() != 1 {
		t.Fatal("the product page offers no policy form per kind")
	}
	res := admin.post("/products/payments/policy/hotfix", url.Values{"roles": {"qa-lead"}, "min_voters": {"1"}, "template": {"short"}, "review_days": {"0"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	for _, f := range []string{"roles", "min_voters", "template", "review_days"} {
		if text(doc, `[data-testid="policy-form-hotfix"] [data-testid="error-`+f+`"]`) == "" {
			t.Errorf("no message next to %s", f)
		}
	}
	if doc.Find(`[data-testid="policy-form-hotfix"] input[name="roles"][value="qa-lead"][checked]`).Length() != 1 {
		t.Error("the refused form lost what was sent")
	}
	admin.get("/products/payments")
	res = admin.post("/products/payments/policy/hotfix", url.Values{"roles": {"engineering-lead", "qa-lead", "ops"}, "min_voters": {"3"},
		"template": {"hotfix"}, "review_days": {"2"}})
	wantStatus(t, res, http.StatusSeeOther)
	ev := s.lastEvents(t, 1)[0]
	if ev.Action != string(gonogo.ActionProductPolicy) || !strings.Contains(ev.Detail, "3 people must vote Go") {
		t.Fatalf("last event %s %q, want the policy's", ev.Action, ev.Detail)
	}
	_, doc = admin.get("/products/payments")
	if got := text(doc, `[data-testid="policy-hotfix"] [data-testid="policy-summary"]`); !strings.Contains(got, "within 2 days") {
		t.Fatalf("the page shows the hotfix policy as %q", got)
	}
	rel, err := s.store.CreateRelease(t.Context(), gonogo.SystemActor, gonogo.ReleaseInput{Product: "payments", Version: "1.0.1", Title: "Fix", Kind: gonogo.KindHotfix})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := s.store.FindSnapshot(t.Context(), rel.ID)
	found := false
	for _, r := range gonogo.Evaluate(snap).Reasons {
		if r.Kind == gonogo.ReasonQuorum && strings.Contains(r.Text, "at least three people") {
			found = true
		}
	}
	if !found {
		t.Fatal("the gate does not ask for the policy's three Go voters")
	}
}
