package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// mustScopedUser adds a person holding each of grants, for its product only.
func (s *testServer) mustScopedUser(t *testing.T, name string, grants ...gonogo.Grant) gonogo.User {
	t.Helper()
	u, err := s.store.CreateUser(t.Context(), gonogo.SystemActor, gonogo.NewUser{
		Email: name + "@example.com", Name: strings.ToUpper(name[:1]) + name[1:] + " Tester",
		Password: testPassword, Products: grants,
	})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// regrant gives the named test user exactly grants: none for every product.
func (s *testServer) regrant(t *testing.T, name string, grants ...gonogo.Grant) {
	t.Helper()
	none, scoped := gonogo.RoleSet{}, gonogo.Grants(grants)
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users[name].ID, db.UserUpdate{Roles: &none, Products: &scoped}); err != nil {
		t.Fatal(err)
	}
}

// cardOf is the board card of the release named name ("payments 2.4.0").
func cardOf(doc *goquery.Document, name string) *goquery.Selection {
	return doc.Find(`[data-testid=release-card][data-release="` + name + `"]`)
}

// A required role that nobody enabled holds for the release's product is
// shown as a reason of its own, on the board's card and in the release
// page's gate, linking to the product's team; it goes once someone is given
// the role for the product, and a disabled holder does not fill it.
func TestGapShowsOnTheCardAndTheGate(t *testing.T) {
	s := newServer(t)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	shop := s.mustCreateRelease(t, "storefront", "5.0.0")
	s.move(t, pay.ID, gonogo.OpenReview)
	s.move(t, shop.ID, gonogo.OpenReview)
	s.regrant(t, "support", gonogo.Grant{Role: gonogo.SupportLead, Product: "storefront"})
	const want = "No one can sign as Support lead for payments: add one under Products → payments"

	rm := s.signIn(t, "rm")
	_, doc := rm.get("/")
	gap := cardOf(doc, "payments 2.4.0").Find(`[data-testid=card-gap]`)
	if got := strings.TrimSpace(gap.Text()); got != want {
		t.Fatalf("payments' card shows the gap %q, want %q", got, want)
	}
	if href := gap.Find("a").AttrOr("href", ""); href != "/products/payments" {
		t.Errorf("the card's gap links to %q", href)
	}
	if n := cardOf(doc, "storefront 5.0.0").Find(`[data-testid=card-gap]`).Length(); n != 0 {
		t.Errorf("storefront's card shows %d gaps", n)
	}

	_, doc = rm.get("/releases/" + itoa(pay.ID))
	reason := doc.Find(`[data-testid=gate-reasons] li[data-kind=gap]`)
	if got := strings.TrimSpace(reason.Text()); got != want {
		t.Fatalf("the gate shows the gap %q, want %q", got, want)
	}
	if href := reason.Find("a").AttrOr("href", ""); href != "/products/payments" {
		t.Errorf("the gate's gap links to %q", href)
	}
	if n := doc.Find(`[data-testid=gate-reasons] li[data-kind=role]`).Length(); n != 5 {
		t.Errorf("the gate lists %d roles still to sign, want the 5 that someone holds", n)
	}
	// The panel waits on the roles someone holds, and names the gap with
	// who can fill it; nudging a role nobody holds is refused, in place.
	if got := doc.Find(`[data-testid=waiting-role]`).Text(); strings.Contains(got, "support") {
		t.Errorf("the panel waits on %q", got)
	}
	if got := strings.Join(strings.Fields(text(doc, `[data-testid=unstaffed]`)), " "); got != "No one can sign as Support lead for payments: add one under Products → payments" {
		t.Errorf("the panel's gap reads %q", got)
	}
	if got := text(doc, `[data-role=support-lead] [data-testid=vote]`); got != "No one holds it" {
		t.Errorf("the support lead's row says %q", got)
	}
	if doc.Find(`[data-testid=nudge-support-lead]`).Length() != 0 || doc.Find(`[data-testid=nudge-qa-lead]`).Length() != 1 {
		t.Error("the nudge buttons are not those of the roles someone holds")
	}
	res := rm.post("/releases/"+itoa(pay.ID)+"/nudge", url.Values{"role": {"support-lead"}})
	wantStatus(t, res, http.StatusConflict)
	doc = parse(t, res)
	if got := text(doc, `[data-testid=nudge-refused]`); !strings.Contains(got, "No one holds the Support lead role for payments, so a nudge would reach nobody") {
		t.Errorf("the refused nudge says %q", got)
	}

	// A disabled holder fills no gap; an enabled one does.
	off := true
	paula := s.mustScopedUser(t, "paula", gonogo.Grant{Role: gonogo.SupportLead, Product: "payments"})
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), paula.ID, db.UserUpdate{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	_, doc = rm.get("/releases/" + itoa(pay.ID))
	if doc.Find(`[data-testid=gate-reasons] li[data-kind=gap]`).Length() != 1 {
		t.Error("a disabled support lead for payments fills the gap")
	}
	s.mustScopedUser(t, "petra", gonogo.Grant{Role: gonogo.SupportLead, Product: "payments"})
	_, doc = rm.get("/releases/" + itoa(pay.ID))
	if n := doc.Find(`[data-testid=gate-reasons] li[data-kind=gap]`).Length(); n != 0 {
		t.Errorf("the gate still shows %d gaps", n)
	}
	_, doc = rm.get("/")
	if n := cardOf(doc, "payments 2.4.0").Find(`[data-testid=card-gap]`).Length(); n != 0 {
		t.Errorf("the card still shows %d gaps", n)
	}
}

// The sign-off panel tells the reader which roles they sign for here, and
// why not where they hold a role for other products only.
func TestSignoffPanelSaysWhichRoleYouSign(t *testing.T) {
	s := newServer(t)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	shop := s.mustCreateRelease(t, "storefront", "5.0.0")
	s.move(t, pay.ID, gonogo.OpenReview)
	s.move(t, shop.ID, gonogo.OpenReview)
	s.mustCreateRelease(t, "mobile", "1.0.0")
	s.mustScopedUser(t, "paula", gonogo.Grant{Role: gonogo.QALead, Product: "storefront"})
	s.mustScopedUser(t, "mo", gonogo.Grant{Role: gonogo.QALead, Product: "payments"},
		gonogo.Grant{Role: gonogo.Ops, Product: "storefront"}, gonogo.Grant{Role: gonogo.Ops, Product: "mobile"})
	tests := []struct {
		name, who string
		release   int64
		want      string // "" for no sentence at all
	}{
		{"a role for every product", "qa", pay.ID, "You sign here as QA lead."},
		{"a role for this product", "paula", shop.ID, "You sign here as QA lead."},
		{"a role for another product only", "paula", pay.ID,
			"You hold QA lead for storefront only: on payments, someone who holds it for payments signs."},
		{"one role here, another elsewhere", "mo", pay.ID,
			"You sign here as QA lead. You hold Ops for mobile and storefront only: on payments, someone who holds it for payments signs."},
		{"no role that signs", "admin", pay.ID, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, doc := s.signIn(t, tc.who).get("/releases/" + itoa(tc.release))
			wantStatus(t, res, http.StatusOK)
			note := doc.Find(`[data-testid=signoffs] [data-testid=signer-note]`)
			if tc.want == "" {
				if note.Length() != 0 {
					t.Fatalf("the panel says %q to someone who signs nothing", note.Text())
				}
				return
			}
			if got := strings.Join(strings.Fields(note.Text()), " "); got != tc.want {
				t.Fatalf("the panel says %q, want %q", got, tc.want)
			}
		})
	}
}
