package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// mapGroup maps group to gives ("qa-lead", "admin") for product ("" for
// every product) as the admin, through the page's form.
func mapGroup(t *testing.T, admin *client, group, gives, product string) {
	t.Helper()
	admin.get("/admin/sign-in")
	wantStatus(t, admin.post("/admin/sign-in/mappings", url.Values{"group": {group}, "role": {gives}, "product": {product}}),
		http.StatusSeeOther)
}

// mappingRows are the mappings the admin page lists, as group → gives.
func mappingRows(doc *goquery.Document) []string {
	var out []string
	doc.Find("[data-testid=mapping]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-group", "")+" → "+s.AttrOr("data-gives", ""))
	})
	return out
}

// Admin → Sign-in says what to register at the provider and maps groups;
// bad input is refused at its field, with nothing stored.
func TestAdminMapsGroups(t *testing.T) {
	p := newTestProvider(t)
	s := newOIDCServer(t, p)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	res, doc := admin.get("/admin/sign-in")
	wantStatus(t, res, http.StatusOK)
	if got := text(doc, "[data-testid=provider-issuer] code"); got != p.issuer() {
		t.Errorf("issuer shown: %q", got)
	}
	if got := text(doc, "[data-testid=provider-redirect]"); got != s.URL+"/auth/callback" {
		t.Errorf("redirect URL shown: %q", got)
	}
	if got := text(doc, "[data-testid=provider-claim]"); got != "groups" {
		t.Errorf("groups claim shown: %q", got)
	}
	if doc.Find(`nav[aria-label=Administration] a[href="/admin/sign-in"].current`).Length() != 1 {
		t.Error("the admin tabs have no current Sign-in tab")
	}

	mapGroup(t, admin, "payments-qa", "qa-lead", "payments")
	mapGroup(t, admin, "gonogo-admins", "admin", "")
	_, doc = admin.get("/admin/sign-in")
	if got := mappingRows(doc); !slices.Equal(got, []string{"gonogo-admins → admin", "payments-qa → qa-lead@payments"}) {
		t.Fatalf("mappings listed: %q", got)
	}
	if acts := recentActions(t, s, 1); acts[0] != `signin.map: mapped group "gonogo-admins" to admin` {
		t.Errorf("audit: %q", acts)
	}

	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
		says  string
	}{
		{"no group", url.Values{"group": {" "}, "role": {"ops"}}, "group", "Group is required"},
		{"unknown role", url.Values{"group": {"x"}, "role": {"chef"}}, "role", `unknown role "chef"`},
		{"unknown product", url.Values{"group": {"x"}, "role": {"ops"}, "product": {"nowhere"}}, "product", `there is no product "nowhere"`},
		{"admin for one product", url.Values{"group": {"x"}, "role": {"admin"}, "product": {"payments"}}, "product", "whole board"},
		{"mapped twice", url.Values{"group": {"payments-qa"}, "role": {"qa-lead"}, "product": {"payments"}}, "group", "already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := admin.post("/admin/sign-in/mappings", tc.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := mustParse(t, res)
			if got := text(doc, "[data-testid=error-"+tc.field+"]"); !strings.Contains(strings.ToLower(got), strings.ToLower(tc.says)) {
				t.Errorf("error at %s: %q, want %q", tc.field, got, tc.says)
			}
			if got := doc.Find(`input[name=group]`).AttrOr("value", ""); got != strings.TrimSpace(tc.form.Get("group")) && tc.field != "group" {
				t.Errorf("the form lost the group typed: %q", got)
			}
			if n := len(mappingRows(doc)); n != 2 {
				t.Errorf("%d mappings after a refusal", n)
			}
		})
	}

	// Removing a mapping is audited; removing it again finds it gone.
	_, doc = admin.get("/admin/sign-in")
	action := doc.Find(`[data-group=payments-qa] form`).AttrOr("action", "")
	wantStatus(t, admin.post(action, nil), http.StatusSeeOther)
	wantStatus(t, admin.post(action, nil), http.StatusSeeOther)
	_, doc = admin.get("/admin/sign-in")
	if got := mappingRows(doc); !slices.Equal(got, []string{"gonogo-admins → admin"}) {
		t.Errorf("mappings after a removal: %q", got)
	}
	if acts := recentActions(t, s, 2); acts[0] != `signin.unmap: removed the mapping of group "payments-qa" to qa-lead@payments` ||
		!strings.HasPrefix(acts[1], "signin.map") {
		t.Errorf("audit: %q", acts)
	}

	// Nobody but an admin sees or changes the mappings.
	qa := s.signIn(t, "qa")
	res, _ = qa.get("/admin/sign-in")
	wantStatus(t, res, http.StatusForbidden)
	wantStatus(t, qa.post("/admin/sign-in/mappings", url.Values{"group": {"qa"}, "role": {"admin"}}), http.StatusForbidden)
}

