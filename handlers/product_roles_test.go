package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// A QA lead for payments signs payments' releases through the real
// server, and is refused on storefront's, with the reason.
func TestSigningNeedsTheRoleForTheReleasesProduct(t *testing.T) {
	s := newServer(t)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	shop := s.mustCreateRelease(t, "storefront", "5.0.0")
	s.move(t, pay.ID, gonogo.OpenReview)
	s.move(t, shop.ID, gonogo.OpenReview)
	u := s.mustCreateUser(t, "paula", nil, false)
	scoped := gonogo.Grants{{Role: gonogo.QALead, Product: "payments"}}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), u.ID, db.UserUpdate{Products: &scoped}); err != nil {
		t.Fatal(err)
	}
	paula := s.signIn(t, "paula")
	vote := url.Values{"role": {"qa-lead"}, "value": {"go"}, "comment": {"Regression suite green."}}
	wantStatus(t, paula.post("/releases/"+itoa(pay.ID)+"/votes", vote), http.StatusSeeOther)
	res := paula.post("/releases/"+itoa(shop.ID)+"/votes", vote)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "QA lead") {
		t.Fatalf("a vote on storefront: %d %s", res.StatusCode, body)
	}
	votes, _ := s.store.FindVotes(t.Context(), shop.ID)
	if len(votes) != 0 {
		t.Fatalf("storefront holds %d votes", len(votes))
	}
	// The release page offers the sign-off form on payments only.
	_, doc := paula.get("/releases/" + itoa(pay.ID))
	if doc.Find(`#role-qa-lead form[action$="/votes"]`).Length() == 0 {
		t.Error("payments' page offers Paula no form to sign as QA lead")
	}
	_, doc = paula.get("/releases/" + itoa(shop.ID))
	if doc.Find(`#role-qa-lead form[action$="/votes"]`).Length() != 0 {
		t.Error("storefront's page offers Paula a form to sign as QA lead")
	}
}
