package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// alertmanagerBinary is Debian's prometheus-alertmanager, which .ci/run
// installs. Without it the test is skipped, unless
// GONOGO_REQUIRE_ALERTMANAGER=1 says CI must run it.
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("GONOGO_REQUIRE_ALERTMANAGER") == "1" {
		t.Fatal("prometheus-alertmanager is not installed, and GONOGO_REQUIRE_ALERTMANAGER=1")
	}
	t.Skip("prometheus-alertmanager is not installed")
	return ""
}

// startAlertmanager runs a real Alertmanager whose one receiver posts to
// gonogo's /hooks/alertmanager with secret as its bearer token, flushing
// each group after a second, and returns its address once it is ready.
func startAlertmanager(t *testing.T, gonogoURL, secret string) string {
	t.Helper()
	bin := alertmanagerBinary(t)
	dir := t.TempDir()
	config := fmt.Sprintf(`route:
  receiver: gonogo
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: gonogo
    webhook_configs:
      - url: %s/hooks/alertmanager
        send_resolved: true
        max_alerts: 100
        http_config:
          authorization:
            credentials: %s
`, gonogoURL, secret)
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("alertmanager said:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	waitUntil(t, "Alertmanager to be ready", func() bool {
		res, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return base
}

// freeAddr is a loopback address with a port nothing listens on now:
// Alertmanager cannot be asked for port 0 and say which it took.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitUntil polls until ok, failing the test after a generous deadline: the
// test waits for an outcome, never for a time.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// postToAlertmanager posts alerts to Alertmanager's own API, as Prometheus does.
func postToAlertmanager(t *testing.T, base string, alerts ...map[string]any) {
	t.Helper()
	b, _ := json.Marshal(alerts)
	res, err := http.Post(base+"/api/v2/alerts", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("Alertmanager took the alert with status %d", res.StatusCode)
	}
}

// A real Alertmanager tells gonogo of an alert on a product whose release
// is being deployed: gonogo maps it by its label, fails “Dashboards
// healthy” with the alert's name, summary and link, the gate tells the
// pipeline to roll back, and the canary may not widen. Once the alert resolves, Alertmanager says so: the
// release page shows it resolved, the gate no longer suggests a rollback,
// the canary may widen again, and the item stays failed until a person settles it.
func TestAlertmanagerHaltsAReleaseBeingDeployed(t *testing.T) {
	s := newServer(t)
	secret := s.mustAlertSecret(t, gonogo.Alertmanager)
	// payments rolls out in two stages that need nothing but the time: only
	// an alert can hold the canary.
	if _, err := s.store.CreateProduct(t.Context(), s.actorOf("admin"), gonogo.ProductInput{Key: "payments", Name: "Payments"}); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetRolloutTemplate(t.Context(), s.actorOf("admin"), "payments", []gonogo.StageSpec{{Name: "canary"}, {Name: "all"}}); err != nil {
		t.Fatal(err)
	}
	rel := s.mustDeploying(t, "payments", "2.4.0")
	other := s.mustDeploying(t, "search", "1.0.0")
	token := s.mustToken(t, "ci", "")
	am := startAlertmanager(t, s.URL, secret)

	start := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	link := "http://prometheus.example:9090/graph?g0.expr=rate%28http_errors_total%5B5m%5D%29"
	alert := map[string]any{
		"labels":       map[string]string{"alertname": "HighErrorRate", "gonogo_product": "payments", "severity": "warning"},
		"annotations":  map[string]string{"summary": "Error rate above 5% for 5 minutes"},
		"generatorURL": link,
		"startsAt":     start,
	}
	postToAlertmanager(t, am, alert)

	waitUntil(t, "gonogo to hear the alert fire", func() bool { return len(s.mustAlerts(t, rel.ID)) == 1 })
	got := s.mustAlerts(t, rel.ID)[0]
	if got.Status != gonogo.AlertFiring || got.Name != "HighErrorRate" || got.Summary != "Error rate above 5% for 5 minutes" ||
		got.URL != link || got.Severity != "warning" || !got.StartsAt.Equal(start) {
		t.Fatalf("kept alert %+v", got)
	}
	if n := len(s.mustAlerts(t, other.ID)); n != 0 {
		t.Fatalf("search's release kept %d alerts of payments", n)
	}
	it := s.mustItem(t, rel.ID, "Dashboards healthy")
	if it.Status != gonogo.ItemFailed || it.Evidence != "Alert “HighErrorRate” (warning): Error rate above 5% for 5 minutes "+link ||
		it.UpdatedBy != "Alertmanager (integration)" {
		t.Fatalf("Dashboards healthy after the alert: %+v", it)
	}
	gate := s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/gate", token, "").want(t, http.StatusConflict)
	if gate.str("action") != "rollback-suggested" || !containsText(gate.list("reasons"), "HighErrorRate") {
		t.Fatalf("gate while the alert fires: action %q, reasons %q", gate.str("action"), gate.list("reasons"))
	}
	stage := s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/stages/next/gate", token, "").want(t, http.StatusConflict)
	if !containsText(stage.list("reasons"), "Alert “HighErrorRate” is firing") {
		t.Fatalf("the canary may widen while the alert fires: %q", stage.list("reasons"))
	}
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	if doc.Find("[data-testid=rollback-suggested]").Length() != 1 || text(doc, "[data-testid=alert] [data-testid=alert-status]") != "Firing" {
		t.Fatalf("release page while the alert fires: %q", text(doc, "[data-testid=alerts-panel]"))
	}

	// Prometheus says the alert is over: same labels and start, an end.
	alert["endsAt"] = time.Now().UTC().Add(-time.Second)
	postToAlertmanager(t, am, alert)
	waitUntil(t, "gonogo to hear the alert resolve", func() bool { return s.mustAlerts(t, rel.ID)[0].Status == gonogo.AlertResolved })
	if n := len(s.mustAlerts(t, rel.ID)); n != 1 {
		t.Fatalf("the resolved alert is kept as %d alerts, want the one", n)
	}
	if it := s.mustItem(t, rel.ID, "Dashboards healthy"); it.Status != gonogo.ItemFailed {
		t.Fatalf("Dashboards healthy after the alert resolved: %s, want it still failed", it.Status)
	}
	gate = s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/gate", token, "")
	if gate.str("action") != "" || containsText(gate.list("reasons"), "HighErrorRate") {
		t.Fatalf("gate after the alert resolved: action %q, reasons %q", gate.str("action"), gate.list("reasons"))
	}
	s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/stages/next/gate", token, "").want(t, http.StatusOK)
	_, doc = rm.get("/releases/" + itoa(rel.ID))
	if doc.Find("[data-testid=rollback-suggested]").Length() != 0 || text(doc, "[data-testid=alert] [data-testid=alert-status]") != "Resolved" {
		t.Fatalf("release page after the alert resolved: %q", text(doc, "[data-testid=alerts-panel]"))
	}
	if s.mustState(t, rel.ID) != gonogo.Deploying {
		t.Fatalf("a warning rolled the release back")
	}
}

func containsText(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}
