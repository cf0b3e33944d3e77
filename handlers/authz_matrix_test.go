package handlers_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// The authorization matrix: every route the router serves, against every
// kind of caller, each cell with the outcome the caller must get. The rows
// are the entries of authTable, apiAuthTable and publicTable; the outcome of
// a cell follows from its row by the rules in expect.

// columns are the callers: signed out, each role and an admin (actors);
// someone who held every role and lost them while signed in ("demoted"); an
// admin whose admin flag was taken away while signed in ("ex-admin"); and
// API tokens of every kind. Signed-out callers carry a CSRF token taken from
// the sign-in page, as a script could, so that what refuses them is the
// sign-in check, not the CSRF check.
var columns = append(slices.Clone(actors), "demoted", "ex-admin",
	"token", "token:product", "token:other", "token:revoked", "token:unknown", "token:basic")

// endsSession are the routes whose success ends or replaces the caller's
// session: each of their cells gets a session of its own.
var endsSession = []string{"POST /logout", "POST /profile/password", "POST /admin/users/:id/status", "POST /login"}

// outcome is what a cell must get.
type outcome struct {
	status    int
	signIn    bool // a redirect to the sign-in page
	challenge bool // a 401 with a Bearer challenge, as the API answers
}

// signedOut is true for the columns without a live session.
func signedOut(col string) bool {
	return col == "anon" || col == "ex-admin" || strings.HasPrefix(col, "token")
}

// anyoneSignedIn is true when a row lets in every signed-in person, whatever
// roles they hold: then someone who holds none gets in too.
func anyoneSignedIn(allowed []string) bool {
	for _, a := range everyone {
		if !slices.Contains(allowed, a) {
			return false
		}
	}
	return true
}

// expect is the outcome of one cell. A token opens no page or form, and a
// session opens no API route.
func expect(key, col string) (outcome, bool) {
	method, _, _ := strings.Cut(key, " ")
	if tc, ok := authTable[key]; ok {
		switch {
		case signedOut(col) && method == http.MethodGet:
			return outcome{status: http.StatusSeeOther, signIn: true}, true
		case signedOut(col):
			return outcome{status: http.StatusUnauthorized}, true
		case col == "demoted" && anyoneSignedIn(tc.allowed), slices.Contains(tc.allowed, col):
			return outcome{status: tc.ok}, true
		}
		return outcome{status: http.StatusForbidden}, true
	}
	if tc, ok := apiAuthTable[key]; ok {
		switch col {
		case "token", "token:product":
			return outcome{status: tc.ok}, true
		case "token:other": // acting on another product's release
			return outcome{status: http.StatusForbidden}, true
		}
		return outcome{status: http.StatusUnauthorized, challenge: true}, true
	}
	if pc, ok := publicTable[key]; ok {
		if signedOut(col) {
			return outcome{status: pc.anon}, true
		}
		return outcome{status: pc.session}, true
	}
	return outcome{}, false
}

