package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// comments returns the bodies of the release's discussion in its first cycle.
func comments(t *testing.T, s *testServer, releaseID int64) []string {
	t.Helper()
	cs, err := s.store.FindComments(t.Context(), releaseID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, c := range cs {
		bodies = append(bodies, c.Body)
	}
	return bodies
}

// TestPlantedCSRFCookieIsRefused: whoever can set a cookie for the board's
// domain (a sibling subdomain) cannot make a token of their own choosing
// vouch for itself. The token is bound to the session, not to a cookie.
func TestPlantedCSRFCookieIsRefused(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	page := "/releases/" + itoa(rel.ID)
	qa := s.signIn(t, "qa")
	u, _ := url.Parse(s.URL)

	const planted = "attacker-chosen-token-0123456789abcdefghijklmnop"
	// With the header a browser sends for a sibling subdomain, and without
	// it, so that the token alone is put to the test too.
	for _, site := range []map[string]string{{"Sec-Fetch-Site": "same-site"}, {}} {
		for _, name := range []string{"gonogo_csrf", "__Host-gonogo_csrf"} {
			qa.http.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: planted, Path: "/"}})
			res := qa.postRaw(page+"/comments", url.Values{"body": {"Ship it, says the attacker"}, "_csrf": {planted}}, site)
			wantStatus(t, res, http.StatusForbidden)
			hx := map[string]string{"HX-Request": "true", "X-CSRF-Token": planted}
			for k, v := range site {
				hx[k] = v
			}
			wantStatus(t, qa.postRaw(page+"/comments", url.Values{"body": {"Ship it, says the attacker"}}, hx), http.StatusForbidden)
		}
	}
	if got := comments(t, s, rel.ID); len(got) != 0 {
		t.Fatalf("a planted token stored comments: %q", got)
	}

	// The page's own token still works, the planted cookie notwithstanding.
	qa.get(page)
	res := qa.post(page+"/comments", url.Values{"body": {"Smoke run green."}})
	wantStatus(t, res, http.StatusSeeOther)
	res = qa.postHX(page+"/comments", url.Values{"body": {"Soak test green."}})
	if res.StatusCode >= 400 {
		t.Fatalf("htmx post with the page's token: status %d", res.StatusCode)
	}
	if got := comments(t, s, rel.ID); len(got) != 2 {
		t.Fatalf("comments %q, want the two sent with the page's token", got)
	}
}

// TestCSRFTokenBelongsToOneSession: a token taken from one session opens
// no other, not even a later session of the same browser.
func TestCSRFTokenBelongsToOneSession(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	page := "/releases/" + itoa(rel.ID)

	qa := s.signIn(t, "qa")
	ops := s.signIn(t, "ops")
	res := ops.post(page+"/comments", url.Values{"body": {"with the QA lead's token"}, "_csrf": {qa.csrf}})
	wantStatus(t, res, http.StatusForbidden)

	// The same browser signs out and in again: the old session's token is spent.
	old := qa.csrf
	wantStatus(t, qa.post("/logout", nil), http.StatusSeeOther)
	qa.get("/login")
	res = qa.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	res = qa.post(page+"/comments", url.Values{"body": {"with the last session's token"}, "_csrf": {old}})
	wantStatus(t, res, http.StatusForbidden)
	if got := comments(t, s, rel.ID); len(got) != 0 {
		t.Fatalf("a token of another session stored comments: %q", got)
	}

	qa.get(page)
	if qa.csrf == old {
		t.Fatal("a new session kept the old session's token")
	}
	res = qa.post(page+"/comments", url.Values{"body": {"with this session's token"}})
	wantStatus(t, res, http.StatusSeeOther)
}

// TestSignInFormWorksBeforeASession: the sign-in and setup forms carry a
// token too, bound to a value the server set before anyone signed in, so a
// forged sign-in (login CSRF) is refused.
func TestSignInFormWorksBeforeASession(t *testing.T) {
	s := newServer(t)
	c := s.client(t)
	res := c.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}, "_csrf": {"made-up"}})
	wantStatus(t, res, http.StatusForbidden)

	other := s.client(t)
	other.get("/login")
	c.get("/login")
	if c.csrf == "" || c.csrf == other.csrf {
		t.Fatalf("sign-in tokens %q and %q: want one per browser", c.csrf, other.csrf)
	}
	res = c.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}, "_csrf": {other.csrf}})
	wantStatus(t, res, http.StatusForbidden)
	res = c.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}

