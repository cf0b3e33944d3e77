package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// TestVerificationCheckAfterDeploying: the check of a verification item,
// the production smoke test's among them, is taken while the release is
// deploying or verifying, and refused before the deployment, saying when.
func TestVerificationCheckAfterDeploying(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	path := "/api/v1/releases/payments/2.4.0/checks/" + gonogo.ProductionSmokeCheckKey
	res := s.call(t, http.MethodPost, path, token, `{"status":"pass"}`).want(t, http.StatusConflict)
	if !strings.Contains(res.str("error"), "deploying or verifying") {
		t.Fatalf("refusal %v", res.body)
	}
	s.move(t, rel.ID, gonogo.StartDeploy)
	s.move(t, rel.ID, gonogo.FinishDeploy)
	res = s.call(t, http.MethodPost, path, token, `{"status":"fail","url":"https://ci.example.com/smoke/9"}`).want(t, http.StatusOK)
	if res.str("item.status") != "failed" || res.str("release.state") != "verifying" || res.str("release.decision") != "go" {
		t.Fatalf("answer %v", res.body)
	}
	it := s.mustItem(t, rel.ID, "Smoke test passes in production")
	if it.Status != gonogo.ItemFailed || it.Evidence != "https://ci.example.com/smoke/9" || it.UpdatedBy != "payments-deploy (API token)" {
		t.Fatalf("item %+v", it)
	}
	// A readiness check is still refused once the release is decided.
	s.call(t, http.MethodPost, "/api/v1/releases/payments/2.4.0/checks/smoke-test", token, `{"status":"pass"}`).want(t, http.StatusConflict)
}
