package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSetupCreatesFirstAdmin(t *testing.T) {
	s := newEmptyServer(t)
	c := s.client(t)

	res, _ := c.get("/")
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/setup" {
		t.Fatalf("a board without users sends to %q, want /setup", loc)
	}
	res, _ = c.get("/login")
	if loc := res.Header.Get("Location"); loc != "/setup" {
		t.Fatalf("sign-in page on a board without users sends to %q, want /setup", loc)
	}

	_, doc := c.get("/setup")
	if doc.Find(`[data-testid=setup-form]`).Length() != 1 {
		t.Fatal("setup page has no form")
	}

	res = c.post("/setup", url.Values{"name": {"Ada"}, "email": {"not-an-email"}, "password": {"short"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	for _, field := range []string{"email", "password"} {
		if text(doc, "[data-testid=error-"+field+"]") == "" {
			t.Errorf("no message beside %s", field)
		}
	}
	if v, _ := doc.Find(`input[name=name]`).Attr("value"); v != "Ada" {
		t.Errorf("name field lost what was typed: %q", v)
	}
	if n, _ := s.store.CountUsers(t.Context()); n != 0 {
		t.Fatalf("a refused setup stored %d users", n)
	}

	res = c.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"Ada@Example.com"}, "password": {"a long password"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = c.get("/admin/users")
	if got := text(doc, "[data-testid=whoami]"); got != "Ada Admin" {
		t.Fatalf("after setup, signed in as %q", got)
	}
	if doc.Find(`[data-testid=user-row][data-email="ada@example.com"]`).Length() != 1 {
		t.Fatal("the admin is not listed among the users")
	}

	// Setup happens once.
	other := s.client(t)
	res, _ = other.get("/setup")
	wantStatus(t, res, http.StatusSeeOther)
	other.get("/login")
	res = other.post("/setup", url.Values{"name": {"Mallory"}, "email": {"m@example.com"}, "password": {"a long password"}})
	wantStatus(t, res, http.StatusConflict)
	if n, _ := s.store.CountUsers(t.Context()); n != 1 {
		t.Fatalf("%d users after a second setup, want 1", n)
	}
}

func TestSignInAndOut(t *testing.T) {
	s := newServer(t)
	c := s.client(t)

	res, doc := c.get("/login?next=/releases/new")
	wantStatus(t, res, http.StatusOK)
	if v, _ := doc.Find(`input[name=next]`).Attr("value"); v != "/releases/new" {
		t.Fatalf("next = %q", v)
	}
	before := cookie(c, s, "gonogo_session")

	res = c.post("/login", url.Values{"email": {"rm@example.com"}, "password": {"wrong password"}})
	wantStatus(t, res, http.StatusUnauthorized)
	if msg := text(parse(t, res), "[data-testid=error-password]"); !strings.Contains(msg, "Wrong email or password") {
		t.Fatalf("error message %q", msg)
	}

	res = c.post("/login", url.Values{"email": {" RM@example.com "}, "password": {testPassword}, "next": {"/releases/new"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/releases/new" {
		t.Fatalf("after sign-in went to %q", loc)
	}
	var sc *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "gonogo_session" {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/", sc)
	}
	if sc.Value == before || len(sc.Value) < 40 {
		t.Fatalf("sign-in must issue a new random session id, got %q", sc.Value)
	}

	_, doc = c.get("/")
	if got := text(doc, "[data-testid=whoami]"); got != "Rm Tester" {
		t.Fatalf("signed in as %q", got)
	}

	// Signing out ends the session on the server: the old cookie is worthless.
	stolen := s.client(t)
	u, _ := url.Parse(s.URL)
	stolen.http.Jar.SetCookies(u, []*http.Cookie{{Name: "gonogo_session", Value: sc.Value}})
	res = c.post("/logout", nil)
	wantStatus(t, res, http.StatusSeeOther)
	res, _ = stolen.get("/")
	wantStatus(t, res, http.StatusSeeOther)
	if !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatal("a signed-out session still opens the board")
	}
}

func TestSignInRejectsOpenRedirect(t *testing.T) {
	s := newServer(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		c := s.client(t)
		c.get("/login")
		res := c.post("/login", url.Values{"email": {"po@example.com"}, "password": {testPassword}, "next": {next}})
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, loc)
		}
	}
}

func TestRepeatedFailedSignInsAreRefused(t *testing.T) {
	s := newServer(t)
	c := s.client(t)
	c.get("/login")
	var res *http.Response
	for i := 0; i < 12; i++ {
		res = c.post("/login", url.Values{"email": {"qa@example.com"}, "password": {"guess number " + string(rune('a'+i))}})
		if res.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Even the right password is refused while the account is throttled.
	res = c.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	// The refusal is for this account from this address: someone else
	// signing in from the same office is not locked out with it (guessing
	// at many accounts from one address is refused too, further on).
	res = c.post("/login", url.Values{"email": {"ops@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}

func TestDisablingUserEndsSessionsAtOnce(t *testing.T) {
	s := newServer(t)
	qa := s.signIn(t, "qa")
	admin := s.signIn(t, "admin")

	res := admin.post("/admin/users/"+itoa(s.users["qa"].ID)+"/status", url.Values{"disabled": {"1"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)

	res, _ = qa.get("/")
	wantStatus(t, res, http.StatusSeeOther)
	if !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatal("a disabled user still sees the board")
	}
	c := s.client(t)
	c.get("/login")
	res = c.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusUnauthorized)

	res = admin.post("/admin/users/"+itoa(s.users["qa"].ID)+"/status", url.Values{"disabled": {"0"}})
	wantStatus(t, res, http.StatusSeeOther)
	s.signIn(t, "qa")
}

func TestRoleChangeTakesEffectAtOnce(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "9.0.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	qa := s.signIn(t, "qa")
	admin := s.signIn(t, "admin")

	res := admin.post("/admin/users/"+itoa(s.users["qa"].ID), url.Values{"name": {"Qa Tester"}, "roles": {"ops"}})
	wantStatus(t, res, http.StatusSeeOther)

	qa.get("/releases/" + itoa(rel.ID))
	res = qa.post("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}})
	wantStatus(t, res, http.StatusForbidden)
	if got := s.mustItem(t, rel.ID, "Integration tests pass").Status; got != "open" {
		t.Fatalf("item status %q after a refused change", got)
	}
}

func TestLastAdminCannotBeDisabled(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	res := admin.post("/admin/users/"+itoa(s.users["admin"].ID)+"/status", url.Values{"disabled": {"1"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusConflict)
	if msg := text(parse(t, res), "[data-testid=form-error]"); !strings.Contains(msg, "last enabled admin") {
		t.Fatalf("message %q", msg)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	s := newServer(t)
	c := s.signIn(t, "eng")
	other := s.signIn(t, "eng")
	c.get("/profile")

	res := c.post("/profile/password", url.Values{"current": {"not it"}, "new": {"a new long password"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=error-current]") == "" {
		t.Fatal("no message beside the current password")
	}
	res = c.post("/profile/password", url.Values{"current": {testPassword}, "new": {"short"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=error-new]") == "" {
		t.Fatal("no message beside the new password")
	}
	res = c.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a new long password"}})
	wantStatus(t, res, http.StatusOK)
	if parse(t, res).Find("[data-testid=password-changed]").Length() != 1 {
		t.Fatal("no confirmation")
	}
	// This browser stays signed in; the other one is signed out.
	res, _ = c.get("/")
	wantStatus(t, res, http.StatusOK)
	res, _ = other.get("/")
	wantStatus(t, res, http.StatusSeeOther)

	fresh := s.client(t)
	fresh.get("/login")
	res = fresh.post("/login", url.Values{"email": {"eng@example.com"}, "password": {"a new long password"}})
	wantStatus(t, res, http.StatusSeeOther)
}

func TestAdminCreatesUserWithRoles(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	admin.get("/admin/users")

	res := admin.post("/admin/users", url.Values{"name": {""}, "email": {"po@EXAMPLE.com"}, "password": {"a long password"}, "roles": {"qa-lead", "ops"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	if text(doc, "[data-testid=error-name]") == "" {
		t.Error("no message beside the empty name")
	}
	if doc.Find(`input[name=roles][value=qa-lead][checked]`).Length() != 1 {
		t.Error("the form forgot the chosen roles")
	}

	res = admin.post("/admin/users", url.Values{"name": {"Pat"}, "email": {"po@EXAMPLE.com"}, "password": {"a long password"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(parse(t, res), "[data-testid=error-email]"); !strings.Contains(msg, "already has an account") {
		t.Errorf("duplicate email message %q", msg)
	}

	res = admin.post("/admin/users", url.Values{"name": {"Pat"}, "email": {"pat@example.com"}, "password": {"a long password"}, "roles": {"bogus"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)

	res = admin.post("/admin/users", url.Values{"name": {"Pat Both"}, "email": {"pat@example.com"}, "password": {"a long password"}, "roles": {"qa-lead", "ops"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = admin.get("/admin/users")
	row := doc.Find(`[data-testid=user-row][data-email="pat@example.com"]`)
	if !strings.Contains(row.Text(), "QA lead") || !strings.Contains(row.Text(), "Ops") {
		t.Fatalf("new user's row: %q", row.Text())
	}
}

func cookie(c *client, s *testServer, name string) string {
	u, _ := url.Parse(s.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}
