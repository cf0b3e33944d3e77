package handlers_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// Hostile input: every form and API endpoint, taken from the route tables
// (authTable, apiAuthTable, publicTable) with their valid forms as the base,
// is sent what no browser or pipeline sends. Each request must be refused
// with a 4xx, and nothing may reach the database.

// tooLong is longer than any field gonogo takes, within the body limit.
var tooLong = strings.Repeat("x", 100_000)

// listFields are the form fields that are lists (checkbox groups): sending
// them more than once is how a browser sends a list.
var listFields = []string{"roles", "topics"}

// optionalFields fill, for the forms that have them, the fields authTable's
// valid forms leave empty, so that every field a person can fill is tried.
// Together with authTable's they are still valid: TestXSSNeverRenders sends
// each whole form first and wants it taken.
var optionalFields = map[string]url.Values{
	"POST /releases":                 {"summary": {"Checkout, faster."}, "window_start": {"2099-03-01T20:00"}, "window_end": {"2099-03-01T22:00"}},
	"POST /releases/:id":             {"summary": {"Checkout, faster."}},
	"POST /releases/:id/items/:item": {"evidence": {"https://ci.example.com/runs/1"}},
	"POST /releases/:id/items":       {"guidance": {"Ask legal."}, "check_key": {"legal-ok"}},
	"POST /releases/:id/defects": {"key": {"PAY-1"}, "tracker_url": {"https://tracker.example.com/PAY-1"},
		"notes": {"Seen on Safari."}, "status": {"open"}},
	"POST /releases/:id/defects/:defect": {"key": {"PAY-1"}, "tracker_url": {"https://tracker.example.com/PAY-1"},
		"notes": {"Seen on Safari."}},
	"POST /releases/:id/defects/:defect/status": {"reason": {"Fixed in build 7."}},
	"POST /releases/:id/votes":                  {"comment": {"Regression suite green."}, "conditions": {"ops: deploy off-peak"}},
	"POST /releases/:id/decisions":              {"conditions": {"ops: deploy off-peak"}},
	"POST /releases/:id/notes":                  notesExtras,
	"POST /releases/:id/notes/publish":          notesExtras,
	"POST /releases/:id/notes/preview":          notesExtras,
	"POST /freezes":                             {"reason": {"Black Friday."}, "products": {"authz"}},
	"POST /admin/settings":                      {"start_1": {"20:00"}, "end_1": {"23:00"}},
	"POST /admin/tokens":                        {"product": {"authz"}},
	"POST /admin/template":                      {"guidance": {"Flip the flag off."}, "check_key": {"flag-off"}, "required": {"1"}},
	"POST /admin/template/:id":                  {"guidance": {"Flip the flag off."}, "check_key": {"flag-off"}, "required": {"1"}},
}

var notesExtras = url.Values{"changes": {"Faster."}, "fixes": {"Refunds round right."}, "known_issues": {"Safari 16 flickers."},
	"internal": {"Ask ops first."}, "links": {"Help | https://help.example.com/pay"}, "note": {"Typo fixed."}}

// fullForm is a route's valid form, every field filled, for the fixture.
func fullForm(key string, fx fixture) url.Values {
	form := url.Values{}
	for _, f := range []url.Values{authTable[key].form, optionalFields[key]} {
		for k, vs := range f {
			for _, v := range vs {
				form.Add(k, fx.fill(v))
			}
		}
	}
	return form
}

// variant is one hostile request: a form or body, and how it is sent.
type variant struct {
	name        string
	body        string
	contentType string // "" sends none
}

