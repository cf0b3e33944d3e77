package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// mustAlertSecret makes src's secret as an admin would and returns it.
func (s *testServer) mustAlertSecret(t *testing.T, src gonogo.AlertSource) string {
	t.Helper()
	secret, err := s.store.RenewAlertSecret(t.Context(), s.actorOf("admin"), src)
	if err != nil {
		t.Fatalf("alert secret: %v", err)
	}
	return secret
}

// mustDeploying takes a new release through its review to a Go and starts
// deploying it, as its release manager and ops would.
func (s *testServer) mustDeploying(t *testing.T, product, version string) gonogo.Release {
	t.Helper()
	rel := s.mustGoRelease(t, product, version)
	s.move(t, rel.ID, gonogo.StartDeploy)
	rel.State = gonogo.Deploying
	return rel
}

// alertReply is the JSON an alert delivery is answered with.
type alertReply struct {
	Outcome string `json:"outcome"`
	Message string `json:"message"`
	Alerts  []struct {
		Name       string   `json:"name"`
		Outcome    string   `json:"outcome"`
		Releases   []string `json:"releases"`
		RolledBack []string `json:"rolled_back"`
		Message    string   `json:"message"`
	} `json:"alerts"`
}

// postAlerts posts body to src's address with secret as its bearer token
// ("" sends no Authorization header) and returns the status and answer.
func (s *testServer) postAlerts(t *testing.T, src gonogo.AlertSource, secret string, body []byte) (int, alertReply) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/hooks/"+string(src), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out alertReply
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", res.StatusCode, err, raw)
	}
	return res.StatusCode, out
}

// amAlert is one alert of Alertmanager's webhook payload (version 4).
type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// amPayload is Alertmanager's webhook body around alerts, as
// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
// documents it.
func amPayload(t *testing.T, alerts ...amAlert) []byte {
	t.Helper()
	status := "resolved"
	for _, a := range alerts {
		if a.Status == "firing" {
			status = "firing"
		}
	}
	b, err := json.Marshal(map[string]any{
		"version": "4", "groupKey": `{}:{alertname="HighErrorRate"}`, "truncatedAlerts": 0, "status": status,
		"receiver": "gonogo", "groupLabels": map[string]string{}, "commonLabels": map[string]string{},
		"commonAnnotations": map[string]string{}, "externalURL": "http://alertmanager.example:9093", "alerts": alerts,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firingAlert is an alert of product firing since start.
func firingAlert(product, name, severity string, start time.Time) amAlert {
	return amAlert{Status: "firing", Labels: map[string]string{"alertname": name, "gonogo_product": product, "severity": severity},
		Annotations: map[string]string{"summary": name + " on " + product},
		StartsAt:    start, EndsAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		GeneratorURL: "http://prometheus.example:9090/graph?g0.expr=errors", Fingerprint: "fp-" + product + "-" + name}
}

// resolved is the alert as Alertmanager sends it once resolved at end.
func (a amAlert) resolved(end time.Time) amAlert {
	a.Status, a.EndsAt = "resolved", end
	return a
}

// mustAlerts returns the alerts a release kept.
func (s *testServer) mustAlerts(t *testing.T, releaseID int64) []gonogo.Alert {
	t.Helper()
	as, err := s.store.FindReleaseAlerts(t.Context(), releaseID, gonogo.MaxReleaseAlerts)
	if err != nil {
		t.Fatal(err)
	}
	return as
}