// Without a provider the page says so, and mappings can be made ahead.
func TestAdminSignInWithoutProvider(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/sign-in")
	if got := text(doc, "[data-testid=provider-issuer]"); !strings.Contains(got, "None configured") {
		t.Errorf("provider shown: %q", got)
	}
	mapGroup(t, admin, "sre", "ops", "")
}

// The Sign-in page, as it is and refusing a mapping, is strict HTML.
func TestSignInAdminIsStrictHTML(t *testing.T) {
	p := newTestProvider(t)
	s := newOIDCServer(t, p)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	mapGroup(t, admin, "payments-qa", "qa-lead", "payments")
	_, page := admin.getText("/admin/sign-in")
	res := admin.post("/admin/sign-in/mappings", url.Values{"group": {""}, "role": {"chef"}, "product": {"nowhere"}})
	refused, _ := io.ReadAll(res.Body)
	for name, body := range map[string][]byte{"page": []byte(page), "refused": refused} {
		for _, problem := range htmlProblems(body) {
			t.Errorf("%s: %s", name, problem)
		}
	}
}

// opMember is a person at the provider in groups, kept apart from the
// shared people so that a test can change their groups.
func opMember(groups ...string) opUser {
	u := opAna
	u.groups = groups
	return u
}

// setGroups changes a person's groups at the provider.
func setGroups(p *testProvider, username string, groups ...string) {
	p.set(func(p *testProvider) { p.users[username].groups = groups })
}

// grantsOf returns what the person with email holds, as the trail writes it.
func grantsOf(t *testing.T, s *testServer, email string) (string, bool) {
	t.Helper()
	u, ok := userByEmail(t, s, email)
	if !ok {
		t.Fatalf("no account for %s", email)
	}
	return u.Grants.Text(), u.Admin
}

// Roles follow the provider's groups from one sign-in to the next: given
// at the first, marked as a group's on the person page, taken when the
// group goes; a role given by hand stays.
func TestGroupRolesFollowTheProvider(t *testing.T) {
	p := newTestProvider(t, opMember("payments-qa", "everyone"))
	s := newOIDCServer(t, p)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	mapGroup(t, admin, "payments-qa", "qa-lead", "payments")
	mapGroup(t, admin, "everyone", "ops", "")
	mapGroup(t, admin, "nobody-here", "support-lead", "")

	wantStatus(t, oidcSignIn(t, s.client(t), p, opAna), http.StatusSeeOther)
	if got, _ := grantsOf(t, s, "ana@example.com"); got != "qa-lead@payments, ops" {
		t.Fatalf("after the first sign-in Ana holds %s", got)
	}
	events, _ := s.store.FindEvents(t.Context(), 3)
	if e := events[1]; e.Action != "user.groups" || e.Detail != "roles from groups: +qa-lead@payments, +ops" || e.Actor != "Ana Payments" {
		t.Errorf("audit of the roles given: %+v", e)
	}

	// The person page shows them as the groups', not as boxes to untick.
	ana, _ := userByEmail(t, s, "ana@example.com")
	page := "/admin/users/" + itoa(ana.ID)
	_, doc := admin.get(page)
	if got := text(doc, `[data-testid=group-role][data-grant="qa-lead@payments"]`); !strings.Contains(got, "from group payments-qa") {
		t.Errorf("the person page says of QA lead for payments: %q", got)
	}
	if doc.Find(`input[value="qa-lead@payments"][checked], input[name=roles][value=ops][checked]`).Length() != 0 {
		t.Error("a role a group gave is a ticked box of the form")
	}
	// The Sign-in page lists the groups people brought, and which are mapped.
	_, doc = admin.get("/admin/sign-in")
	if got := text(doc, `[data-testid=seen-group][data-group=everyone]`); !strings.Contains(got, "1") || strings.Contains(got, "not mapped") {
		t.Errorf("the page says of the group everyone: %q", got)
	}
	// The admin gives Ana support by hand, and ops by hand too.
	form := url.Values{"name": {"Ana Payments"}, "roles": {"support-lead", "ops"}, "product-roles": {"1"}}
	wantStatus(t, admin.post(page, form), http.StatusSeeOther)
	if got, _ := grantsOf(t, s, "ana@example.com"); got != "qa-lead@payments, ops, support-lead" {
		t.Fatalf("after the admin's save Ana holds %s", got)
	}

	// At the provider Ana leaves both groups: the group's role goes at the
	// next sign-in, the roles given by hand stay.
	setGroups(p, "ana")
	wantStatus(t, oidcSignIn(t, s.client(t), p, opAna), http.StatusSeeOther)
	if got, _ := grantsOf(t, s, "ana@example.com"); got != "ops, support-lead" {
		t.Fatalf("after leaving the groups Ana holds %s", got)
	}
	if acts := recentActions(t, s, 2); acts[1] != "user.groups: roles from groups: -qa-lead@payments" {
		t.Errorf("audit: %q", acts)
	}
	// A sign-in that changes nothing writes no roles event.
	wantStatus(t, oidcSignIn(t, s.client(t), p, opAna), http.StatusSeeOther)
	if acts := recentActions(t, s, 2); !strings.HasPrefix(acts[1], "user.signin") {
		t.Errorf("a sign-in without change audited %q", acts[1])
	}
}

