package handlers_test

import (
	"database/sql"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// Hostile input (see hostile_inputs_test.go for what is sent): each request
// must be refused with a 4xx, and nothing may reach the database.

// dbWatch sees, from a connection of its own, whether anything was
// committed to the server's database, and counts its audit events.
type dbWatch struct {
	t    *testing.T
	conn *sql.Conn
}

func (s *testServer) watch(t *testing.T) *dbWatch {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	conn, err := raw.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &dbWatch{t, conn}
}

// dbState is what a refused request must leave as it was.
type dbState struct{ version, events int64 }

func (w *dbWatch) state() dbState {
	w.t.Helper()
	var st dbState
	// data_version changes whenever another connection commits.
	if err := w.conn.QueryRowContext(w.t.Context(), `PRAGMA data_version`).Scan(&st.version); err != nil {
		w.t.Fatal(err)
	}
	if err := w.conn.QueryRowContext(w.t.Context(), `SELECT count(*) FROM audit_events`).Scan(&st.events); err != nil {
		w.t.Fatal(err)
	}
	return st
}

// refused fails the test unless res is a 4xx and the database is as before.
func (w *dbWatch) refused(t *testing.T, what string, res *http.Response, before dbState) {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("%s: status %d, want a 4xx\n%.300s", what, res.StatusCode, body)
	}
	after := w.state()
	if after.events != before.events {
		t.Errorf("%s: %d audit events written by a refused request", what, after.events-before.events)
	} else if after.version != before.version {
		t.Errorf("%s: a refused request changed the database", what)
	}
}

// hostileActor is who sends a route's hostile requests: the release
// manager where permitted, who may do the most, else the first permitted.
func hostileActor(allowed []string) string {
	if slices.Contains(allowed, "rm") {
		return "rm"
	}
	return allowed[0]
}

// sendRaw posts body with the content type as c, its CSRF token in the
// header (as htmx sends it), so that only the input itself is at fault.
func sendRaw(t *testing.T, c *client, method, path string, v variant, headers map[string]string) *http.Response {
	t.Helper()
	var rd io.Reader
	if method != http.MethodGet {
		rd = strings.NewReader(v.body)
	}
	req, _ := http.NewRequest(method, c.srv.URL+path, rd)
	if v.contentType != "" {
		req.Header.Set("Content-Type", v.contentType)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, val := range headers {
		req.Header.Set(k, val)
	}
	return c.do(req)
}

// freezeClock stops the server's clock, so that neither sessions nor tokens
// are touched on use and any write is one a request asked for.
func freezeClock(s *testServer) {
	now := time.Now().UTC().Truncate(time.Second)
	s.store.Now = func() time.Time { return now }
}

func TestHostileFormsAreRefused(t *testing.T) {
	s := newServer(t)
	freezeClock(s)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer sink.Close()
	clients := map[string]*client{}
	for _, a := range actors[1:] {
		clients[a] = s.signIn(t, a)
	}
	// Every request is to be refused, so all of them may act on one fixture.
	fx := s.newFixture(t, 1)
	fx.sink = sink.URL + "/hook"
	hook, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: fx.sink,
		Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicWindow}})
	if err != nil {
		t.Fatal(err)
	}
	fx.webhook = hook.ID
	w := s.watch(t)
	n := 0
	for _, key := range slices.Sorted(maps.Keys(authTable)) {
		tc := authTable[key]
		method, _, _ := strings.Cut(key, " ")
		if slices.Contains(streamRoutes, key) {
			continue
		}
		t.Run(key, func(t *testing.T) {
			actor := hostileActor(tc.allowed)
			form := fullForm(key, fx)
			// Each request gets a session of its own where a mistaken
			// success would end it.
			client := func() *client {
				if slices.Contains(endsSession, key) {
					n++
					return s.caller(t, actor, fmt.Sprintf("hostile%d", n))
				}
				return clients[actor]
			}
			for _, pv := range pathVariants(tc.path) {
				c := client()
				before := w.state()
				res := sendRaw(t, c, method, fx.fill(pv.path), variant{body: form.Encode(), contentType: "application/x-www-form-urlencoded"}, nil)
				w.refused(t, pv.name, res, before)
			}
			if method == http.MethodGet {
				return
			}
			for _, v := range formVariants(form) {
				c := client()
				before := w.state()
				res := sendRaw(t, c, method, fx.fill(tc.path), v, nil)
				w.refused(t, v.name, res, before)
			}
		})
	}
}

func TestHostilePublicFormsAreRefused(t *testing.T) {
	for _, key := range slices.Sorted(maps.Keys(publicTable)) {
		pc := publicTable[key]
		method, _, _ := strings.Cut(key, " ")
		if method == http.MethodGet {
			continue
		}
		t.Run(key, func(t *testing.T) {
			// Setting up is for a board without users; each route gets a
			// server of its own, so that refused sign-ins slow no other.
			s := newServer(t)
			if key == "POST /setup" {
				s = newEmptyServer(t)
			}
			freezeClock(s)
			w := s.watch(t)
			c := s.client(t)
			for _, v := range formVariants(pc.form) {
				c.get(pc.path)
				before := w.state()
				res := sendRaw(t, c, method, pc.path, v, nil)
				w.refused(t, v.name, res, before)
			}
		})
	}
}

func TestHostileAPIRequestsAreRefused(t *testing.T) {
	s := newServer(t)
	freezeClock(s)
	goRel := s.mustGoRelease(t, "authz", "2.0.0")
	draft := s.mustCreateRelease(t, "authz", "2.1.0")
	deploying := s.mustCreateRelease(t, "authz", "2.2.0")
	s.setState(t, deploying.ID, gonogo.Deploying)
	secret := s.mustToken(t, "ci", "")
	c := s.client(t)
	auth := map[string]string{"Authorization": "Bearer " + secret}
	sendRaw(t, c, http.MethodGet, "/api/v1/releases", variant{}, auth) // its first use is recorded, once
	fill := strings.NewReplacer("{product}", "authz", "{draft}", draft.Version, "{go}", goRel.Version,
		"{goID}", itoa(goRel.ID), "{deploying}", deploying.Version, "{n}", "1")
	w := s.watch(t)
	api := func(t *testing.T, what, method, path string, v variant) {
		t.Helper()
		before := w.state()
		res := sendRaw(t, c, method, path, v, auth)
		raw, _ := io.ReadAll(res.Body)
		res.Body = io.NopCloser(strings.NewReader(string(raw)))
		checkAPIAnswer(t, res.Request, res, raw)
		w.refused(t, what, res, before)
	}
	for _, key := range slices.Sorted(maps.Keys(apiAuthTable)) {
		tc := apiAuthTable[key]
		method, _, _ := strings.Cut(key, " ")
		t.Run(key, func(t *testing.T) {
			body := fill.Replace(tc.body)
			for _, pv := range pathVariants(tc.path) {
				api(t, pv.name, method, fill.Replace(pv.path), variant{body: body, contentType: "application/json"})
			}
			if method == http.MethodGet {
				return
			}
			for _, v := range jsonVariants(body) {
				api(t, v.name, method, fill.Replace(tc.path), v)
			}
		})
	}
}
