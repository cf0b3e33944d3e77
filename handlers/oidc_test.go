package handlers_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// People at the test provider.
var (
	opAna = opUser{id: "sub-ana", username: "ana", password: "ana's provider password", email: "ana@example.com",
		verified: true, name: "Ana Payments", groups: []string{"payments-qa", "everyone"}}
	// opQA has the email of the test QA lead, who has a password account.
	opQA = opUser{id: "sub-qa", username: "qa", password: "qa's provider password", email: "QA@example.com",
		verified: true, name: "Quinn at the provider"}
	opUnverified = opUser{id: "sub-eve", username: "eve", password: "eve's provider password", email: "admin@example.com",
		verified: false, name: "Eve"}
)

// opEntra is a person at Microsoft Entra ID, which sends xms_edov, whether
// the email's domain is the tenant's, in place of email_verified.
func opEntra(edov bool) opUser {
	return opUser{id: "sub-entra", username: "entra", password: "entra's provider password", email: "ed@example.com",
		edov: &edov, name: "Ed Entra"}
}

// newOIDCServer starts gonogo, with the test users, signing in through p.
func newOIDCServer(t *testing.T, p *testProvider, opts ...func(*handlers.Config)) *testServer {
	t.Helper()
	s := newServer(t, append([]func(*handlers.Config){func(cfg *handlers.Config) {
		cfg.SignIn = handlers.SignIn{Issuer: p.issuer(), ClientID: p.clientID, ClientSecret: p.secret, ProviderName: "Test SSO"}
	}}, opts...)...)
	p.allow(s.URL)
	return s
}

// getURL fetches an absolute URL, the provider's or ours.
func (c *client) getURL(u string) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// toCallback starts a sign-in at gonogo, signs in at the provider as
// username, and returns the address the provider sends the browser back
// to, without going there: a test may change it first.
func toCallback(t *testing.T, c *client, p *testProvider, username, password string) *url.URL {
	t.Helper()
	res, _ := c.get("/auth/login?next=/defects")
	wantStatus(t, res, http.StatusSeeOther)
	res = c.getURL(res.Header.Get("Location")) // the authorization endpoint
	for hop := 0; hop < 10; hop++ {
		loc, err := res.Request.URL.Parse(res.Header.Get("Location"))
		if res.StatusCode/100 != 3 || err != nil {
			t.Fatalf("sign-in at the provider stopped at %s with status %d", res.Request.URL, res.StatusCode)
		}
		switch {
		case strings.HasPrefix(loc.String(), c.srv.URL+"/auth/callback"):
			return loc
		case loc.Path == "/login" && strings.HasPrefix(loc.String(), p.URL):
			c.getURL(loc.String())
			form := url.Values{"id": {loc.Query().Get("authRequestID")}, "username": {username}, "password": {password}}
			res, err = c.http.PostForm(p.URL+"/login", form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		default:
			res = c.getURL(loc.String())
		}
	}
	t.Fatal("the provider never sent the browser back")
	return nil
}

// oidcSignIn signs c in through the provider as username and returns the
// callback's answer.
func oidcSignIn(t *testing.T, c *client, p *testProvider, u opUser) *http.Response {
	t.Helper()
	back := toCallback(t, c, p, u.username, u.password)
	return c.getURL(back.String())
}

// userByEmail returns the account with email, if any.
func userByEmail(t *testing.T, s *testServer, email string) (gonogo.User, bool) {
	t.Helper()
	users, err := s.store.FindUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == email {
			return u, true
		}
	}
	return gonogo.User{}, false
}

// signedInAs returns who the board says is signed in, "" for nobody.
func signedInAs(t *testing.T, c *client) string {
	t.Helper()
	res, doc := c.get("/")
	if res.StatusCode != http.StatusOK {
		return ""
	}
	return text(doc, "[data-testid=whoami]")
}

// recentActions lists the actions and details of the newest audit events.
func recentActions(t *testing.T, s *testServer, n int) []string {
	t.Helper()
	events, err := s.store.FindEvents(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Action+": "+e.Detail)
	}
	return out
}

