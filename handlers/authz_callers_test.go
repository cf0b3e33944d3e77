package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// How the matrix (authz_matrix_test.go) sends each cell's request, and the
// callers it sends them as.

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
	if col == "token:feed" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "token=" + m.feed
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
	return m.s.caller(t, col, fmt.Sprintf("%s-twin%d", strings.NewReplacer(":", "-", "@", "-").Replace(col), m.n))
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
	if actor, product, ok := scoped(col); ok {
		s.mustScopedUser(t, name, gonogo.Grant{Role: roleOf[actor], Product: product})
		return s.signIn(t, name)
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