// formVariants are the hostile versions of a valid form.
func formVariants(base url.Values) []variant {
	form := func(name string, f url.Values) variant {
		return variant{name, f.Encode(), "application/x-www-form-urlencoded"}
	}
	var out []variant
	for _, k := range slices.Sorted(maps.Keys(base)) {
		v := base.Get(k)
		for _, bad := range []struct{ name, value string }{
			{"too long", tooLong}, {"invalid UTF-8", v + "\xff\xfe"}, {"NUL", v + "\x00"}, {"control character", v + "\x1b[2J"},
		} {
			f := cloneForm(base)
			f.Set(k, bad.value)
			out = append(out, form(k+" "+bad.name, f))
		}
		if !slices.Contains(listFields, k) {
			f := cloneForm(base)
			f.Add(k, v+"-again")
			out = append(out, form(k+" twice", f))
		}
	}
	out = append(out, variant{"broken escape", base.Encode() + "&title=%zz", "application/x-www-form-urlencoded"})
	huge := cloneForm(base)
	huge.Set("padding", strings.Repeat("x", 2<<20))
	js, _ := json.Marshal(base)
	return append(out,
		form("huge body", huge),
		variant{"as JSON", string(js), "application/json"},
		variant{"as plain text", base.Encode(), "text/plain"},
		variant{"multipart without a boundary", base.Encode(), "multipart/form-data"},
		variant{"no content type", base.Encode(), ""},
	)
}

// jsonVariants are the hostile versions of a valid API body.
func jsonVariants(base string) []variant {
	var fields map[string]any
	if err := json.Unmarshal([]byte(base), &fields); err != nil {
		panic(err)
	}
	body := func(name string, f map[string]any) variant {
		b, _ := json.Marshal(f)
		return variant{name, string(b), "application/json"}
	}
	var out []variant
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v, _ := fields[k].(string)
		for _, bad := range []struct{ name, value string }{{"too long", tooLong}, {"NUL", v + "\x00"}, {"control character", v + "\x1b[2J"}} {
			f := maps.Clone(fields)
			f[k] = bad.value
			out = append(out, body(k+" "+bad.name, f))
		}
		// encoding/json would mend invalid UTF-8, so it is written by hand.
		f := maps.Clone(fields)
		f[k] = "MARK"
		b, _ := json.Marshal(f)
		out = append(out, variant{k + " invalid UTF-8", strings.Replace(string(b), "MARK", v+"\xff\xfe", 1), "application/json"})
		again, _ := json.Marshal(v + "-again")
		out = append(out, variant{k + " twice", strings.TrimSuffix(base, "}") + `,"` + k + `":` + string(again) + "}", "application/json"})
	}
	return append(out,
		variant{"huge body", strings.TrimSuffix(base, "}") + `,"padding":"` + strings.Repeat("x", 2<<20) + `"}`, "application/json"},
		variant{"not an object", `["` + base + `"]`, "application/json"},
		variant{"two objects", base + base, "application/json"},
		variant{"as a form", base, "application/x-www-form-urlencoded"},
		variant{"as plain text", base, "text/plain"},
		variant{"as JSON of another kind", base, "application/json-patch+json"},
	)
}

// pathVariants replace each placeholder of a route's path in turn with what
// no link holds: for an id, what is not one; for a name, what no product
// or version may be called.
func pathVariants(path string) []struct{ name, path string } {
	ids := []string{"%00", "%FF", "-1", "0", "99999999999999999999", "1%20OR%201=1", "..%2F..%2Fadmin", strings.Repeat("9", 5000)}
	names := []string{"%00", "%FF", "..%2F..%2Fadmin", "%3Cscript%3E", "a%20b", strings.Repeat("a", 5000)}
	var out []struct{ name, path string }
	for _, ph := range []string{"{release}", "{item}", "{custom}", "{defect}", "{decided}", "{freeze}", "{comment}", "{user}",
		"{tpl}", "{token}", "{webhook}", "{goID}", "{version}", "{go}", "{draft}", "{deploying}", "{product}"} {
		if !strings.Contains(path, ph) {
			continue
		}
		bad := ids
		if slices.Contains([]string{"{version}", "{go}", "{draft}", "{deploying}", "{product}"}, ph) {
			bad = names
		}
		for _, b := range bad {
			out = append(out, struct{ name, path string }{ph + "=" + b, strings.ReplaceAll(path, ph, b)})
		}
	}
	return out
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = slices.Clone(v)
	}
	return out
}

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
