package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// TestAPIAnswersOnlyJSON checks that what the router and the middleware
// answer on their own under /api/ is JSON of the one error shape, not the
// HTML error page.
func TestAPIAnswersOnlyJSON(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	s.mustCreateRelease(t, "payments", "2.4.0")
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"no such route", http.MethodGet, "/api/v1/nothing-here", "", http.StatusNotFound},
		{"no such version of the API", http.MethodGet, "/api/v2/releases", "", http.StatusNotFound},
		{"wrong method", http.MethodDelete, "/api/v1/releases", "", http.StatusMethodNotAllowed},
		{"wrong method on a release", http.MethodPut, "/api/v1/releases/payments/2.4.0/events", `{}`, http.StatusMethodNotAllowed},
		{"body too large", http.MethodPost, "/api/v1/releases/payments/2.4.0/checks/smoke-test",
			`{"status":"pass","summary":"` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
		{"unknown release", http.MethodGet, "/api/v1/releases/payments/0.0.1/gate", "", http.StatusNotFound},
		{"id that is not a number", http.MethodGet, "/api/v1/releases/abc/gate", "", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.call(t, tc.method, tc.path, token, tc.body).want(t, tc.status)
			s.call(t, tc.method, tc.path, "", tc.body) // and without a token: JSON all the same
		})
	}
	// Even with a browser's htmx and Accept headers, the API speaks JSON.
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/releases/payments/0.0.1/gate", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Accept", "text/html")
	s.send(t, req).want(t, http.StatusNotFound)
}

// TestAPIIsExemptFromCSRFButPagesAreNot: a pipeline posts without any CSRF
// token, a browser form without one is refused, and a browser's cookie does
// not make an API call.
func TestAPIIsExemptFromCSRFButPagesAreNot(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	rel := s.mustCreateRelease(t, "payments", "2.4.0")

	// The API: no CSRF cookie, no token, even a cross-site header.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/releases/payments/2.4.0/checks/smoke-test", strings.NewReader(`{"status":"pass"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	s.send(t, req).want(t, http.StatusOK)
	if it := s.mustItem(t, rel.ID, "Smoke test passes in staging"); it.Status != gonogo.ItemDone {
		t.Fatalf("the API's report did not land: %+v", it)
	}

	// The pages: a signed-in release manager's form without its token is refused.
	rm := s.signIn(t, "rm")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	res := rm.postRaw("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}}, nil)
	wantStatus(t, res, http.StatusForbidden)
	// ... and an API token does not stand in for it.
	res = rm.postRaw("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}},
		map[string]string{"Authorization": "Bearer " + token})
	wantStatus(t, res, http.StatusForbidden)
	if it := s.mustItem(t, rel.ID, "Integration tests pass"); it.Status != gonogo.ItemOpen {
		t.Fatalf("a form without its CSRF token changed the item: %+v", it)
	}
	// A page asked with only an API token is a signed-out visit.
	req, _ = http.NewRequest(http.MethodGet, s.URL+"/releases/"+itoa(rel.ID), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusSeeOther || !strings.HasPrefix(page.Header.Get("Location"), "/login") {
		t.Fatalf("a page with only a token: status %d, location %q", page.StatusCode, page.Header.Get("Location"))
	}
}

// TestOpenAPIMatchesRouter holds the served description against the
// router: every /api/v1 route is described, and every description is a route.
func TestOpenAPIMatchesRouter(t *testing.T) {
	s := newServer(t)
	res, err := http.Get(s.URL + "/api/v1/openapi.json") // no token: the description is public
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	wantStatus(t, res, http.StatusOK)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			described[strings.ToUpper(method)+" "+path] = true
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s describes no responses", method, path)
			}
		}
	}
	served := map[string]bool{}
	for _, r := range s.h.EchoRoutes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		key := r.Method + " " + openAPIPath(r.Path)
		served[key] = true
		if r.Method == http.MethodGet {
			served["HEAD "+openAPIPath(r.Path)] = true // every GET answers HEAD (routing.go)
		}
		if !described[key] {
			t.Errorf("the router serves %s, which openapi.json does not describe", key)
		}
	}
	for key := range described {
		if !served[key] {
			t.Errorf("openapi.json describes %s, which the router does not serve", key)
		}
	}
}

// openAPIPath writes Echo's /releases/:id as OpenAPI's /releases/{id}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") {
			parts[i] = "{" + part[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
