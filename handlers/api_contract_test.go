package handlers_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gonogo/gonogo"
)

// TestAPIBodiesMustSayTheyAreJSON: docs/pipelines.md promises 415 for a body sent
// as anything but JSON, and a body sent with no type at all has not said.
func TestAPIBodiesMustSayTheyAreJSON(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	path := "/api/v1/releases/payments/2.4.0/checks/smoke-test"
	for _, tc := range []struct {
		name, contentType string
		status            int
	}{
		{"no Content-Type", "", http.StatusUnsupportedMediaType},
		{"a form", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"plain text", "text/plain", http.StatusUnsupportedMediaType},

		{"another JSON type", "application/merge-patch+json", http.StatusUnsupportedMediaType},
		{"JSON in UTF-8, said so", "application/json; charset=UTF-8", http.StatusOK},
		{"JSON", "application/json", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(`{"status":"pass"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			res := s.send(t, req).want(t, tc.status)
			if tc.status != http.StatusOK {
				if it := s.mustItem(t, rel.ID, "Smoke test passes in staging"); it.Status != gonogo.ItemOpen {
					t.Fatalf("a refused report changed the item: %+v", it)
				}
				if !strings.Contains(res.str("error"), "Content-Type: application/json") {
					t.Fatalf("error %q does not say what to send", res.str("error"))
				}
			}
		})
	}
}

// TestAPITakesValuesExactlyAsSent: what the OpenAPI document forbids, the
// server refuses, rather than mending it into something the client did not
// send; what it allows, the server takes.
func TestAPITakesValuesExactlyAsSent(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	token := s.mustToken(t, "ci", "")
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	check := "/api/v1/releases/payments/2.4.0/checks/"
	events := "/api/v1/releases/payments/2.4.0/events"
	before := s.releaseCount(t)
	for _, tc := range []struct {
		name, path, body string
		status           int
		reason           string // a reason, or the error, holds this
	}{
		{"status in capitals", check + "smoke-test", `{"status":"PASS"}`, 422, `status must be "pass"`},
		{"status with a space", check + "smoke-test", `{"status":"pass "}`, 422, "status must not start or end with white space"},
		{"url null", check + "smoke-test", `{"status":"pass","url":null}`, 400, "url must not be null"},
		{"summary null", check + "smoke-test", `{"status":"pass","summary":null}`, 400, "summary must not be null"},
		{"status null", check + "smoke-test", `{"status":null}`, 400, "status must not be null"},
		{"url with a space", check + "smoke-test", `{"status":"pass","url":" https://ci.example.com/1"}`, 422, "url must not start or end with white space"},
		{"key in capitals", check + "Smoke-Test", `{"status":"pass"}`, 422, `key must be "smoke-test"`},
		{"key as another field name", check + "smoke-test", `{"Status":"pass"}`, 400, `send "status"`},
		{"event in capitals", events, `{"event":"Smoke-Passed"}`, 422, "event must be one of"},
		{"event url null", events, `{"event":"smoke-passed","url":null}`, 400, "url must not be null"},
		{"event summary with a space", events, `{"event":"smoke-passed","summary":"ok\n"}`, 422, "summary must not start or end"},
		{"product in capitals", "/api/v1/releases", `{"product":"Payments","version":"2.5.0","title":"T"}`, 422, `product must be "payments"`},
		{"version with a space", "/api/v1/releases", `{"product":"payments","version":"2.5.0 ","title":"T"}`, 422, "version must not start"},
		{"title with a space", "/api/v1/releases", `{"product":"payments","version":"2.5.0","title":" T"}`, 422, "title must not start"},
		{"title a number", "/api/v1/releases", `{"product":"payments","version":"2.5.0","title":5}`, 400, "title must be a string, not a number"},
		{"title an array", "/api/v1/releases", `{"product":"payments","version":"2.5.0","title":["T"]}`, 400, "title must be a string, not an array"},
		{"title true", "/api/v1/releases", `{"product":"payments","version":"2.5.0","title":true}`, 400, "title must be a string, not true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := s.call(t, http.MethodPost, tc.path, token, tc.body).want(t, tc.status)
			said := append([]string{res.str("error")}, res.list("reasons")...)
			if !slices.ContainsFunc(said, func(r string) bool { return strings.Contains(strings.ToLower(r), strings.ToLower(tc.reason)) }) {
				t.Fatalf("answer %v does not say %q", said, tc.reason)
			}
		})
	}
	if it := s.mustItem(t, rel.ID, "Smoke test passes in staging"); it.Status != gonogo.ItemOpen {
		t.Fatalf("a refused report changed the item: %+v", it)
	}
	if n := s.releaseCount(t); n != before {
		t.Fatalf("%d releases made by refused requests", n-before)
	}
	// An empty link is no link: the document allows it, the server takes it.
	s.call(t, http.MethodPost, check+"smoke-test", token, `{"status":"pass","url":""}`).want(t, http.StatusOK)
	if it := s.mustItem(t, rel.ID, "Smoke test passes in staging"); it.Status != gonogo.ItemDone {
		t.Fatalf("item %+v", it)
	}
	// The document says so too.
	doc := loadOpenAPI(t, s)
	link := doc.Components.Schemas["CheckReport"].Value.Properties["url"].Value
	if err := link.VisitJSON("", openapi3.EnableJSONSchema2020()); err != nil {
		t.Fatalf("the document refuses an empty url, which the server takes: %v", err)
	}
}

// TestAPIErrorsNameNoInternals: a body of the wrong shape is told what the
// API expects, in its own words, never Go's.
func TestAPIErrorsNameNoInternals(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	s.mustCreateRelease(t, "payments", "2.4.0")
	for _, tc := range []struct{ name, body, want string }{
		{"array", `[]`, "the body must be a JSON object"},
		{"array of an object", `[{"status":"pass"}]`, "the body must be a JSON object"},
		{"string", `"pass"`, "the body must be a JSON object"},
		{"number", `1`, "the body must be a JSON object"},
		{"null", `null`, "the body must be a JSON object"},
		{"status a number", `{"status":1}`, "status must be a string, not a number"},
		{"status an object", `{"status":{}}`, "status must be a string, not an object"},
		{"cut short", `{"status":"pass"`, "the request body is not valid JSON"},
		{"unknown field", `{"stauts":"pass"}`, `the request body has a field "stauts"`},
		{"two objects", `{"status":"pass"}{"status":"fail"}`, "the request body must hold a single JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := s.call(t, http.MethodPost, "/api/v1/releases/payments/2.4.0/checks/smoke-test", token, tc.body).want(t, http.StatusBadRequest)
			msg := res.str("error")
			if !strings.HasPrefix(msg, tc.want) {
				t.Errorf("error %q, want %q", msg, tc.want)
			}
			for _, internal := range []string{"Go ", "handlers.", "gonogo.", "struct", "checkRequest", "unmarshal"} {
				if strings.Contains(msg, internal) {
					t.Errorf("error %q names %q, which is ours", msg, internal)
				}
			}
		})
	}
}

// TestAPIUnknownStateSaysWhy: a filter on a state that does not exist is a
// 422 whose reasons name the parameter, like every other refused field.
func TestAPIUnknownStateSaysWhy(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	for _, q := range []string{"state=bogus", "state=go,bogus", "state=go&state=bogus", "state=go,%20review", "state=", "state=GO"} {
		t.Run(q, func(t *testing.T) {
			res := s.call(t, http.MethodGet, "/api/v1/releases?"+q, token, "").want(t, http.StatusUnprocessableEntity)
			reasons := res.list("reasons")
			if len(reasons) == 0 || !strings.HasPrefix(reasons[0], "state: ") || !strings.Contains(reasons[0], "draft, review") {
				t.Fatalf("reasons %q do not name the state parameter and its values", reasons)
			}
		})
	}
	for _, q := range []string{"product=Payments", "product=", "product=%20payments"} {
		t.Run(q, func(t *testing.T) {
			res := s.call(t, http.MethodGet, "/api/v1/releases?"+q, token, "").want(t, http.StatusUnprocessableEntity)
			if reasons := res.list("reasons"); len(reasons) == 0 || !strings.HasPrefix(reasons[0], "product: ") {
				t.Fatalf("reasons %q do not name the product parameter", reasons)
			}
		})
	}
	s.call(t, http.MethodGet, "/api/v1/releases?state=go,deploying&state=draft", token, "").want(t, http.StatusOK)
}

// TestHEADAnswersAsGET: monitors and `curl -I` ask with HEAD. Each address
// answers it as GET, with the same status and headers, and no body.
func TestHEADAnswersAsGET(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "payments", "2.5.0")
	for _, tc := range []struct{ name, path, token string }{
		{"health", "/healthz", ""},
		{"metrics", "/metrics", ""},
		{"the gate, authorized", "/api/v1/releases/payments/2.4.0/gate", token},
		{"the gate by id", "/api/v1/releases/" + itoa(rel.ID) + "/gate", token},
		{"the gate, refused", "/api/v1/releases/payments/2.5.0/gate", token},
		{"the gate, unknown", "/api/v1/releases/payments/9.9.9/gate", token},
		{"the gate without a token", "/api/v1/releases/payments/2.4.0/gate", ""},
		{"the description", "/api/v1/openapi.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			get := do(t, http.MethodGet, s.URL+tc.path, tc.token)
			head := do(t, http.MethodHead, s.URL+tc.path, tc.token)
			if head.status != get.status || head.header.Get("Content-Type") != get.header.Get("Content-Type") {
				t.Fatalf("HEAD: %d %q; GET: %d %q", head.status, head.header.Get("Content-Type"), get.status, get.header.Get("Content-Type"))
			}
			if len(head.body) != 0 {
				t.Fatalf("HEAD answered a body: %.200s", head.body)
			}
			if len(get.body) == 0 {
				t.Fatal("GET answered no body")
			}
		})
	}
}

// TestAllowListsHEAD: a 405 lists the methods the path serves, HEAD with GET.
func TestAllowListsHEAD(t *testing.T) {
	s := newServer(t)
	for path, want := range map[string][]string{
		"/api/v1/releases":                       {"GET", "HEAD", "POST"},
		"/api/v1/releases/payments/2.4.0/gate":   {"GET", "HEAD"},
		"/api/v1/releases/payments/2.4.0/events": {"POST"},
	} {
		res := do(t, http.MethodDelete, s.URL+path, "")
		if res.status != http.StatusMethodNotAllowed {
			t.Fatalf("DELETE %s: status %d", path, res.status)
		}
		allow := strings.Split(res.header.Get("Allow"), ", ")
		allow = slices.DeleteFunc(allow, func(m string) bool { return m == "OPTIONS" })
		slices.Sort(allow)
		if !slices.Equal(allow, want) {
			t.Errorf("DELETE %s: Allow %q, want %v", path, res.header.Get("Allow"), want)
		}
	}
}

type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, method, url, token string) rawAnswer {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return rawAnswer{res.StatusCode, res.Header, b}
}