func TestOIDCFirstSignInCreatesTheAccount(t *testing.T) {
	p := newTestProvider(t, opAna)
	s := newOIDCServer(t, p)
	c := s.client(t)
	_, doc := c.get("/login")
	if got := text(doc, "[data-testid=provider-sign-in]"); got != "Sign in with Test SSO" {
		t.Fatalf("sign-in button says %q", got)
	}
	if doc.Find("[data-testid=login-form]").Length() != 1 {
		t.Fatal("the password form went away while passwords are on")
	}

	res := oidcSignIn(t, c, p, opAna)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/defects" {
		t.Errorf("signed in, sent to %q, want where the sign-in started (/defects)", loc)
	}
	if who := signedInAs(t, c); who != "Ana Payments" {
		t.Fatalf("signed in as %q, want Ana Payments", who)
	}
	u, ok := userByEmail(t, s, "ana@example.com")
	if !ok || u.Name != "Ana Payments" || len(u.Roles) != 0 || u.Admin {
		t.Fatalf("account made at the first sign-in: %+v", u)
	}
	ids, err := s.store.FindIdentities(t.Context(), u.ID)
	if err != nil || len(ids) != 1 || ids[0].Issuer != p.issuer() || ids[0].Subject != "sub-ana" ||
		!slices.Equal(ids[0].Groups, []string{"payments-qa", "everyone"}) {
		t.Fatalf("identity linked: %+v (%v)", ids, err)
	}
	acts := recentActions(t, s, 2)
	if !strings.HasPrefix(acts[0], "user.signin: signed in with "+p.issuer()) ||
		!strings.HasPrefix(acts[1], "user.create: created user ana@example.com at the first sign-in with "+p.issuer()) {
		t.Errorf("audit trail: %q", acts)
	}
	p.set(func(p *testProvider) {
		if !slices.Equal(p.challenge, []string{"S256"}) {
			t.Errorf("code challenge methods the provider saw: %q, want S256", p.challenge)
		}
	})

	// The account has no password anyone knows: not even an empty one.
	other := s.client(t)
	other.get("/login")
	wantStatus(t, other.post("/login", url.Values{"email": {"ana@example.com"}, "password": {""}}), http.StatusUnauthorized)

	// The next sign-in finds the same account by its link.
	again := s.client(t)
	wantStatus(t, oidcSignIn(t, again, p, opAna), http.StatusSeeOther)
	if n, _ := s.store.CountUsers(t.Context()); n != len(s.users)+1 {
		t.Errorf("%d accounts after two sign-ins of one person, want %d", n, len(s.users)+1)
	}
}

// Entra ID's xms_edov stands in for the email_verified it does not send.
func TestOIDCTakesEntraDomainVerification(t *testing.T) {
	p := newTestProvider(t, opEntra(true))
	s := newOIDCServer(t, p)
	c := s.client(t)
	wantStatus(t, oidcSignIn(t, c, p, opEntra(true)), http.StatusSeeOther)
	if who := signedInAs(t, c); who != "Ed Entra" {
		t.Fatalf("signed in as %q", who)
	}
}

func TestOIDCLinksTheAccountWithTheVerifiedEmail(t *testing.T) {
	p := newTestProvider(t, opQA)
	s := newOIDCServer(t, p)
	c := s.client(t)
	wantStatus(t, oidcSignIn(t, c, p, opQA), http.StatusSeeOther)
	if who := signedInAs(t, c); who != "Qa Tester" {
		t.Fatalf("signed in as %q, want the existing QA lead's account", who)
	}
	ids, _ := s.store.FindIdentities(t.Context(), s.users["qa"].ID)
	if len(ids) != 1 || ids[0].Subject != "sub-qa" {
		t.Fatalf("identities of the QA lead: %+v", ids)
	}
	u, _ := s.store.FindUser(t.Context(), s.users["qa"].ID)
	if !u.Roles.Has(gonogo.QALead) {
		t.Errorf("linking lost the account's roles: %v", u.Roles)
	}
	if acts := recentActions(t, s, 2); !strings.HasPrefix(acts[1], `user.link: linked qa@example.com to subject "sub-qa" at `+p.issuer()) {
		t.Errorf("audit trail: %q", acts)
	}

	// The provider changes the person's email: the link, not the email,
	// finds the account.
	p.set(func(p *testProvider) { p.users["qa"].email = "quinn@example.com" })
	c2 := s.client(t)
	wantStatus(t, oidcSignIn(t, c2, p, opQA), http.StatusSeeOther)
	if who := signedInAs(t, c2); who != "Qa Tester" {
		t.Fatalf("after the email changed at the provider, signed in as %q", who)
	}
	if _, made := userByEmail(t, s, "quinn@example.com"); made {
		t.Error("a new account was made for the changed email")
	}
}

