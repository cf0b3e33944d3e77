package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// grafanaFixture is Grafana's webhook contact point payload as its
// documentation shows it, with gonogo's labels (gonogo_product, severity)
// added to the first alert:
// https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
func grafanaFixture(t *testing.T, edit func(first map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "alerts", "grafana-firing.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc["alerts"].([]any)[0].(map[string]any))
	}
	b, _ := json.Marshal(doc)
	return b
}

// Grafana's documented payload, posted to /hooks/grafana: the alert that
// names payments by its label fails payments' release being verified, with
// Grafana's link; the one without the label is left alone. Resolved, it is
// shown resolved and the item stays failed.
func TestGrafanaAlertFromItsDocumentedPayload(t *testing.T) {
	s := newServer(t)
	secret := s.mustAlertSecret(t, gonogo.Grafana)
	rel := s.mustDeploying(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.FinishDeploy)

	status, reply := s.postAlerts(t, gonogo.Grafana, secret, grafanaFixture(t, nil))
	if status != http.StatusOK || reply.Outcome != "applied" || len(reply.Alerts) != 2 {
		t.Fatalf("answer %d %+v", status, reply)
	}
	if reply.Alerts[0].Outcome != gonogo.AlertFired || reply.Alerts[1].Outcome != "no-product-label" ||
		!strings.Contains(reply.Alerts[1].Message, "gonogo_product") {
		t.Fatalf("outcomes %+v", reply.Alerts)
	}
	as := s.mustAlerts(t, rel.ID)
	if len(as) != 1 || as[0].Name != "High memory usage" || as[0].Summary != "This alert was triggered for zone us-1" ||
		as[0].URL != "https://play.grafana.org/alerting/1afz29v7z/edit" || as[0].Source != gonogo.Grafana || as[0].Fingerprint != "c6eadffa33fcdf37" ||
		!as[0].StartsAt.Equal(time.Date(2021, 10, 12, 7, 51, 3, 157000000, time.UTC)) {
		t.Fatalf("kept %+v", as)
	}
	if it := s.mustItem(t, rel.ID, "Dashboards healthy"); it.Status != gonogo.ItemFailed || it.UpdatedBy != "Grafana (integration)" {
		t.Fatalf("item %+v", it)
	}
	// Grafana repeats a firing alert every repeat interval: nothing new.
	if status, reply := s.postAlerts(t, gonogo.Grafana, secret, grafanaFixture(t, nil)); status != http.StatusOK || reply.Outcome != "unchanged" {
		t.Fatalf("repeat answered %d %+v", status, reply)
	}
	resolved := grafanaFixture(t, func(a map[string]any) {
		a["status"], a["endsAt"] = "resolved", "2021-10-12T10:21:03.157076+02:00"
	})
	if status, reply := s.postAlerts(t, gonogo.Grafana, secret, resolved); status != http.StatusOK || reply.Alerts[0].Outcome != gonogo.AlertCleared {
		t.Fatalf("resolved answered %d %+v", status, reply)
	}
	if as := s.mustAlerts(t, rel.ID); len(as) != 1 || as[0].Status != gonogo.AlertResolved ||
		!as[0].EndsAt.Equal(time.Date(2021, 10, 12, 8, 21, 3, 157000000, time.UTC)) {
		t.Fatalf("after resolving: %+v", as)
	}
	if it := s.mustItem(t, rel.ID, "Dashboards healthy"); it.Status != gonogo.ItemFailed {
		t.Fatalf("item after resolving: %s", it.Status)
	}
	// The same firing delivery again, late or replayed, does not undo it.
	if status, reply := s.postAlerts(t, gonogo.Grafana, secret, grafanaFixture(t, nil)); status != http.StatusOK || reply.Alerts[0].Outcome != gonogo.AlertStale {
		t.Fatalf("replayed firing answered %d %+v", status, reply)
	}
	if as := s.mustAlerts(t, rel.ID); as[0].Status != gonogo.AlertResolved {
		t.Fatalf("a replayed firing delivery made it fire again: %+v", as[0])
	}
	// A live release page fetches what an alert changed: the alerts and
	// the checklist, swapped in where they stand.
	_, doc := s.signIn(t, "rm").getHX("/releases/" + itoa(rel.ID) + "/sync?kind=alert")
	if doc.Find("[data-testid=alerts-panel][data-hx-swap-oob] [data-testid=alert][data-status=resolved]").Length() != 1 ||
		doc.Find("#checklist[data-hx-swap-oob]").Length() != 1 {
		t.Fatalf("the live update for an alert: %q", doc.Text())
	}
}

