package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// lastEvents returns the newest n events of the trail, newest first.
func (s *testServer) lastEvents(t *testing.T, n int) []gonogo.Event {
	t.Helper()
	events, err := s.store.FindEvents(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func (s *testServer) mustProduct(t *testing.T, key string) gonogo.Product {
	t.Helper()
	p, err := s.store.FindProduct(t.Context(), key)
	if err != nil {
		t.Fatalf("product %s: %v", key, err)
	}
	return p
}

// An admin creates, edits, archives and puts back a product on Admin →
// Products, each change stored and audited.
func TestAdminManagesProducts(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	res, doc := admin.get("/admin/products")
	wantStatus(t, res, http.StatusOK)
	if doc.Find(`[data-testid=product-row][data-key=payments]`).Length() != 1 {
		t.Fatal("the list does not show payments")
	}
	if doc.Find(`nav a[href="/admin/products"].current`).Length() != 1 {
		t.Error("the admin tabs do not mark Products")
	}

	res = admin.post("/admin/products", url.Values{"key": {"Ledger"}, "name": {"Ledger"},
		"description": {"Double-entry books."}, "owner_team": {"Finance platform"}})
	wantStatus(t, res, http.StatusSeeOther)
	p := s.mustProduct(t, "ledger")
	if p.Name != "Ledger" || p.OwnerTeam != "Finance platform" || p.Description != "Double-entry books." || p.Archived() {
		t.Fatalf("stored %+v", p)
	}
	if e := s.lastEvents(t, 1)[0]; e.Action != string(gonogo.ActionProductCreate) || e.ActorID != s.users["admin"].ID {
		t.Errorf("event = %+v", e)
	}

	_, doc = admin.get("/admin/products/ledger")
	if v, _ := doc.Find(`[data-testid=product-edit] input[name=name]`).Attr("value"); v != "Ledger" {
		t.Fatalf("the edit form shows name %q", v)
	}
	if doc.Find(`[data-testid=product-edit] input[name=key]`).Length() != 0 {
		t.Error("the edit form offers to change the key")
	}
	res = admin.post("/admin/products/ledger", url.Values{"name": {"General ledger"}, "description": {""}, "owner_team": {"Finance"}})
	wantStatus(t, res, http.StatusSeeOther)
	if p := s.mustProduct(t, "ledger"); p.Name != "General ledger" || p.OwnerTeam != "Finance" || p.Description != "" {
		t.Fatalf("after the edit: %+v", p)
	}
	if e := s.lastEvents(t, 1)[0]; e.Action != string(gonogo.ActionProductUpdate) {
		t.Errorf("event = %+v", e)
	}

	// Archiving says what it does, and asks nothing: it is undone as easily.
	_, doc = admin.get("/admin/products/ledger")
	if got := text(doc, `[data-testid=product-archive]`); !strings.Contains(got, "its releases stay readable; it takes no new releases") {
		t.Errorf("the archive form says %q", got)
	}
	res = admin.post("/admin/products/ledger/archive", url.Values{"archived": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if !s.mustProduct(t, "ledger").Archived() {
		t.Fatal("not archived")
	}
	if e := s.lastEvents(t, 1)[0]; e.Action != string(gonogo.ActionProductArchive) {
		t.Errorf("event = %+v", e)
	}
	_, doc = admin.get("/admin/products")
	rows := doc.Find(`[data-testid=product-row]`)
	if last := rows.Last(); last.AttrOr("data-key", "") != "ledger" || last.Find(`[data-testid=product-archived]`).Length() != 1 {
		t.Errorf("the archived product is not last and marked: %q", last.Text())
	}
	if got := text(doc, `[data-testid=product-row][data-key=payments] [data-testid=product-releases]`); got != "1" {
		t.Errorf("payments shows %q releases", got)
	}
	_, doc = admin.get("/admin/products/ledger")
	if doc.Find(`[data-testid=product-archive] button`).Text() != "Put back in use" {
		t.Errorf("the archived product's button reads %q", doc.Find(`[data-testid=product-archive] button`).Text())
	}
	wantStatus(t, admin.post("/admin/products/ledger/archive", url.Values{"archived": {"0"}}), http.StatusSeeOther)
	if s.mustProduct(t, "ledger").Archived() {
		t.Fatal("still archived")
	}
	wantStatus(t, admin.get404("/admin/products/nope"), http.StatusNotFound)
}

func (c *client) get404(path string) *http.Response {
	res, _ := c.get(path)
	return res
}

// Bad input is answered with a 422, every problem at its field, and
// nothing stored.
func TestProductFormsRefuseBadInput(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	admin.get("/admin/products")
	before := len(s.lastEvents(t, 1000))

	res := admin.post("/admin/products", url.Values{"key": {"No Spaces!"}, "name": {""},
		"owner_team": {strings.Repeat("x", gonogo.MaxTeamLen+1)}, "description": {"kept"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	for _, field := range []string{"key", "name", "owner_team"} {
		if doc.Find(`[data-testid=product-create] [data-testid=error-`+field+`]`).Length() != 1 {
			t.Errorf("no message at %s", field)
		}
	}
	if v, _ := doc.Find(`[data-testid=product-create] textarea[name=description]`).Html(); v != "kept" {
		t.Errorf("the description was not kept: %q", v)
	}
	res = admin.post("/admin/products", url.Values{"key": {"payments"}, "name": {"Payments again"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), `[data-testid=error-key]`); !strings.Contains(got, "already exists") {
		t.Errorf("a used key: %q", got)
	}

	res = admin.post("/admin/products/payments", url.Values{"name": {" "}, "owner_team": {"Payments"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if parse(t, res).Find(`[data-testid=product-edit] [data-testid=error-name]`).Length() != 1 {
		t.Error("no message at the name")
	}
	if p := s.mustProduct(t, "payments"); p.Name != "payments" || p.OwnerTeam != "" {
		t.Errorf("a refused edit changed %+v", p)
	}
	wantStatus(t, admin.post("/admin/products/payments/archive", url.Values{"archived": {"maybe"}}), http.StatusUnprocessableEntity)
	if after := len(s.lastEvents(t, 1000)); after != before {
		t.Errorf("refused changes wrote %d events", after-before)
	}
}

// Only admins manage products; everyone signed in reads a product's page.
func TestProductAdminIsAdminsOnly(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/")
	res, _ := rm.get("/admin/products")
	wantStatus(t, res, http.StatusForbidden)
	_ = doc
	wantStatus(t, rm.post("/admin/products", url.Values{"key": {"ledger"}, "name": {"Ledger"}}), http.StatusForbidden)
	wantStatus(t, rm.post("/admin/products/payments/archive", url.Values{"archived": {"1"}}), http.StatusForbidden)
	if _, err := s.store.FindProduct(t.Context(), "ledger"); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Errorf("a refused create made ledger: %v", err)
	}
	if s.mustProduct(t, "payments").Archived() {
		t.Error("a refused archive archived payments")
	}
	res, _ = rm.get("/products/payments")
	wantStatus(t, res, http.StatusOK)
}

// The product page lists its team by role: who holds each role for the
// product, who for every product, and the roles no one holds, with a way
// to fix that for admins.
func TestProductPageShowsTeamAndGaps(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "storefront", "5.0.0")
	admin := s.signIn(t, "admin")
	admin.get("/admin/products/payments")
	wantStatus(t, admin.post("/admin/products/payments", url.Values{"name": {"Payments"}, "description": {"Cards and refunds."},
		"owner_team": {"Team Money"}}), http.StatusSeeOther)
	paula := s.mustCreateUser(t, "paula", nil, false)
	scoped := gonogo.Grants{{Role: gonogo.QALead, Product: "payments"}}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), paula.ID, db.UserUpdate{Products: &scoped}); err != nil {
		t.Fatal(err)
	}
	// The support lead holds the role for storefront only: payments has none.
	support := gonogo.Grants{{Role: gonogo.SupportLead, Product: "storefront"}}
	none := gonogo.RoleSet{}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["support"].ID, db.UserUpdate{Roles: &none, Products: &support}); err != nil {
		t.Fatal(err)
	}

	eng := s.signIn(t, "eng")
	res, doc := eng.get("/products/payments")
	wantStatus(t, res, http.StatusOK)
	if text(doc, `[data-testid=product-name]`) != "Payments" || text(doc, `[data-testid=product-owner-team]`) != "Team Money" {
		t.Errorf("name %q, team %q", text(doc, `[data-testid=product-name]`), text(doc, `[data-testid=product-owner-team]`))
	}
	qa := doc.Find(`[data-testid=team-role][data-role=qa-lead]`)
	own := qa.Find(`[data-testid=holder][data-user="` + itoa(paula.ID) + `"]`)
	all := qa.Find(`[data-testid=holder][data-user="` + itoa(s.users["qa"].ID) + `"]`)
	if own.Length() != 1 || own.Find(`[data-testid=all-products]`).Length() != 0 {
		t.Errorf("paula, QA lead for payments: %q", own.Text())
	}
	if all.Length() != 1 || all.Find(`[data-testid=all-products]`).Length() != 1 {
		t.Errorf("the QA lead of every product: %q", all.Text())
	}
	gap := doc.Find(`[data-testid=team-role][data-role=support-lead] [data-testid=team-gap]`)
	if !strings.Contains(gap.Text(), "No one holds Support lead for Payments") {
		t.Errorf("the support lead's gap reads %q", gap.Text())
	}
	if gap.Find(`a`).Length() != 0 {
		t.Error("a non-admin is offered the admin's link")
	}
	if n := doc.Find(`[data-testid=team-gap]`).Length(); n != 1 {
		t.Errorf("%d gaps, want 1", n)
	}
	if href, _ := doc.Find(`[data-testid=product-releases-link]`).Attr("href"); href != "/?product=payments" {
		t.Errorf("releases link %q", href)
	}
	if href, _ := doc.Find(`[data-testid=product-notes-link]`).Attr("href"); href != "/notes/payments" {
		t.Errorf("notes link %q", href)
	}
	_, doc = admin.get("/products/payments")
	if href, _ := doc.Find(`[data-testid=team-gap] a`).Attr("href"); !strings.HasPrefix(href, "/admin/users") {
		t.Errorf("the admin's gap links to %q", href)
	}
	// The release page links its product's page.
	rel := s.mustCreateRelease(t, "payments", "2.5.0")
	_, doc = eng.get("/releases/" + itoa(rel.ID))
	if href, _ := doc.Find(`[data-testid=product-link]`).Attr("href"); href != "/products/payments" {
		t.Errorf("the release page links the product at %q", href)
	}
	// Archived, it says so.
	wantStatus(t, admin.post("/admin/products/storefront/archive", url.Values{"archived": {"1"}}), http.StatusSeeOther)
	_, doc = eng.get("/products/storefront")
	if doc.Find(`[data-testid=product-archived]`).Length() != 1 {
		t.Error("the archived product's page has no badge")
	}
	res, doc = eng.get("/products/nope")
	wantStatus(t, res, http.StatusNotFound)
}

// An admin customizes payments' checklist on the template page: a copy
// of the global template, edited apart. A payments release gets that
// checklist; a storefront release still gets the global one.
func TestCustomizedProductChecklist(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "1.0.0")
	s.mustCreateRelease(t, "storefront", "1.0.0")
	global, err := s.store.FindTemplate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	admin := s.signIn(t, "admin")
	res, doc := admin.get("/admin/template?product=payments")
	wantStatus(t, res, http.StatusOK)
	if doc.Find(`[data-testid=template-customize]`).Length() != 1 {
		t.Fatal("no offer to customize payments' checklist")
	}
	if doc.Find(`[data-testid=template-add]`).Length() != 0 {
		t.Error("the page offers to add to the global template while showing payments")
	}
	res = admin.post("/admin/template/customize", url.Values{"product": {"payments"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/template?product=payments") {
		t.Errorf("redirected to %q", loc)
	}
	if e := s.lastEvents(t, 1)[0]; e.Action != "template.customize" || !strings.Contains(e.Detail, "payments") {
		t.Errorf("event = %+v", e)
	}
	_, doc = admin.get("/admin/template?product=payments")
	items := doc.Find(`[data-testid=template-item]`)
	if items.Length() != len(global) {
		t.Fatalf("payments' template has %d items, want %d", items.Length(), len(global))
	}
	if sel, _ := doc.Find(`select[name=product] option[selected]`).Attr("value"); sel != "payments" {
		t.Errorf("the selector shows %q", sel)
	}
	// Add an item and remove the first one, on payments' template only.
	res = admin.post("/admin/template?product=payments", url.Values{"phase": {"readiness"}, "pillar": {"business"},
		"title": {"PCI review done"}, "owner_role": {"engineering-lead"}, "required": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	first, _ := items.First().Attr("id")
	res = admin.post("/admin/template/"+strings.TrimPrefix(first, "tpl-")+"/delete?product=payments", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/template?product=payments") {
		t.Errorf("after removing, redirected to %q", loc)
	}
	after, _ := s.store.FindTemplate(t.Context())
	if len(after) != len(global) {
		t.Fatalf("the global template has %d items, want %d", len(after), len(global))
	}
	// Without a product, the page is the global template, as before.
	_, doc = admin.get("/admin/template")
	if n := doc.Find(`[data-testid=template-item]`).Length(); n != len(global) {
		t.Errorf("the global template page shows %d items", n)
	}
	if doc.Find(`[data-testid=template-item][data-title="PCI review done"]`).Length() != 0 {
		t.Error("the global template shows payments' item")
	}

	rm := s.signIn(t, "rm")
	rm.get("/releases/new")
	for _, tc := range []struct {
		product string
		pci     bool
		first   string
	}{{"payments", true, global[1].Title}, {"storefront", false, global[0].Title}} {
		res := rm.post("/releases", url.Values{"product": {tc.product}, "version": {"9.0.0"}, "title": {"Next"}})
		wantStatus(t, res, http.StatusSeeOther)
		rel, err := s.store.FindReleaseByName(t.Context(), tc.product, "9.0.0")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.store.FindItems(t.Context(), rel.ID)
		pci := false
		for _, it := range got {
			pci = pci || it.Title == "PCI review done"
		}
		if pci != tc.pci || got[0].Title != tc.first {
			t.Errorf("%s's release: PCI item %t, first item %q", tc.product, pci, got[0].Title)
		}
	}

	// Back to the global template: asked first, saying what goes for good.
	_, doc = admin.get("/admin/template?product=payments")
	action, form := formOf(t, doc, `[data-testid=template-revert]`, "")
	res = admin.post(action, form)
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if got := text(doc, `[data-testid=confirm-page]`); !strings.Contains(got, "This cannot be undone: the checklist template made for payments is removed with every item in it") {
		t.Errorf("the question reads %q", got)
	}
	if own, _ := s.store.FindProduct(t.Context(), "payments"); !own.OwnTemplate {
		t.Fatal("asked, yet payments' own template is gone")
	}
	action, form = formOf(t, doc, `[data-testid=confirm-page] form`, "")
	res = admin.post(action, form)
	wantStatus(t, res, http.StatusSeeOther)
	if e := s.lastEvents(t, 1)[0]; e.Action != "template.revert" || !strings.Contains(e.Detail, "put payments back on the global checklist template") {
		t.Errorf("event = %+v", e)
	}
	_, doc = admin.get("/admin/template?product=payments")
	if doc.Find(`[data-testid=template-uses-global]`).Length() != 1 || doc.Find(`[data-testid=template-item][data-title="PCI review done"]`).Length() != 0 {
		t.Error("payments does not use the global template again")
	}
	res = rm.post("/releases", url.Values{"product": {"payments"}, "version": {"9.1.0"}, "title": {"Later"}})
	wantStatus(t, res, http.StatusSeeOther)
	rel, _ := s.store.FindReleaseByName(t.Context(), "payments", "9.1.0")
	if got, _ := s.store.FindItems(t.Context(), rel.ID); got[0].Title != global[0].Title {
		t.Errorf("payments' next release starts with %q", got[0].Title)
	}
	// Nothing to put back twice.
	wantStatus(t, admin.post("/admin/template/revert", url.Values{"product": {"payments"}, "confirm": {"1"}}), http.StatusConflict)
}