// A provider that hands a departed person's address to someone new does
// not hand them the departed person's account.
func TestOIDCRefusesAnAccountLinkedToSomeoneElse(t *testing.T) {
	successor := opQA
	successor.id, successor.username = "sub-successor", "successor"
	p := newTestProvider(t, opQA, successor)
	s := newOIDCServer(t, p)
	wantStatus(t, oidcSignIn(t, s.client(t), p, opQA), http.StatusSeeOther)
	c := s.client(t)
	res := oidcSignIn(t, c, p, successor)
	wantStatus(t, res, http.StatusConflict)
	if doc := parse(t, res); !strings.Contains(text(doc, "[data-testid=sign-in-refused-reason]"), "belongs to another person") {
		t.Errorf("refusal says %q", text(doc, "[data-testid=sign-in-refused-reason]"))
	}
	if who := signedInAs(t, c); who != "" {
		t.Errorf("signed in as %q", who)
	}
}

// Each way a sign-in can be forged or go wrong is refused with a page
// that says why, with a 4xx (a 502 for a provider that cannot be reached),
// and nobody is signed in or made.
func TestOIDCRefusals(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	down := "http://" + closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		name    string
		user    opUser
		before  func(t *testing.T, p *testProvider, s *testServer)
		back    func(u *url.URL) *url.URL // the callback address, tampered with
		browser func(t *testing.T, s *testServer, c *client) *client
		issuer  string // an issuer other than the provider's
		status  int
		says    string
	}{
		{name: "forged state", user: opAna, status: http.StatusBadRequest, says: "its state differs",
			back: func(u *url.URL) *url.URL { q := u.Query(); q.Set("state", "forged"); u.RawQuery = q.Encode(); return u }},
		{name: "missing state", user: opAna, status: http.StatusBadRequest, says: "its state differs",
			back: func(u *url.URL) *url.URL { q := u.Query(); q.Del("state"); u.RawQuery = q.Encode(); return u }},
		{name: "answer taken to another browser", user: opAna, status: http.StatusBadRequest, says: "not started in this browser",
			browser: func(t *testing.T, s *testServer, c *client) *client { return s.client(t) }},
		{name: "wrong nonce", user: opAna, status: http.StatusUnauthorized, says: "its nonce differs",
			before: func(t *testing.T, p *testProvider, s *testServer) {
				p.set(func(p *testProvider) { p.nonceLie = "a nonce of another sign-in" })
			}},
		{name: "expired ID token", user: opAna, status: http.StatusUnauthorized, says: "had expired",
			before: func(t *testing.T, p *testProvider, s *testServer) {
				p.set(func(p *testProvider) { p.lifetime = -time.Minute })
			}},
		{name: "ID token signed with another key", user: opAna, status: http.StatusUnauthorized, says: "could not be verified",
			before: func(t *testing.T, p *testProvider, s *testServer) { p.signsWithRogueKey(t) }},
		{name: "unverified email", user: opUnverified, status: http.StatusForbidden, says: "has not verified your email address admin@example.com"},
		{name: "Entra ID's domain not verified (xms_edov false)", user: opEntra(false), status: http.StatusForbidden,
			says: "has not verified your email address"},
		{name: "disabled account", user: opQA, status: http.StatusForbidden, says: "Your gonogo account is disabled",
			before: func(t *testing.T, p *testProvider, s *testServer) {
				disabled := true
				if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["qa"].ID, gonogo.UserUpdate{Disabled: &disabled}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "provider unreachable", issuer: down, status: http.StatusBadGateway, says: "could not reach the identity provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestProvider(t, tc.user)
			s := newOIDCServer(t, p, func(cfg *handlers.Config) {
				if tc.issuer != "" {
					cfg.SignIn.Issuer = tc.issuer
				}
			})
			before, _ := s.store.CountUsers(t.Context())
			if tc.before != nil {
				tc.before(t, p, s)
			}
			c := s.client(t)
			var res *http.Response
			if tc.issuer != "" {
				res = c.getURL(s.URL + "/auth/login")
			} else {
				back := toCallback(t, c, p, tc.user.username, tc.user.password)
				if tc.back != nil {
					back = tc.back(back)
				}
				if tc.browser != nil {
					c = tc.browser(t, s, c)
				}
				res = c.getURL(back.String())
			}
			wantStatus(t, res, tc.status)
			doc := parse(t, res)
			if got := text(doc, "[data-testid=sign-in-refused-reason]"); !strings.Contains(got, tc.says) {
				t.Errorf("refusal says %q, want it to say %q", got, tc.says)
			}
			if who := signedInAs(t, c); who != "" {
				t.Errorf("refused, yet signed in as %q", who)
			}
			if after, _ := s.store.CountUsers(t.Context()); after != before {
				t.Errorf("%d accounts after a refused sign-in, %d before", after, before)
			}
		})
	}
}

