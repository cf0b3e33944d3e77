package handlers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// apiResult is an API answer, already checked to be JSON of the right shape.
type apiResult struct {
	status int
	header http.Header
	body   map[string]any
}

// call sends an API request with token (none if "") and checks what every
// API answer must be: JSON, and for an error, {"error": ..., "reasons": [...]}.
func (s *testServer) call(t *testing.T, method, path, token, body string) apiResult {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return s.send(t, req)
}

func (s *testServer) send(t *testing.T, req *http.Request) apiResult {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return checkAPIAnswer(t, req, res, raw)
}

func checkAPIAnswer(t *testing.T, req *http.Request, res *http.Response, raw []byte) apiResult {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: status %d with Content-Type %q, want JSON:\n%.300s", req.Method, req.URL.Path, res.StatusCode, ct, raw)
	}
	out := apiResult{status: res.StatusCode, header: res.Header}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		t.Fatalf("%s %s: not a JSON object: %v\n%.300s", req.Method, req.URL.Path, err, raw)
	}
	if res.StatusCode >= 400 {
		msg, _ := out.body["error"].(string)
		_, isList := out.body["reasons"].([]any)
		if msg == "" || !isList {
			t.Fatalf("%s %s: status %d with an error body of the wrong shape: %s", req.Method, req.URL.Path, res.StatusCode, raw)
		}
	}
	return out
}

// want fails the test unless the answer has status.
func (r apiResult) want(t *testing.T, status int) apiResult {
	t.Helper()
	if r.status != status {
		b, _ := json.Marshal(r.body)
		t.Fatalf("status %d, want %d: %s", r.status, status, b)
	}
	return r
}

// str returns a string field of the body, following dots: "release.state".
func (r apiResult) str(path string) string {
	var v any = r.body
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// list returns a list field of the body as strings.
func (r apiResult) list(key string) []string {
	var out []string
	items, _ := r.body[key].([]any)
	for _, it := range items {
		out = append(out, fmt.Sprint(it))
	}
	return out
}

// mustToken makes an API token as the admin and returns its secret.
func (s *testServer) mustToken(t *testing.T, name, product string) string {
	t.Helper()
	_, secret, err := s.store.CreateToken(t.Context(), s.actorOf("admin"), gonogo.TokenInput{Name: name, Product: product})
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret
}

// mustRevokedToken makes a token and revokes it.
func (s *testServer) mustRevokedToken(t *testing.T, name string) string {
	t.Helper()
	secret := s.mustToken(t, name, "")
	tok, err := s.store.FindTokenBySecret(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.RevokeToken(t.Context(), s.actorOf("admin"), tok.ID); err != nil {
		t.Fatal(err)
	}
	return secret
}

// mustGoRelease takes a new release through the whole review to a recorded Go.
func (s *testServer) mustGoRelease(t *testing.T, product, version string) gonogo.Release {
	t.Helper()
	rel := s.mustCreateRelease(t, product, version)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.settleReadiness(t, rel.ID)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: "ops: deploy off-peak"})
	return rel
}

// mustState returns the release's state as stored.
func (s *testServer) mustState(t *testing.T, id int64) gonogo.State {
	t.Helper()
	rel, err := s.store.FindRelease(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rel.State
}

// apiCase is one API route that needs a token: the path with placeholders,
// a body, and the status a good token gets.
type apiCase struct {
	path string // {product}, {draft}, {go}, {goID}, {deploying}, {n} are filled from the fixture
	body string
	ok   int
}

// apiAuthTable holds every API route that needs a token: a token for every
// product or for the route's product gets ok, one for another product 403,
// anything else (no token, a bad one, a session cookie) 401. Adding a route
// without an entry fails TestAuthorizationTableIsComplete; the matrix
// (authz_matrix_test.go) runs every cell.
var apiAuthTable = map[string]apiCase{
	"GET /api/v1/releases":                                {"/api/v1/releases?product={product}", "", http.StatusOK},
	"POST /api/v1/releases":                               {"/api/v1/releases", `{"product":"{product}","version":"9.{n}","title":"From CI"}`, http.StatusCreated},
	"GET /api/v1/releases/:id/gate":                       {"/api/v1/releases/{goID}/gate", "", http.StatusOK},
	"GET /api/v1/releases/:product/:version/gate":         {"/api/v1/releases/{product}/{go}/gate", "", http.StatusOK},
	"POST /api/v1/releases/:product/:version/checks/:key": {"/api/v1/releases/{product}/{draft}/checks/smoke-test", `{"status":"pass"}`, http.StatusOK},
	"POST /api/v1/releases/:product/:version/events":      {"/api/v1/releases/{product}/{deploying}/events", `{"event":"smoke-passed"}`, http.StatusOK},
	"GET /api/v1/insights":                                {"/api/v1/insights?product={product}&last=365", "", http.StatusOK},
	// The fixtures' releases have no rollout stages: the stage gate says 409.
	"GET /api/v1/releases/:id/stages/next/gate":               {"/api/v1/releases/{goID}/stages/next/gate", "", http.StatusConflict},
	"GET /api/v1/releases/:product/:version/stages/next/gate": {"/api/v1/releases/{product}/{deploying}/stages/next/gate", "", http.StatusConflict},
}