// What gonogo refuses, it refuses whole: no alert kept, no item failed.
func TestAlertDeliveriesThatAreRefusedChangeNothing(t *testing.T) {
	s := newServer(t)
	secret := s.mustAlertSecret(t, gonogo.Alertmanager)
	rel := s.mustDeploying(t, "payments", "2.4.0")
	start := time.Now().UTC().Add(-time.Minute)
	good := amPayload(t, firingAlert("payments", "HighErrorRate", "warning", start))
	huge := amPayload(t, amAlert{Status: "firing", Labels: map[string]string{"alertname": "Big", "gonogo_product": "payments",
		"pad": strings.Repeat("x", gonogo.MaxAlertPayload)}, StartsAt: start})
	var many []amAlert
	for range gonogo.MaxAlertsPerPayload + 1 {
		many = append(many, firingAlert("payments", "HighErrorRate", "warning", start))
	}
	v3 := bytes.Replace(good, []byte(`"version":"4"`), []byte(`"version":"3"`), 1)
	for _, tc := range []struct {
		name    string
		src     gonogo.AlertSource
		secret  string
		body    []byte
		status  int
		outcome string
		says    string
	}{
		{"no bearer token", gonogo.Alertmanager, "", good, http.StatusUnauthorized, "unsigned", "bearer"},
		{"a wrong secret", gonogo.Alertmanager, "gna_not-the-secret", good, http.StatusUnauthorized, "bad_secret", "secret"},
		{"a source without a secret", gonogo.Grafana, secret, good, http.StatusUnauthorized, "bad_secret", "secret"},
		{"a body over 1 MB", gonogo.Alertmanager, secret, huge, http.StatusRequestEntityTooLarge, "too_large", "1 MB"},
		{"too many alerts", gonogo.Alertmanager, secret, amPayload(t, many...), http.StatusRequestEntityTooLarge, "too_large", "max_alerts"},
		{"not JSON", gonogo.Alertmanager, secret, []byte("<alerts/>"), http.StatusBadRequest, "invalid", "webhook JSON"},
		{"another payload version", gonogo.Alertmanager, secret, v3, http.StatusBadRequest, "invalid", "version 4"},
		{"an alert without a name", gonogo.Alertmanager, secret, amPayload(t, amAlert{Status: "firing",
			Labels: map[string]string{"gonogo_product": "payments"}, StartsAt: start}), http.StatusBadRequest, "invalid", "alertname"},
		{"an unknown product", gonogo.Alertmanager, secret, amPayload(t, firingAlert("paymnts", "HighErrorRate", "warning", start)),
			http.StatusUnprocessableEntity, "unknown_product", `product "paymnts"`},
		{"no product label", gonogo.Alertmanager, secret, amPayload(t, amAlert{Status: "firing",
			Labels: map[string]string{"alertname": "DiskFull"}, StartsAt: start}), http.StatusAccepted, "ignored", "no gonogo_product label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, reply := s.postAlerts(t, tc.src, tc.secret, tc.body)
			if status != tc.status || reply.Outcome != tc.outcome || !strings.Contains(reply.Message, tc.says) {
				t.Fatalf("answer %d %q %q, want %d %q saying %q", status, reply.Outcome, reply.Message, tc.status, tc.outcome, tc.says)
			}
			if as := s.mustAlerts(t, rel.ID); len(as) != 0 {
				t.Fatalf("kept %+v", as)
			}
			if it := s.mustItem(t, rel.ID, "Dashboards healthy"); it.Status != gonogo.ItemOpen {
				t.Fatalf("item %s", it.Status)
			}
		})
	}
	// A product that exists, with no release being deployed: 202, said so.
	s.mustCreateRelease(t, "search", "1.0.0")
	status, reply := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, firingAlert("search", "HighErrorRate", "warning", start)))
	if status != http.StatusAccepted || !strings.Contains(reply.Message, "no release of search is being deployed or verified") {
		t.Fatalf("answer %d %+v", status, reply)
	}
	// The version label names one release: another version is left alone.
	named := firingAlert("payments", "HighErrorRate", "warning", start)
	named.Labels["gonogo_version"] = "2.3.0"
	status, reply = s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, named))
	if status != http.StatusAccepted || !strings.Contains(reply.Message, "payments 2.3.0 is not being deployed") || len(s.mustAlerts(t, rel.ID)) != 0 {
		t.Fatalf("answer %d %+v", status, reply)
	}
	named.Labels["gonogo_version"] = "2.4.0"
	if status, _ := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, named)); status != http.StatusOK || len(s.mustAlerts(t, rel.ID)) != 1 {
		t.Fatalf("the alert naming 2.4.0 answered %d", status)
	}
}