// TestForeignOriginIsRefused: a change whose Origin is not the board's own
// is refused, whatever token it carries; a browser that sends the board's
// origin, or none, is served.
func TestForeignOriginIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		base func(addr string) string
	}{
		{"base URL", func(addr string) string { return "http://" + addr }},
		{"no base URL", func(string) string { return "" }},
		// As cmd/web makes it from -addr :8080; the browser uses another name.
		{"base URL of another name", func(addr string) string { return "http://" + strings.Replace(addr, "127.0.0.1", "0.0.0.0", 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServerAt(t, tc.base, false)
			rel := s.mustCreateRelease(t, "web", "1.0.0")
			page := "/releases/" + itoa(rel.ID)
			qa := s.signIn(t, "qa")
			qa.get(page)
			foreign := []string{"https://evil.example", "null", "http://evil.example", "http://" + strings.TrimPrefix(s.URL, "http://") + ".evil.example"}
			for _, origin := range foreign {
				res := qa.postRaw(page+"/comments", url.Values{"body": {"from " + origin}, "_csrf": {qa.csrf}}, map[string]string{"Origin": origin})
				wantStatus(t, res, http.StatusForbidden)
				res = qa.postRaw(page+"/comments", url.Values{"body": {"from " + origin}},
					map[string]string{"Origin": origin, "HX-Request": "true", "X-CSRF-Token": qa.csrf})
				wantStatus(t, res, http.StatusForbidden)
			}
			if got := comments(t, s, rel.ID); len(got) != 0 {
				t.Fatalf("a foreign origin stored comments: %q", got)
			}
			res := qa.postRaw(page+"/comments", url.Values{"body": {"from the board"}, "_csrf": {qa.csrf}}, map[string]string{"Origin": s.URL})
			wantStatus(t, res, http.StatusSeeOther)
			res = qa.post(page+"/comments", url.Values{"body": {"from a client without Origin"}})
			wantStatus(t, res, http.StatusSeeOther)
			// Reading is never refused for its origin.
			req, _ := http.NewRequest(http.MethodGet, s.URL+page, nil)
			req.Header.Set("Origin", "https://evil.example")
			wantStatus(t, qa.do(req), http.StatusOK)
		})
	}
}

// TestHostCookiesOverHTTPS: served over https, the session and CSRF
// cookies carry the __Host- prefix, so no sibling subdomain can set them,
// and the board works with them as a browser sends them.
func TestHostCookiesOverHTTPS(t *testing.T) {
	s := newServerAt(t, func(addr string) string { return "https://" + addr }, true)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	page := "/releases/" + itoa(rel.ID)
	c := s.tlsClient(t)

	res, _ := c.get("/login")
	wantStatus(t, res, http.StatusOK)
	wantHostCookie(t, res, "__Host-gonogo_csrf")
	res = c.postRaw("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}, "_csrf": {c.csrf}},
		map[string]string{"Origin": s.URL})
	wantStatus(t, res, http.StatusSeeOther)
	wantHostCookie(t, res, "__Host-gonogo_session")

	res, doc := c.get(page)
	wantStatus(t, res, http.StatusOK)
	if got := text(doc, "[data-testid=whoami]"); got != "Qa Tester" {
		t.Fatalf("signed in as %q", got)
	}
	res = c.postRaw(page+"/comments", url.Values{"body": {"over https"}, "_csrf": {c.csrf}}, map[string]string{"Origin": s.URL})
	wantStatus(t, res, http.StatusSeeOther)
	if got := comments(t, s, rel.ID); len(got) != 1 {
		t.Fatalf("comments %q", got)
	}
	// A cookie without the prefix, as a sibling subdomain could set, is no session.
	u, _ := url.Parse(s.URL)
	var session string
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "__Host-gonogo_session" {
			session = ck.Value
		}
	}
	plain := s.tlsClient(t)
	plain.http.Jar.SetCookies(u, []*http.Cookie{{Name: "gonogo_session", Value: session, Path: "/"}})
	res, _ = plain.get("/")
	wantStatus(t, res, http.StatusSeeOther)
	res = c.postRaw("/logout", url.Values{"_csrf": {c.csrf}}, map[string]string{"Origin": s.URL})
	wantStatus(t, res, http.StatusSeeOther)
	ended := false
	for _, ck := range res.Cookies() {
		ended = ended || (ck.Name == "__Host-gonogo_session" && ck.MaxAge < 0)
	}
	if !ended {
		t.Fatalf("sign-out did not expire the session cookie: %v", res.Header.Values("Set-Cookie"))
	}
}

// wantHostCookie fails unless res sets the cookie name as __Host- demands:
// Secure, Path=/, no Domain; and HttpOnly, as every cookie of ours is.
func wantHostCookie(t *testing.T, res *http.Response, name string) {
	t.Helper()
	for _, ck := range res.Cookies() {
		if strings.HasPrefix(ck.Name, "gonogo_") {
			t.Errorf("cookie %s set without the __Host- prefix over https", ck.Name)
		}
		if ck.Name != name {
			continue
		}
		if !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie %s: %q", name, ck.Raw)
		}
		return
	}
	t.Fatalf("no cookie %s among %v", name, res.Header.Values("Set-Cookie"))
}

// newServerAt starts a server with the usual users whose base URL is
// base(listening address), over TLS if tls is set.
func newServerAt(t *testing.T, base func(addr string) string, tls bool) *testServer {
	t.Helper()
	store := db.OpenTest(t)
	srv := httptest.NewUnstartedServer(nil)
	cfg := handlers.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginDelay: time.Millisecond,
		BaseURL: base(srv.Listener.Addr().String())}
	h := handlers.New(store, cfg)
	srv.Config.Handler = h
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	s := &testServer{Server: srv, store: store, h: h, users: map[string]gonogo.User{}}
	for name, roles := range map[string]gonogo.RoleSet{"qa": {gonogo.QALead}, "ops": {gonogo.Ops}, "rm": {gonogo.ReleaseManager}} {
		s.users[name] = s.mustCreateUser(t, name, roles, false)
	}
	return s
}

// tlsClient is a client that trusts the test server's certificate.
func (s *testServer) tlsClient(t *testing.T) *client {
	t.Helper()
	c := s.client(t)
	c.http.Transport = s.Client().Transport
	return c
}
