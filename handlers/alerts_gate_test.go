package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gonogo/gonogo"
)

// While an alert fires on a release being deployed, the gate refuses with
// action rollback-suggested and the alert as a reason, in the shape the
// OpenAPI document gives; a release of another product is not halted.
func TestGateSuggestsARollbackWhileAnAlertFires(t *testing.T) {
	s := newServer(t)
	secret := s.mustAlertSecret(t, gonogo.Alertmanager)
	s.mustDeploying(t, "payments", "2.4.0")
	s.mustDeploying(t, "search", "1.0.0")
	token := s.mustToken(t, "ci", "")
	if g := s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/gate", token, "").want(t, http.StatusOK); g.str("action") != "" {
		t.Fatalf("action %q before any alert", g.str("action"))
	}
	if status, _ := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, firingAlert("payments", "HighErrorRate", "warning",
		time.Now().UTC().Add(-time.Minute)))); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/releases/payments/2.4.0/gate", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var body struct {
		Authorized bool     `json:"authorized"`
		Action     string   `json:"action"`
		Reasons    []string `json:"reasons"`
	}
	json.Unmarshal(raw, &body)
	if res.StatusCode != http.StatusConflict || body.Authorized || body.Action != gonogo.ActionRollbackSuggested ||
		len(body.Reasons) != 1 || !strings.Contains(body.Reasons[0], "HighErrorRate") || !strings.Contains(body.Reasons[0], "http://prometheus.example") {
		t.Fatalf("gate %d %s", res.StatusCode, raw)
	}
	doc := loadOpenAPI(t, s)
	item := doc.Paths.Value("/api/v1/releases/{product}/{version}/gate")
	route := &routers.Route{Spec: doc, Path: "/api/v1/releases/{product}/{version}/gate", PathItem: item, Method: http.MethodGet,
		Operation: item.Get}
	in := &openapi3filter.RequestValidationInput{Request: req, Route: route, PathParams: map[string]string{"product": "payments", "version": "2.4.0"},
		Options: &openapi3filter.Options{AuthenticationFunc: bearerShape}}
	if err := openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}); err != nil {
		t.Fatalf("the gate's answer does not match the document: %v", err)
	}
	if g := s.call(t, http.MethodGet, "/api/v1/releases/search/1.0.0/gate", token, "").want(t, http.StatusOK); g.str("action") != "" {
		t.Fatalf("search's gate: action %q", g.str("action"))
	}
}