// A product may let a critical alert roll its release back: the release
// is rolled back by the transition people take, audited as the alert. A
// warning, or a product that leaves it to people, only halts.
func TestCriticalAlertRollsTheReleaseBackWhenTheProductSaysSo(t *testing.T) {
	s := newServer(t)
	secret := s.mustAlertSecret(t, gonogo.Alertmanager)
	kept := s.mustDeploying(t, "search", "1.0.0")
	rel := s.mustDeploying(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	admin.get("/admin/alerts")
	if res := admin.post("/admin/products/payments/alerts", url.Values{"rollback_on_critical": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the policy: %d", res.StatusCode)
	}
	if e := lastAudit(t, s); e.Action != string(gonogo.ActionAlertPolicy) || !strings.Contains(e.Detail, "roll a release back on a critical alert") {
		t.Fatalf("policy audit %+v", e)
	}
	start := time.Now().UTC().Add(-time.Minute)

	status, reply := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, firingAlert("payments", "LatencyHigh", "warning", start)))
	if status != http.StatusOK || s.mustState(t, rel.ID) != gonogo.Deploying || len(reply.Alerts[0].RolledBack) != 0 {
		t.Fatalf("a warning: %d %+v, state %s", status, reply, s.mustState(t, rel.ID))
	}
	status, reply = s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t,
		firingAlert("payments", "PaymentsDown", "critical", start), firingAlert("search", "SearchDown", "critical", start)))
	if status != http.StatusOK || !slices.Equal(reply.Alerts[0].RolledBack, []string{"payments 2.4.0"}) {
		t.Fatalf("a critical alert: %d %+v", status, reply)
	}
	if st := s.mustState(t, rel.ID); st != gonogo.RolledBack {
		t.Fatalf("payments is %s, want rolled back", st)
	}
	if st := s.mustState(t, kept.ID); st != gonogo.Deploying {
		t.Fatalf("search, whose product leaves it to people, is %s", st)
	}
	e := lastEventOf(t, s, rel.ID, gonogo.ActionReleaseState)
	if e.Actor != "Alertmanager (integration)" || !strings.Contains(e.Detail, "to Rolled back") || !strings.Contains(e.Detail, "PaymentsDown") {
		t.Fatalf("rollback audited as %q: %q", e.Actor, e.Detail)
	}
	// The release page shows what happened, and a person reopens it.
	_, doc := s.signIn(t, "rm").get("/releases/" + itoa(rel.ID))
	if text(doc, "[data-testid=release-state]") != "Rolled back" || doc.Find("[data-testid=alert][data-status=firing]").Length() != 2 {
		t.Fatalf("page: state %q, alerts %q", text(doc, "[data-testid=release-state]"), text(doc, "[data-testid=alerts-panel]"))
	}
}

// lastEventOf is the newest event of action on a release.
func lastEventOf(t *testing.T, s *testServer, releaseID int64, action gonogo.Action) gonogo.Event {
	t.Helper()
	evs, err := s.store.FindReleaseEvents(t.Context(), releaseID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Action == string(action) {
			return e
		}
	}
	t.Fatalf("release %d has no %s event", releaseID, action)
	return gonogo.Event{}
}