func TestAuthorizationTableIsComplete(t *testing.T) {
	s := newServer(t)
	declared := map[string]bool{}
	for _, r := range s.h.Routes() {
		key := r.Method + " " + r.Path
		declared[key] = true
		_, inAuth := authTable[key]
		_, inAPI := apiAuthTable[key]
		_, inPublic := publicTable[key]
		switch {
		case !inAuth && !inAPI && !inPublic:
			t.Errorf("route %s has no entry in the authorization tables", key)
		case r.Token && !inAPI:
			t.Errorf("API route %s belongs in apiAuthTable", key)
		case r.Public && !inPublic:
			t.Errorf("route %s is public: it belongs in publicTable", key)
		case !r.Token && !r.Public && !inAuth:
			t.Errorf("route %s needs a session: it belongs in authTable", key)
		}
		if r.PublicNotes != slices.Contains(publicNotesRoutes, key) {
			t.Errorf("route %s: public with public notes %t, but the list of such routes says otherwise", key, r.PublicNotes)
		}
		if api := strings.HasPrefix(r.Path, "/api/"); (api && !r.Token && !r.Public) || (!api && r.Token) {
			t.Errorf("route %s: the API is authorized by token, and only the API", key)
		}
	}
	for _, r := range s.h.EchoRoutes() {
		if !declared[r.Method+" "+r.Path] {
			t.Errorf("the router serves %s %s, which routes.go does not declare", r.Method, r.Path)
		}
	}
	for _, keys := range [][]string{mapKeys(authTable), mapKeys(apiAuthTable), mapKeys(publicTable), streamRoutes, endsSession} {
		for _, key := range keys {
			if !declared[key] {
				t.Errorf("the tables list %s, which is not a route", key)
			}
		}
	}
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// matrix holds what every cell shares: a client per column, the header each
// token column sends, and the fixtures that cells which change nothing act on.
type matrix struct {
	s       *testServer
	clients map[string]*client
	auth    map[string]string // the Authorization header of each token column
	api     map[string]string // the API's placeholders
	shared  fixture
	hook    int64
	sink    string
	n       int
}

func TestAuthorizationMatrix(t *testing.T) {
	s := newServer(t)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer sink.Close()
	m := &matrix{s: s, sink: sink.URL + "/hook", clients: map[string]*client{}}
	hook, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: m.sink,
		Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicWindow}})
	if err != nil {
		t.Fatal(err)
	}
	m.hook = hook.ID
	s.mustCreateUser(t, "login", nil, false) // whom POST /login signs in

	// The API acts on releases of the fixtures' product, "authz".
	goRel := s.mustGoRelease(t, "authz", "2.0.0")
	draft := s.mustCreateRelease(t, "authz", "2.1.0")
	deploying := s.mustCreateRelease(t, "authz", "2.2.0")
	s.setState(t, deploying.ID, gonogo.Deploying)
	m.api = map[string]string{"{product}": "authz", "{draft}": draft.Version, "{go}": goRel.Version,
		"{goID}": itoa(goRel.ID), "{deploying}": deploying.Version}
	secrets := map[string]string{
		"token":         s.mustToken(t, "ci", ""),
		"token:product": s.mustToken(t, "authz-ci", "authz"),
		"token:other":   s.mustToken(t, "web-ci", "web"),
		"token:revoked": s.mustRevokedToken(t, "old-ci"),
		"token:unknown": "gng_" + strings.Repeat("x", 43),
	}
	m.auth = map[string]string{"token:basic": "Basic " + base64.StdEncoding.EncodeToString([]byte("ci:"+secrets["token"]))}
	for col, secret := range secrets {
		m.auth[col] = "Bearer " + secret
	}

	for _, col := range columns {
		if _, person := s.users[col]; person {
			m.clients[col] = s.signIn(t, col) // the comment's author is the rm user itself
		} else {
			m.clients[col] = m.newClient(t, col)
		}
	}
	m.shared = m.fixture(t, "")

	for _, r := range s.h.Routes() {
		key := r.Method + " " + r.Path
		if _, ok := expect(key, "anon"); !ok {
			t.Errorf("%s has no row in the authorization tables", key)
			continue
		}
		for _, col := range columns {
			t.Run(key+"/"+col, func(t *testing.T) {
				want, _ := expect(key, col)
				res := m.run(t, key, col, want)
				if res.StatusCode != want.status {
					body, _ := io.ReadAll(res.Body)
					t.Fatalf("%s as %s: status %d, want %d\n%.400s", res.Request.URL, col, res.StatusCode, want.status, body)
				}
				if loc := res.Header.Get("Location"); want.signIn && !strings.HasPrefix(loc, "/login?next=") {
					t.Fatalf("redirected to %q, want the sign-in page", loc)
				}
				if want.challenge && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("401 without a Bearer challenge: %v", res.Header)
				}
			})
		}
	}

	// A token's use is recorded for the admin page; a refused one is not.
	tok, _ := s.store.FindTokenBySecret(t.Context(), secrets["token:product"])
	if tok.LastUsedAt.IsZero() {
		t.Error("the token's last use was not recorded")
	}
	if never, _ := s.store.FindTokenBySecret(t.Context(), secrets["token:revoked"]); !never.LastUsedAt.IsZero() {
		t.Error("a refused, revoked token was recorded as used")
	}
}

// run sends one cell's request. A cell that is to change something acts on
// a fixture of its own; the others share one, which they cannot change
// without failing.
func (m *matrix) run(t *testing.T, key, col string, want outcome) *http.Response {
	t.Helper()
	method, _, _ := strings.Cut(key, " ")
	m.n++
	c := m.clients[col]
	if slices.Contains(endsSession, key) {
		c = m.newClient(t, col)
	}
	var path, body string
	var form url.Values
	if tc, ok := apiAuthTable[key]; ok {
		fill := m.api
		fill["{n}"] = fmt.Sprint(m.n)
		path, body = replaceAll(tc.path, fill), replaceAll(tc.body, fill)
	} else if pc, ok := publicTable[key]; ok {
		path, form = pc.path, pc.form
	} else {
		tc := authTable[key]
		fx := m.shared
		if method != http.MethodGet && want.status < 400 {
			fx = m.fixture(t, key)
		}
		path = fx.fill(tc.path)
		form = url.Values{}
		for k, vs := range tc.form {
			for _, v := range vs {
				form.Add(k, fx.fill(v))
			}
		}
	}
	return m.send(t, c, col, method, path, form, body, slices.Contains(streamRoutes, key))
}