// A group mapped to admin makes its members admins and takes it away when
// they leave, but never from the board's last enabled admin, and never a
// flag given by hand.
func TestGroupGivesAdmin(t *testing.T) {
	opAdmin := opUser{id: "sub-admin", username: "boss", password: "boss's provider password", email: "admin@example.com",
		verified: true, name: "Admin at the provider", groups: []string{"gonogo-admins"}}
	p := newTestProvider(t, opMember("gonogo-admins"), opAdmin)
	s := newOIDCServer(t, p)
	admin := s.signIn(t, "admin")
	mapGroup(t, admin, "gonogo-admins", "admin", "")

	c := s.client(t)
	wantStatus(t, oidcSignIn(t, c, p, opAna), http.StatusSeeOther)
	if _, isAdmin := grantsOf(t, s, "ana@example.com"); !isAdmin {
		t.Fatal("the group did not make Ana an admin")
	}
	res, _ := c.get("/admin/users")
	wantStatus(t, res, http.StatusOK)
	// The person page says so; saving it leaves the flag to the group.
	ana, _ := userByEmail(t, s, "ana@example.com")
	page := "/admin/users/" + itoa(ana.ID)
	_, doc := admin.get(page)
	if got := text(doc, "[data-testid=group-admin]"); !strings.Contains(got, "from group gonogo-admins") {
		t.Errorf("the person page says of Ana's admin flag: %q", got)
	}
	if doc.Find(`[data-testid=user-form] input[name=admin]`).Length() != 0 {
		t.Error("the admin flag a group gave is a box on the form")
	}
	wantStatus(t, admin.post(page, url.Values{"name": {"Ana P."}}), http.StatusSeeOther)
	if _, isAdmin := grantsOf(t, s, "ana@example.com"); !isAdmin {
		t.Fatal("saving Ana's page took the admin flag her group gave")
	}

	// The hand-made admin is in the group too: leaving it changes nothing.
	wantStatus(t, oidcSignIn(t, s.client(t), p, opAdmin), http.StatusSeeOther)
	setGroups(p, "boss")
	wantStatus(t, oidcSignIn(t, s.client(t), p, opAdmin), http.StatusSeeOther)
	if _, isAdmin := grantsOf(t, s, "admin@example.com"); !isAdmin {
		t.Fatal("leaving the group took a hand-given admin flag")
	}

	// With the hand-made admin disabled, Ana is the last: she keeps it.
	disabled := true
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["admin"].ID, gonogo.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	setGroups(p, "ana")
	wantStatus(t, oidcSignIn(t, s.client(t), p, opAna), http.StatusSeeOther)
	if _, isAdmin := grantsOf(t, s, "ana@example.com"); !isAdmin {
		t.Fatal("the board's last enabled admin lost the flag")
	}
	if acts := recentActions(t, s, 2); !strings.Contains(acts[1], "kept admin, which no group gives any more") {
		t.Errorf("audit: %q", acts)
	}
	// Once another admin is back, the next sign-in takes it.
	enabled := false
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["admin"].ID, gonogo.UserUpdate{Disabled: &enabled}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, oidcSignIn(t, s.client(t), p, opAna), http.StatusSeeOther)
	if _, isAdmin := grantsOf(t, s, "ana@example.com"); isAdmin {
		t.Fatal("Ana is still an admin after leaving the group")
	}
	if acts := recentActions(t, s, 2); acts[1] != "user.groups: roles from groups: -admin" {
		t.Errorf("audit: %q", acts)
	}
}

// The person page's boxes for every product tick the roles held for every
// product only: a role held for one product is ticked in its own table,
// and saving the page unchanged keeps it for that product.
func TestPersonPageTicksEveryProductRolesOnly(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	u := s.mustCreateUser(t, "paula", nil, false)
	admin := s.signIn(t, "admin")
	page := "/admin/users/" + itoa(u.ID)
	wantStatus(t, admin.post(page, url.Values{"name": {"Paula"}, "product-roles": {"1"}, "grants": {"qa-lead@payments"}}), http.StatusSeeOther)
	_, doc := admin.get(page)
	if doc.Find(`input[name=roles][value=qa-lead][checked]`).Length() != 0 {
		t.Error("the box for QA lead on every product is ticked for a QA lead of payments only")
	}
}
