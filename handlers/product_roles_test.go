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
	// Her profile says which product her role is for.
	if _, doc := paula.get("/profile"); !strings.Contains(doc.Find(`[data-testid=my-roles]`).Text(), "QA lead · payments") {
		t.Errorf("Paula's profile lists her roles as %q", doc.Find(`[data-testid=my-roles]`).Text())
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

// An admin gives a person a role for one product on the person's page: the
// form lists the products, and what is ticked is what the person holds.
func TestAdminGivesARoleForOneProduct(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "storefront", "5.0.0")
	u := s.mustCreateUser(t, "paula", gonogo.RoleSet{gonogo.Ops}, false)
	admin := s.signIn(t, "admin")
	page := "/admin/users/" + itoa(u.ID)
	_, doc := admin.get(page)
	box := doc.Find(`[data-testid=product-roles] input[value="qa-lead@payments"]`)
	if box.Length() != 1 || box.AttrOr("aria-label", "") != "QA lead for payments" {
		t.Fatalf("the form's checkbox for QA lead on payments: %d", box.Length())
	}
	form := url.Values{"name": {"Paula"}, "roles": {"ops"}, "product-roles": {"1"}, "grants": {"qa-lead@payments", "support-lead@storefront"}}
	wantStatus(t, admin.post(page, form), http.StatusSeeOther)
	got, _ := s.store.FindUser(t.Context(), u.ID)
	if got.Grants.Text() != "qa-lead@payments, ops, support-lead@storefront" {
		t.Fatalf("Paula holds %s", got.Grants.Text())
	}
	_, doc = admin.get(page)
	if doc.Find(`input[value="qa-lead@payments"][checked]`).Length() != 1 {
		t.Error("the form does not show the role Paula holds for payments")
	}
	_, doc = admin.get("/admin/users")
	if !strings.Contains(doc.Find(`[data-email="paula@example.com"]`).Text(), "QA lead · payments") {
		t.Error("the people list does not say which product Paula's QA lead role is for")
	}
	// A form that does not show the products (a script's post) leaves
	// those roles as they are.
	wantStatus(t, admin.post(page, url.Values{"name": {"Paula"}, "roles": {"ops", "qa-lead"}}), http.StatusSeeOther)
	got, _ = s.store.FindUser(t.Context(), u.ID)
	if got.Grants.Text() != "qa-lead, ops, support-lead@storefront" {
		t.Errorf("after a post of roles alone Paula holds %s", got.Grants.Text())
	}
	// A product nobody made is refused.
	res := admin.post(page, url.Values{"name": {"Paula"}, "product-roles": {"1"}, "grants": {"ops@nowhere"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a role for no product: %d", res.StatusCode)
	}
}