func replaceAll(s string, fill map[string]string) string {
	for k, v := range fill {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// send makes the request as the column's caller: the client's cookies, its
// CSRF token in the form (or, for the API, in the header, as htmx sends it),
// and the column's Authorization header.
func (m *matrix) send(t *testing.T, c *client, col, method, path string, form url.Values, body string, stream bool) *http.Response {
	t.Helper()
	api := strings.HasPrefix(path, "/api/")
	var rd io.Reader
	if method != http.MethodGet {
		if !api {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("_csrf", c.csrf)
			body = f.Encode()
		}
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, m.s.URL+path, rd)
	switch {
	case method == http.MethodGet:
	case api:
		req.Header.Set("Content-Type", "application/json")
	default:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if api && c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if a := m.auth[col]; a != "" {
		req.Header.Set("Authorization", a)
	}
	if stream {
		// The answer's status and headers are all a cell needs; then hang up.
		ctx, cancel := context.WithCancel(t.Context())
		t.Cleanup(cancel)
		res, err := c.http.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode == http.StatusOK {
			cancel()
			res.Body.Close()
			res.Body = io.NopCloser(strings.NewReader(""))
		}
		return res
	}
	res := c.do(req)
	if api {
		raw, _ := io.ReadAll(res.Body)
		checkAPIAnswer(t, req, res, raw)
		res.Body = io.NopCloser(strings.NewReader(string(raw)))
	}
	return res
}

// fixture makes what a cell of route key acts on, with a webhook of its own
// when the cell removes one.
func (m *matrix) fixture(t *testing.T, key string) fixture {
	t.Helper()
	fx := m.s.newFixture(t, m.n)
	fx.webhook, fx.sink = m.hook, m.sink
	if key == "POST /admin/webhooks/:id/delete" {
		h, err := m.s.store.CreateWebhook(t.Context(), m.s.actorOf("admin"), gonogo.WebhookInput{URL: m.sink,
			Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicWindow}})
		if err != nil {
			t.Fatal(err)
		}
		fx.webhook = h.ID
	}
	return fx
}

// newClient makes a fresh caller for col.
func (m *matrix) newClient(t *testing.T, col string) *client {
	t.Helper()
	return m.s.caller(t, col, fmt.Sprintf("%s-twin%d", strings.ReplaceAll(col, ":", "-"), m.n))
}

// caller makes a fresh caller for a column of the matrix: a new user named
// name with the roles of the column's actor, since some cells end sessions,
// or a client that has only seen the sign-in page for the signed out.
func (s *testServer) caller(t *testing.T, col, name string) *client {
	t.Helper()
	switch {
	case col == "demoted":
		return s.demoted(t, name)
	case col == "ex-admin":
		return s.exAdmin(t, name)
	case signedOut(col):
		c := s.client(t)
		c.get("/login")
		return c
	}
	u := s.users[col]
	s.mustCreateUser(t, name, u.Roles, u.Admin)
	return s.signIn(t, name)
}

// demoted signs in someone holding every role, then takes the roles away
// while the session lives: the very next request is refused.
func (s *testServer) demoted(t *testing.T, name string) *client {
	t.Helper()
	u := s.mustCreateUser(t, name, gonogo.NewRoleSet(gonogo.Roles...), false)
	c := s.signIn(t, name)
	res, _ := c.get("/releases/new")
	wantStatus(t, res, http.StatusOK)
	none := gonogo.RoleSet{}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), u.ID, db.UserUpdate{Roles: &none}); err != nil {
		t.Fatal(err)
	}
	res, _ = c.get("/releases/new")
	wantStatus(t, res, http.StatusForbidden)
	return c
}

// exAdmin signs in an admin, then takes the admin flag away while the
// session lives: the session ends at once.
func (s *testServer) exAdmin(t *testing.T, name string) *client {
	t.Helper()
	u := s.mustCreateUser(t, name, nil, true)
	c := s.signIn(t, name)
	res, _ := c.get("/admin/users")
	wantStatus(t, res, http.StatusOK)
	no := false
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), u.ID, db.UserUpdate{Admin: &no}); err != nil {
		t.Fatal(err)
	}
	res, _ = c.get("/admin/users")
	wantStatus(t, res, http.StatusSeeOther)
	c.get("/login") // the page a signed-out browser would take its next token from
	return c
}
