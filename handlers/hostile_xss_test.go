package handlers_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views/xsstest"
)

// payloadsPerField is how many payloads each field of each form is sent.
// They are taken in turn from the corpus, so that across all forms every
// payload goes through many fields, without sending every payload through
// every field.
const payloadsPerField = 6

// apiOptionalFields fill the fields of API bodies that apiAuthTable leaves
// out, so that every text a pipeline can send is tried.
var apiOptionalFields = map[string]map[string]any{
	"POST /api/v1/releases":                               {"summary": "From CI."},
	"POST /api/v1/releases/:product/:version/checks/:key": {"url": "https://ci.example.com/runs/1", "summary": "All green."},
	"POST /api/v1/releases/:product/:version/events":      {"url": "https://ci.example.com/runs/1", "summary": "Smoke test green."},
}

// TestHostileXSSNeverRenders sends XSS payloads through every field of every
// form and API body, from the route tables, then reads every page of the
// board as someone who may see it: no payload may come back as markup,
// neither on the pages that show what was stored nor on the forms that
// refuse it and show it again.
func TestHostileXSSNeverRenders(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer sink.Close()
	clients := map[string]*client{}
	for _, a := range actors[1:] {
		clients[a] = s.signIn(t, a)
	}
	check := func(t *testing.T, where string, res *http.Response) {
		t.Helper()
		if res.StatusCode >= 500 {
			t.Fatalf("%s: status %d", where, res.StatusCode)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			return
		}
		if bad := xsstest.Page(parse(t, res)); len(bad) > 0 {
			t.Errorf("%s: %v", where, bad)
		}
	}
	next := 0
	payload := func() string {
		p := xsstest.Payloads[next%len(xsstest.Payloads)]
		next++
		return p
	}
	taken := 0
	var fixtures []fixture
	n := 0
	for _, key := range slices.Sorted(maps.Keys(authTable)) {
		tc := authTable[key]
		if method, _, _ := strings.Cut(key, " "); method != http.MethodPost {
			continue
		}
		t.Run(key, func(t *testing.T) {
			n++
			fx := s.newFixture(t, n)
			fx.sink = sink.URL + "/hook"
			hook, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: fx.sink,
				Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicWindow, gonogo.TopicNudge}})
			if err != nil {
				t.Fatal(err)
			}
			fx.webhook = hook.ID
			fixtures = append(fixtures, fx)
			actor := hostileActor(tc.allowed)
			c := clients[actor]
			if slices.Contains(endsSession, key) {
				c = s.caller(t, actor, "xss-"+itoa(int64(n)))
			}
			base := fullForm(key, fx)
			// Payloads first: some forms take one change only (a decision),
			// and it should be a payload. The whole valid form last, to show
			// the form takes something at all.
			routeTaken := 0
			for _, field := range slices.Sorted(maps.Keys(base)) {
				for i := range payloadsPerField {
					form := cloneForm(base)
					form.Set(field, payload())
					// Every other one as htmx sends it: the fragments that
					// answer it show the refused text again too.
					send := c.post
					if i%2 == 1 {
						send = c.postHX
					}
					res := send(fx.fill(tc.path), form)
					check(t, field+" "+form.Get(field), res)
					if res.StatusCode < 400 {
						routeTaken++
					}
				}
			}
			if res := c.post(fx.fill(tc.path), base); res.StatusCode == tc.ok {
				routeTaken++
			}
			if routeTaken == 0 {
				t.Errorf("the form took neither a payload nor its valid base: the test proves nothing for it")
			}
			taken += routeTaken
		})
	}

	// The API, with a token for every product.
	goRel := s.mustGoRelease(t, "authz", "2.0.0")
	draft := s.mustCreateRelease(t, "authz", "2.1.0")
	deploying := s.mustCreateRelease(t, "authz", "2.2.0")
	s.setState(t, deploying.ID, gonogo.Deploying)
	token := s.mustToken(t, "ci", "")
	fill := strings.NewReplacer("{product}", "authz", "{draft}", draft.Version, "{go}", goRel.Version,
		"{goID}", itoa(goRel.ID), "{deploying}", deploying.Version)
	pages := []string{"/releases/" + itoa(draft.ID), "/releases/" + itoa(deploying.ID)}
	for _, key := range slices.Sorted(maps.Keys(apiAuthTable)) {
		tc := apiAuthTable[key]
		method, _, _ := strings.Cut(key, " ")
		if method != http.MethodPost {
			continue
		}
		var base map[string]any
		if err := json.Unmarshal([]byte(fill.Replace(strings.ReplaceAll(tc.body, "{n}", "0"))), &base); err != nil {
			t.Fatal(err)
		}
		maps.Copy(base, apiOptionalFields[key])
		for _, field := range slices.Sorted(maps.Keys(base)) {
			for i := range payloadsPerField {
				body := maps.Clone(base)
				body[field] = payload()
				if v, ok := body["version"].(string); ok && field != "version" {
					body["version"] = v + "-" + field + itoa(int64(i)) // a release of its own each time
				}
				raw, _ := json.Marshal(body)
				res := s.call(t, method, fill.Replace(tc.path), token, string(raw))
				if res.status >= 500 {
					t.Errorf("%s %s=%q: status %d", key, field, body[field], res.status)
				}
				if res.status < 400 {
					taken++
					if id := res.str("id"); id != "" {
						pages = append(pages, "/releases/"+id)
					}
				}
			}
		}
	}
	if taken < 100 {
		t.Fatalf("only %d payloads were taken; the test would prove little", taken)
	}
	t.Logf("%d payloads and valid forms were taken and stored", taken)

	// Every page, as someone who may see it, for every fixture a form
	// stored payloads on.
	for _, key := range slices.Sorted(maps.Keys(authTable)) {
		tc := authTable[key]
		if method, _, _ := strings.Cut(key, " "); method != http.MethodGet || slices.Contains(streamRoutes, key) {
			continue
		}
		c := clients[hostileActor(tc.allowed)]
		seen := map[string]bool{}
		for _, fx := range fixtures {
			path := fx.fill(tc.path)
			if seen[path] {
				continue // a page without placeholders is read once
			}
			seen[path] = true
			req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
			res := c.do(req)
			if res.StatusCode != tc.ok {
				body, _ := io.ReadAll(res.Body)
				t.Errorf("%s: status %d, want %d\n%.300s", path, res.StatusCode, tc.ok, body)
				continue
			}
			check(t, path, res)
		}
	}
	for _, fx := range fixtures {
		pages = append(pages, "/releases/"+itoa(fx.release.ID)+"/decisions/1", "/admin/users/"+itoa(fx.user.ID))
	}
	for _, path := range append(pages, "/notes?q=alert", "/notes?q=script", "/admin/audit") {
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		res := clients["admin"].do(req)
		if res.StatusCode == http.StatusNotFound && strings.Contains(path, "/decisions/") {
			continue // no decision was taken on that release
		}
		check(t, path, res)
		if res.StatusCode >= 400 {
			t.Errorf("%s: status %d", path, res.StatusCode)
		}
	}
}