// With passwords off, the provider is the way in; the break-glass admin
// alone may still use a password, at /login?local=1.
func TestOIDCPasswordLoginOff(t *testing.T) {
	p := newTestProvider(t, opAna)
	s := newOIDCServer(t, p, func(cfg *handlers.Config) {
		cfg.SignIn.NoPasswords, cfg.SignIn.BreakGlassAdmin = true, "Admin@example.com"
	})
	c := s.client(t)
	_, doc := c.get("/login")
	if doc.Find("[data-testid=login-form]").Length() != 0 || doc.Find("[data-testid=provider-sign-in]").Length() != 1 {
		t.Fatal("with passwords off, the sign-in page should offer the provider alone")
	}
	_, doc = c.get("/login?local=1")
	if doc.Find("[data-testid=login-form]").Length() != 1 {
		t.Fatal("/login?local=1 should keep the password form for the break-glass admin")
	}

	res := c.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}, "local": {"1"}})
	wantStatus(t, res, http.StatusForbidden)
	if got := text(parse(t, res), "#login-password-error"); !strings.Contains(got, "Passwords are turned off on this board: sign in with Test SSO") {
		t.Errorf("refusal says %q", got)
	}
	if who := signedInAs(t, c); who != "" {
		t.Fatalf("a password signed in %q with passwords off", who)
	}
	c.get("/login?local=1")
	wantStatus(t, c.post("/login", url.Values{"email": {"admin@example.com"}, "password": {"not the password"}}), http.StatusUnauthorized)
	c.get("/login?local=1")
	wantStatus(t, c.post("/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}}), http.StatusSeeOther)
	if who := signedInAs(t, c); who != "Admin Tester" {
		t.Fatalf("break-glass admin signed in as %q", who)
	}
	wantStatus(t, oidcSignIn(t, s.client(t), p, opAna), http.StatusSeeOther)
}

// Signing out of a session that came through the provider signs out there
// too, and the provider sends the browser back to the sign-in page.
func TestOIDCSignOutEndsTheProviderSession(t *testing.T) {
	p := newTestProvider(t, opAna)
	s := newOIDCServer(t, p)
	c := s.client(t)
	wantStatus(t, oidcSignIn(t, c, p, opAna), http.StatusSeeOther)
	res, _ := c.get("/")
	// Browsers hold the sign-out form's redirect to form-action.
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+p.URL+";") {
		t.Errorf("the pages' CSP does not let the sign-out form lead to the provider: %s", csp)
	}
	res = c.post("/logout", nil)
	wantStatus(t, res, http.StatusSeeOther)
	end, err := url.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(end.String(), p.URL+"/end_session") || end.Query().Get("id_token_hint") == "" ||
		end.Query().Get("post_logout_redirect_uri") != s.URL+"/login" {
		t.Fatalf("sign-out sent the browser to %q", end)
	}
	if who := signedInAs(t, c); who != "" {
		t.Fatalf("still signed in as %q", who)
	}
	res = c.getURL(end.String())
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != s.URL+"/login" {
		t.Fatalf("the provider's end_session answered %d, to %q", res.StatusCode, res.Header.Get("Location"))
	}
	p.set(func(p *testProvider) {
		if !slices.Equal(p.ended, []string{"sub-ana"}) {
			t.Errorf("the provider ended the sessions of %q, want sub-ana's", p.ended)
		}
	})

	// A password session signs out here only.
	pw := s.signIn(t, "rm")
	if loc := pw.post("/logout", nil).Header.Get("Location"); loc != "/login" {
		t.Errorf("a password session's sign-out went to %q", loc)
	}
}

// The pages sign-in through a provider adds are strict HTML, as the main
// pages are (html_valid_test.go): the sign-in page with the provider's
// button, with and without the password form, and a refusal.
func TestOIDCPagesAreStrictHTML(t *testing.T) {
	p := newTestProvider(t, opUnverified)
	s := newOIDCServer(t, p, func(cfg *handlers.Config) { cfg.SignIn.NoPasswords = true })
	c := s.client(t)
	pages := map[string][]byte{}
	for _, path := range []string{"/login", "/login?local=1"} {
		res, body := c.getText(path)
		wantStatus(t, res, http.StatusOK)
		pages[path] = []byte(body)
	}
	res := oidcSignIn(t, c, p, opUnverified)
	wantStatus(t, res, http.StatusForbidden)
	body, _ := io.ReadAll(res.Body)
	pages["refusal"] = body
	for name, page := range pages {
		for _, problem := range htmlProblems(page) {
			t.Errorf("%s: %s", name, problem)
		}
	}
}
