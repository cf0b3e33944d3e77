package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// loadOpenAPI fetches the served description and loads it with
// kin-openapi, which resolves every reference.
func loadOpenAPI(t *testing.T, s *testServer) *openapi3.T {
	t.Helper()
	res, err := http.Get(s.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	wantStatus(t, res, http.StatusOK)
	raw, _ := io.ReadAll(res.Body)
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPIDocumentIsValid checks the served description with
// kin-openapi's validator, and that it names this board as its server.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	s := newServer(t)
	doc := loadOpenAPI(t, s)
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("openapi.json is not valid: %v", err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != s.URL {
		t.Fatalf("servers %+v, want the base URL %s", doc.Servers, s.URL)
	}
	if l := doc.Info.License; l == nil || l.Name == "" || l.URL == "" && l.Identifier == "" {
		t.Fatalf("info.license %+v, want a name and a URL or an SPDX identifier", l)
	}
	// Without a base URL, the document names the host it was read from.
	bare := httptest.NewServer(handlers.New(db.OpenTest(t), handlers.Config{Logger: slog.New(slog.DiscardHandler)}))
	defer bare.Close()
	if d := loadOpenAPI(t, &testServer{Server: bare}); len(d.Servers) != 1 || d.Servers[0].URL != "/" {
		t.Fatalf("servers without a base URL %+v, want /", d.Servers)
	}
}

// TestOpenAPIListsEveryStatus: each operation lists every status the server
// may answer it with, and the headers those answers carry. The fuzzer
// (api_fuzz_test.go) checks that the server sends no other.
func TestOpenAPIListsEveryStatus(t *testing.T) {
	s := newServer(t)
	doc := loadOpenAPI(t, s)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want := []int{405, 413, 500} // any path: a wrong method, a body over 1 MB, a fault
			if op.Security == nil || len(*op.Security) > 0 {
				want = append(want, 401, 403) // a token, and one for the release's product
			}
			if method == http.MethodPost {
				want = append(want, 400, 415, 422, 429) // the body, its type, its values, the write limit
			}
			if op.OperationID == "listReleases" || op.OperationID == "listReleasesHead" {
				want = append(want, 400, 422) // the paging, the filters
			}
			if strings.Contains(path, "{") {
				want = append(want, 404) // no such release, item or key
			}
			if strings.Contains(path, "{") && method == http.MethodPost || strings.HasSuffix(path, "/gate") {
				want = append(want, 409) // the release's state does not allow it; the gate says no
			}
			for _, code := range want {
				r := op.Responses.Status(code)
				if r == nil {
					t.Errorf("%s %s does not list %d", method, path, code)
					continue
				}
				if r.Value.Content.Get("application/json") == nil {
					t.Errorf("%s %s: %d is not JSON", method, path, code)
				}
			}
			for code, header := range map[int]string{401: "WWW-Authenticate", 405: "Allow", 429: "Retry-After", 201: "Location"} {
				if r := op.Responses.Status(code); r != nil && r.Value.Headers[header] == nil {
					t.Errorf("%s %s: %d does not describe its %s header", method, path, code, header)
				}
			}
		}
	}
}

// TestOpenAPILimitsMatchTheDomain: the document's limits and enums are the
// domain's, so a client that keeps to them is never refused for length.
func TestOpenAPILimitsMatchTheDomain(t *testing.T) {
	doc := loadOpenAPI(t, newServer(t))
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	prop := func(name, p string) *openapi3.Schema { return schema(name).Properties[p].Value }
	for name, tc := range map[string]struct {
		s   *openapi3.Schema
		max int
	}{
		"Product":            {schema("Product"), gonogo.MaxProductLen},
		"Version":            {schema("Version"), gonogo.MaxVersionLen},
		"CheckKey":           {schema("CheckKey"), gonogo.MaxCheckKeyLen},
		"Link":               {schema("Link"), gonogo.MaxURLLen},
		"Line":               {schema("Line"), gonogo.MaxSummaryLineLen},
		"NewRelease.title":   {prop("NewRelease", "title"), gonogo.MaxTitleLen},
		"NewRelease.summary": {prop("NewRelease", "summary"), gonogo.MaxSummaryLen},
	} {
		if tc.s.MaxLength == nil || int(*tc.s.MaxLength) != tc.max {
			t.Errorf("%s: maxLength %v, want %d", name, tc.s.MaxLength, tc.max)
		}
	}
	enum := func(s *openapi3.Schema) []string {
		var out []string
		for _, v := range s.Enum {
			out = append(out, v.(string))
		}
		slices.Sort(out)
		return out
	}
	names := func(vs ...string) []string { slices.Sort(vs); return vs }
	var states, events, roles, items []string
	for _, st := range gonogo.States {
		states = append(states, string(st))
	}
	for _, e := range gonogo.PipelineEvents {
		events = append(events, string(e))
	}
	for _, r := range gonogo.Roles {
		roles = append(roles, string(r))
	}
	for _, st := range gonogo.ItemStatuses {
		items = append(items, string(st))
	}
	for name, tc := range map[string]struct{ got, want []string }{
		"State":        {enum(schema("State")), names(states...)},
		"Event":        {enum(schema("Event")), names(events...)},
		"Role":         {enum(schema("Role")), names(roles...)},
		"Item.status":  {enum(prop("Item", "status")), names(items...)},
		"Decision":     {enum(schema("Decision")), names(string(gonogo.DecisionGo), string(gonogo.DecisionNoGo), string(gonogo.DecisionPending))},
		"check status": {enum(prop("CheckReport", "status")), names(string(gonogo.CheckPass), string(gonogo.CheckFail))},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: enum %v, want %v", name, tc.got, tc.want)
		}
	}
	// The write limit the description states is the default one.
	if handlers.DefaultWriteRate != 1 || !strings.Contains(doc.Info.Description, strconv.Itoa(handlers.DefaultWriteBurst)+" changes at once, then one a second") {
		t.Errorf("the description does not state the write limit: %d at once, then %v a second", handlers.DefaultWriteBurst, handlers.DefaultWriteRate)
	}
}
