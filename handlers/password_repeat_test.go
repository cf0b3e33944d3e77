package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// A password a person chooses is typed twice, in two hidden fields, so that
// a typo does not lock them (or the person an admin made it for) out.

// wantRepeatField fails unless the form in doc asks for the password again.
func wantRepeatField(t *testing.T, doc *goquery.Document, form string) {
	t.Helper()
	in := doc.Find(form + ` input[name=repeat]`)
	if in.Length() != 1 || in.AttrOr("type", "") != "password" || in.AttrOr("autocomplete", "") != "new-password" {
		t.Fatalf("%s does not ask for the password again", form)
	}
	id := in.AttrOr("id", "")
	if in.ParentsFiltered("label").Length() != 1 && (id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1) {
		t.Fatalf("%s: the repeat field has no label", form)
	}
}

func TestSetupAsksForThePasswordTwice(t *testing.T) {
	s := newEmptyServer(t)
	c := s.client(t)
	_, doc := c.get("/setup")
	wantRepeatField(t, doc, "[data-testid=setup-form]")

	res := c.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"},
		"password": {"a long password"}, "repeat": {"a long pasword"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if got := text(doc, "[data-testid=error-repeat]"); got != "The two passwords differ: type the same password in both fields" {
		t.Fatalf("beside the repeat: %q", got)
	}
	if v, _ := doc.Find(`input[name=email]`).Attr("value"); v != "ada@example.com" {
		t.Errorf("the email was lost: %q", v)
	}
	if n, _ := s.store.CountUsers(t.Context()); n != 0 {
		t.Fatalf("a refused setup stored %d users", n)
	}

	res = c.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"},
		"password": {"a long password"}, "repeat": {"a long password"}})
	wantStatus(t, res, http.StatusSeeOther)
}

func TestProfilePasswordTypedTwice(t *testing.T) {
	s := newServer(t)
	c := s.signIn(t, "eng")
	_, doc := c.get("/profile")
	wantRepeatField(t, doc, "[data-testid=password-form]")

	res := c.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}, "repeat": {"a brand new pasword"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), "[data-testid=error-repeat]"); got == "" {
		t.Fatal("no message beside the repeat")
	}
	if _, err := s.store.Authenticate(t.Context(), "eng@example.com", testPassword); err != nil {
		t.Fatalf("the password changed after all: %v", err)
	}

	res = c.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}, "repeat": {"a brand new password"}})
	wantStatus(t, res, http.StatusOK)
	if parse(t, res).Find("[data-testid=password-changed]").Length() != 1 {
		t.Fatal("the change is not confirmed")
	}
}

func TestAdminTypesPasswordsTwice(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/users")
	wantRepeatField(t, doc, "[data-testid=new-user-form]")
	res := admin.post("/admin/users", url.Values{"name": {"Pat"}, "email": {"pat@example.com"},
		"password": {"a long password"}, "repeat": {"a long passwort"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), "[data-testid=error-repeat]"); got == "" {
		t.Fatal("no message beside the repeat")
	}
	if _, err := s.store.Authenticate(t.Context(), "pat@example.com", "a long password"); err == nil {
		t.Fatal("the person was added after all")
	}

	qa := "/admin/users/" + itoa(s.users["qa"].ID)
	_, doc = admin.get(qa)
	wantRepeatField(t, doc, "[data-testid=reset-password-form]")
	res = admin.post(qa+"/password", url.Values{"password": {"another long password"}, "repeat": {"another long pasword"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), "[data-testid=error-repeat]"); got == "" {
		t.Fatal("no message beside the repeat")
	}
	if _, err := s.store.Authenticate(t.Context(), "qa@example.com", testPassword); err != nil {
		t.Fatalf("the password was reset after all: %v", err)
	}
	res = admin.post(qa+"/password", url.Values{"password": {"another long password"}, "repeat": {"another long password"}})
	wantStatus(t, res, http.StatusSeeOther)
}
