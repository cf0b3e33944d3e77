package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// A release manager for payments only freezes payments: the form says so,
// a freeze of every product or of storefront is refused at the field with
// a 403 and nothing stored, a payments freeze is made, and of the freezes
// listed only those over payments alone offer her the Remove button.
func TestFreezesFollowTheProductsYouManage(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "storefront", "5.0.0")
	s.regrant(t, "rm", gonogo.Grant{Role: gonogo.ReleaseManager, Product: "payments"})
	s.mustFreeze(t, gonogo.FreezeInput{Name: "Year end", Once: gonogo.Window{Start: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2031, 1, 2, 0, 0, 0, 0, time.UTC)}})

	rm := s.signIn(t, "rm")
	_, doc := rm.get("/freezes")
	if got := text(doc, `[data-testid=freeze-scope]`); !strings.Contains(got, "you freeze payments") {
		t.Errorf("the form's products hint reads %q", got)
	}
	if n := doc.Find(`[data-testid=freeze][data-name="Year end"] [data-testid=delete-freeze]`).Length(); n != 0 {
		t.Error("she is offered to remove a freeze of every product")
	}
	for _, tc := range []struct{ products, says string }{
		{"", "A freeze of every product takes the release manager role for every product: name the products you manage (payments)"},
		{"payments, storefront", "You cannot freeze storefront: that takes the release manager role for storefront"},
	} {
		res := rm.post("/freezes", freezeForm("Launch", tc.products))
		wantStatus(t, res, http.StatusForbidden)
		doc := parse(t, res)
		if got := text(doc, `[data-testid=error-products]`); !strings.Contains(got, tc.says) {
			t.Errorf("products %q: the field says %q, want %q", tc.products, got, tc.says)
		}
		if v := doc.Find(`[data-testid=freeze-form] input[name=products]`).AttrOr("value", ""); v != tc.products {
			t.Errorf("the form lost what she typed: %q", v)
		}
	}
	if names := freezeNames(t, s); strings.Join(names, ",") != "Year end" {
		t.Fatalf("after the refusals the freezes are %v", names)
	}

	wantStatus(t, rm.post("/freezes", freezeForm("Launch", "payments")), http.StatusSeeOther)
	_, doc = rm.get("/freezes")
	if doc.Find(`[data-testid=freeze][data-name=Launch] [data-testid=delete-freeze]`).Length() != 1 {
		t.Error("she cannot remove her own payments freeze")
	}
	id := freezeID(t, s, "Year end")
	wantStatus(t, rm.post("/freezes/"+itoa(id)+"/delete", nil), http.StatusForbidden)
	if names := freezeNames(t, s); len(names) != 2 {
		t.Errorf("after a refused removal the freezes are %v", names)
	}
	// The release manager for every product removes it.
	every, none := gonogo.RoleSet{gonogo.ReleaseManager}, gonogo.Grants{}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["rm"].ID, db.UserUpdate{Roles: &every, Products: &none}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, rm.post("/freezes/"+itoa(id)+"/delete", nil), http.StatusSeeOther)
}

func freezeForm(name, products string) url.Values {
	return url.Values{"name": {name}, "kind": {"once"}, "start": {"2031-03-01T00:00"}, "end": {"2031-03-02T00:00"}, "products": {products}}
}

func freezeNames(t *testing.T, s *testServer) []string {
	t.Helper()
	all, err := s.store.FindFreezes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range all {
		names = append(names, f.Name)
	}
	return names
}

func freezeID(t *testing.T, s *testServer, name string) int64 {
	t.Helper()
	all, _ := s.store.FindFreezes(t.Context())
	for _, f := range all {
		if f.Name == name {
			return f.ID
		}
	}
	t.Fatalf("no freeze %q", name)
	return 0
}