// A firing alert tells the release manager and ops in their inbox, and
// the webhooks that chose alert.firing; its audit names the alert.
func TestAlertFiringTellsTheReleaseManagerOpsAndWebhooks(t *testing.T) {
	got := make(chan []byte, 4)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		got <- b.Bytes()
	}))
	defer sink.Close()
	s := newServer(t)
	secret := s.mustAlertSecret(t, gonogo.Alertmanager)
	rel := s.mustDeploying(t, "payments", "2.4.0")
	if _, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: sink.URL,
		Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicAlertFiring}}); err != nil {
		t.Fatal(err)
	}
	// The webhook form offers the topic.
	admin := s.signIn(t, "admin")
	if _, doc := admin.get("/admin/webhooks"); doc.Find(`input[name=topics][value="alert.firing"]`).Length() != 1 {
		t.Fatal("the webhook form does not offer alert.firing")
	}
	if status, _ := s.postAlerts(t, gonogo.Alertmanager, secret, amPayload(t, firingAlert("payments", "HighErrorRate", "warning",
		time.Now().UTC().Add(-time.Minute)))); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	for _, who := range []string{"rm", "ops"} {
		ns, err := s.store.FindNotifications(t.Context(), s.users[who].ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) == 0 || ns[0].Kind != gonogo.NotifyAlert || !strings.Contains(ns[0].Text, "HighErrorRate") || ns[0].Actor != "Alertmanager (integration)" {
			t.Fatalf("%s's inbox: %+v", who, ns)
		}
	}
	ns, _ := s.store.FindNotifications(t.Context(), s.users["support"].ID, 0, 10)
	if slices.ContainsFunc(ns, func(n gonogo.Notification) bool { return n.Kind == gonogo.NotifyAlert }) {
		t.Fatalf("support heard of the alert: %+v", ns)
	}
	select {
	case body := <-got:
		if !bytes.Contains(body, []byte("alert.firing")) || !bytes.Contains(body, []byte("HighErrorRate")) {
			t.Fatalf("webhook body %s", body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook heard nothing")
	}
	e := lastEventOf(t, s, rel.ID, gonogo.ActionAlertFiring)
	if e.Actor != "Alertmanager (integration)" || !strings.Contains(e.Detail, "HighErrorRate") || !strings.Contains(e.Detail, "set “Dashboards healthy” failed") {
		t.Fatalf("audit %q: %q", e.Actor, e.Detail)
	}
}

// An admin makes each source's secret on the Alerts page: shown once,
// kept as a hash, renewed after a question, audited without the secret.
// Labels are checked beside their fields.
func TestAlertSecretsAreShownOnceAndLabelsChecked(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/alerts")
	if n := doc.Find("[data-testid=alert-source]").Length(); n != 2 {
		t.Fatalf("%d sources on the page", n)
	}
	if u := text(doc, "[data-source=alertmanager] [data-testid=alert-url]"); u != s.URL+"/hooks/alertmanager" {
		t.Fatalf("address %q", u)
	}
	res := admin.post("/admin/alerts/alertmanager/secret", url.Values{"confirm": {"1"}})
	wantStatus(t, res, http.StatusCreated)
	doc = parse(t, res)
	secret := text(doc, "[data-testid=new-alert-secret-value]")
	if !strings.HasPrefix(secret, "gna_") || len(secret) < 20 {
		t.Fatalf("secret %q", secret)
	}
	if e := lastAudit(t, s); e.Action != string(gonogo.ActionAlertSource) || strings.Contains(e.Detail, secret) {
		t.Fatalf("audit %+v", e)
	}
	_, doc = admin.get("/admin/alerts")
	if strings.Contains(doc.Text(), secret) || !strings.Contains(text(doc, "[data-source=alertmanager] [data-testid=alert-secret]"), secret[:8]) {
		t.Fatal("the page shows the secret again, or not its hint")
	}
	// Renewing a secret in use asks first; the old one then stops working.
	res = admin.post("/admin/alerts/alertmanager/secret", nil)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(parse(t, res).Text(), "old secret stops working") {
		t.Fatal("renewing did not ask first")
	}
	doc = parse(t, admin.post("/admin/alerts/alertmanager/secret", url.Values{"confirm": {"1"}}))
	renewed := text(doc, "[data-testid=new-alert-secret-value]")
	body := amPayload(t)
	if status, _ := s.postAlerts(t, gonogo.Alertmanager, secret, body); status != http.StatusUnauthorized {
		t.Fatalf("the old secret answered %d", status)
	}
	if status, _ := s.postAlerts(t, gonogo.Alertmanager, renewed, body); status != http.StatusAccepted {
		t.Fatalf("the new secret answered %d", status)
	}

	res = admin.post("/admin/alerts/grafana", url.Values{"product_label": {"9team"}, "version_label": {"9team"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if msg := text(doc, "#alerts-grafana-product_label-error"); !strings.Contains(msg, "letters, digits and underscores") {
		t.Fatalf("product label error %q; page %q", msg, text(doc, "[data-source=grafana]"))
	}
	if v, _ := doc.Find("[data-source=grafana] input[name=product_label]").Attr("value"); v != "9team" {
		t.Fatalf("the form lost what was typed: %q", v)
	}
	res = admin.post("/admin/alerts/grafana", url.Values{"product_label": {"service"}, "version_label": {"release"}})
	wantStatus(t, res, http.StatusSeeOther)
	set, err := s.store.FindAlertSettings(t.Context(), gonogo.Grafana)
	if err != nil || set.ProductLabel != "service" || set.VersionLabel != "release" {
		t.Fatalf("saved %+v %v", set, err)
	}
}
