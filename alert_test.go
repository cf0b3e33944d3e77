package gonogo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var alertNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// alertRelease is payments 2.4.0 in state with the default template's
// verification items, ids from 1, as its checklist.
func alertRelease(state gonogo.State) (gonogo.Release, []gonogo.Item) {
	rel := gonogo.Release{ID: 7, Product: "payments", Version: "2.4.0", State: state, Cycle: 1, ManagerID: 42}
	var items []gonogo.Item
	for i, in := range gonogo.DefaultTemplate() {
		if in.Phase == gonogo.Verification {
			items = append(items, gonogo.Item{ID: int64(i + 1), ReleaseID: rel.ID, Phase: in.Phase, Title: in.Title, OwnerRole: in.OwnerRole,
				Required: in.Required, CheckKey: in.CheckKey, Status: gonogo.ItemOpen})
		}
	}
	return rel, items
}

func incoming(status gonogo.AlertStatus, severity string) gonogo.IncomingAlert {
	return gonogo.IncomingAlert{Fingerprint: "fp1", Status: status, Name: "HighErrorRate", Severity: severity,
		Summary: "error rate above 5%", URL: "https://prometheus.example/graph", StartsAt: alertNow.Add(-10 * time.Minute),
		Labels: map[string]string{"gonogo_product": "payments"}}
}

func TestDefaultTemplateGivesDashboardsHealthyItsCheckKey(t *testing.T) {
	var found []string
	for _, in := range gonogo.DefaultTemplate() {
		if in.CheckKey == gonogo.DashboardsCheckKey {
			found = append(found, in.Title)
		}
	}
	if !slices.Equal(found, []string{"Dashboards healthy"}) {
		t.Fatalf("items keyed %s: %q", gonogo.DashboardsCheckKey, found)
	}
}

func TestReceiveAlert(t *testing.T) {
	src := gonogo.Alertmanager
	t.Run("firing fails the dashboards item and tells the release manager and ops", func(t *testing.T) {
		rel, items := alertRelease(gonogo.Deploying)
		res := gonogo.ReceiveAlert(src, rel, items, nil, incoming(gonogo.AlertFiring, "warning"), gonogo.AlertPolicy{}, alertNow)
		if res.Outcome != gonogo.AlertFired || !res.Store || res.Rollback || res.Item == nil {
			t.Fatalf("%+v", res)
		}
		if res.Item.Title != "Dashboards healthy" || res.Item.Status != gonogo.ItemFailed || res.Item.Evidence != "Alert “HighErrorRate” (warning): error rate above 5% https://prometheus.example/graph" ||
			res.Item.UpdatedBy != "Alertmanager (integration)" {
			t.Fatalf("item %+v", res.Item)
		}
		if !slices.Contains(res.Audit.Topics, gonogo.TopicAlertFiring) || res.Audit.Action != gonogo.ActionAlertFiring ||
			!strings.Contains(res.Audit.Detail, "HighErrorRate") || !strings.Contains(res.Audit.Detail, "error rate above 5%") {
			t.Fatalf("audit %+v", res.Audit)
		}
		c := res.Audit.Causes[0]
		if c.Kind != gonogo.NotifyAlert || !slices.Equal(c.Roles, gonogo.RoleSet{gonogo.Ops}) || !slices.Equal(c.People, []int64{42}) ||
			c.ItemID != res.Item.ID {
			t.Fatalf("cause %+v", c)
		}
	})
	t.Run("an item found by its title on releases made before the key", func(t *testing.T) {
		rel, items := alertRelease(gonogo.Verifying)
		for i := range items {
			items[i].CheckKey = ""
		}
		res := gonogo.ReceiveAlert(src, rel, items, nil, incoming(gonogo.AlertFiring, ""), gonogo.AlertPolicy{}, alertNow)
		if res.Item == nil || res.Item.Title != "Dashboards healthy" {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("said again, it changes nothing", func(t *testing.T) {
		rel, items := alertRelease(gonogo.Deploying)
		was := gonogo.Alert{ID: 3, Status: gonogo.AlertFiring, StartsAt: alertNow.Add(-10 * time.Minute)}
		if res := gonogo.ReceiveAlert(src, rel, items, &was, incoming(gonogo.AlertFiring, "warning"), gonogo.AlertPolicy{}, alertNow); res.Store ||
			res.Outcome != gonogo.AlertUnchanged {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("resolved, it is kept resolved and the item is left failed", func(t *testing.T) {
		rel, items := alertRelease(gonogo.Deploying)
		for i := range items {
			if items[i].CheckKey == gonogo.DashboardsCheckKey {
				items[i].Status = gonogo.ItemFailed
			}
		}
		was := gonogo.Alert{ID: 3, Name: "HighErrorRate", Status: gonogo.AlertFiring, StartsAt: alertNow.Add(-10 * time.Minute)}
		in := incoming(gonogo.AlertResolved, "warning")
		in.EndsAt = alertNow.Add(-time.Minute)
		res := gonogo.ReceiveAlert(src, rel, items, &was, in, gonogo.AlertPolicy{}, alertNow)
		if res.Outcome != gonogo.AlertCleared || res.Alert.Status != gonogo.AlertResolved || !res.Alert.EndsAt.Equal(in.EndsAt) ||
			res.Alert.ID != 3 || res.Item != nil || !strings.Contains(res.Audit.Detail, "stays failed until a person settles it") {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("a firing delivery of an occurrence resolved already is stale", func(t *testing.T) {
		rel, items := alertRelease(gonogo.Deploying)
		was := gonogo.Alert{ID: 3, Status: gonogo.AlertResolved, StartsAt: alertNow.Add(-10 * time.Minute)}
		if res := gonogo.ReceiveAlert(src, rel, items, &was, incoming(gonogo.AlertFiring, "warning"), gonogo.AlertPolicy{}, alertNow); res.Store ||
			res.Outcome != gonogo.AlertStale {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("a new occurrence fires again", func(t *testing.T) {
		rel, items := alertRelease(gonogo.Deploying)
		was := gonogo.Alert{ID: 3, Status: gonogo.AlertResolved, StartsAt: alertNow.Add(-time.Hour)}
		if res := gonogo.ReceiveAlert(src, rel, items, &was, incoming(gonogo.AlertFiring, "warning"), gonogo.AlertPolicy{}, alertNow); !res.Store ||
			res.Outcome != gonogo.AlertFiredAgain || res.Alert.ID != 0 {
			t.Fatalf("%+v", res)
		}
	})
	for _, tc := range []struct {
		name     string
		severity string
		policy   bool
		state    gonogo.State
		rollback bool
	}{
		{"critical, product rolls back", "critical", true, gonogo.Deploying, true},
		{"critical, while verifying", "critical", true, gonogo.Verifying, true},
		{"critical, product leaves it to people", "critical", false, gonogo.Deploying, false},
		{"a warning", "warning", true, gonogo.Deploying, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel, items := alertRelease(tc.state)
			res := gonogo.ReceiveAlert(src, rel, items, nil, incoming(gonogo.AlertFiring, tc.severity),
				gonogo.AlertPolicy{Product: "payments", RollbackOnCritical: tc.policy}, alertNow)
			if res.Rollback != tc.rollback {
				t.Fatalf("rollback %t, want %t", res.Rollback, tc.rollback)
			}
		})
	}
}

// The rollback a product's policy makes is the transition people take,
// taken by the integration and audited with the alert.
func TestAlertRollback(t *testing.T) {
	rel, items := alertRelease(gonogo.Verifying)
	a := gonogo.Alert{Name: "PaymentsDown", Severity: "critical", Summary: "no payments for 5 minutes", Status: gonogo.AlertFiring}
	res, err := gonogo.AlertRollback(gonogo.Alertmanager, gonogo.Snapshot{Release: rel, Items: items}, a, alertNow)
	if err != nil || res.To != gonogo.RolledBack || !strings.Contains(res.Audit.Detail, "PaymentsDown") ||
		!strings.Contains(res.Audit.Detail, "to Rolled back") {
		t.Fatalf("%+v %v", res, err)
	}
	rel.State = gonogo.Released
	if _, err := gonogo.AlertRollback(gonogo.Alertmanager, gonogo.Snapshot{Release: rel}, a, alertNow); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("a released release rolled back: %v", err)
	}
}

func TestAlertHalt(t *testing.T) {
	firing := gonogo.Alert{Name: "HighErrorRate", Severity: "warning", Summary: "error rate above 5%", Status: gonogo.AlertFiring,
		URL: "https://prometheus.example/graph", StartsAt: alertNow}
	resolved := firing
	resolved.Status = gonogo.AlertResolved
	for _, tc := range []struct {
		name   string
		state  gonogo.State
		alerts []gonogo.Alert
		action string
	}{
		{"firing while deploying", gonogo.Deploying, []gonogo.Alert{firing}, gonogo.ActionRollbackSuggested},
		{"firing while verifying", gonogo.Verifying, []gonogo.Alert{resolved, firing}, gonogo.ActionRollbackSuggested},
		{"resolved", gonogo.Deploying, []gonogo.Alert{resolved}, ""},
		{"none", gonogo.Deploying, nil, ""},
		{"firing after the rollback", gonogo.RolledBack, []gonogo.Alert{firing}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel := gonogo.Release{Product: "payments", Version: "2.4.0", State: tc.state}
			cl, action := gonogo.Clearance{Authorized: true}.WithAlerts(rel, tc.alerts)
			if action != tc.action || cl.Authorized != (tc.action == "") {
				t.Fatalf("action %q, authorized %t", action, cl.Authorized)
			}
			if tc.action != "" && (len(cl.Reasons) != 1 || !strings.Contains(cl.Reasons[0], "“HighErrorRate” (warning): error rate above 5%") ||
				!strings.Contains(cl.Reasons[0], "https://prometheus.example/graph")) {
				t.Fatalf("reasons %q", cl.Reasons)
			}
		})
	}
}

func TestParseAlerts(t *testing.T) {
	t.Run("Alertmanager's version 4", func(t *testing.T) {
		body := `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"  High\nErrors ","severity":"CRITICAL",
			"gonogo_product":"Payments"},"annotations":{"description":"from the description"},"startsAt":"2026-12-01T09:50:00.123456Z",
			"endsAt":"0001-01-01T00:00:00Z","generatorURL":"javascript:alert(1)","fingerprint":"abc"}]}`
		got, err := gonogo.ParseAlerts(gonogo.Alertmanager, []byte(body))
		if err != nil || len(got) != 1 {
			t.Fatalf("%+v %v", got, err)
		}
		a := got[0]
		if a.Name != "High Errors" || a.Severity != "critical" || a.Summary != "from the description" || a.URL != "" || a.Fingerprint != "abc" ||
			!a.StartsAt.Equal(time.Date(2026, 12, 1, 9, 50, 0, 123000000, time.UTC)) || !a.EndsAt.IsZero() || !a.Critical() {
			t.Fatalf("%+v", a)
		}
		set := gonogo.NewAlertSettings(gonogo.Alertmanager)
		if tg := set.Target(a); tg.Product != "payments" || tg.Version != "" {
			t.Fatalf("target %+v", tg)
		}
	})
	t.Run("an alert without a fingerprint is named by its labels", func(t *testing.T) {
		body := `{"version":"1","alerts":[{"status":"firing","labels":{"alertname":"A","x":"1"},"startsAt":"2026-12-01T09:50:00Z"},
			{"status":"firing","labels":{"x":"1","alertname":"A"},"startsAt":"2026-12-01T09:50:00Z"}]}`
		got, err := gonogo.ParseAlerts(gonogo.Grafana, []byte(body))
		if err != nil || got[0].Fingerprint == "" || got[0].Fingerprint != got[1].Fingerprint {
			t.Fatalf("%+v %v", got, err)
		}
	})
	for _, tc := range []struct{ name, src, body, says string }{
		{"not JSON", "alertmanager", `nope`, "webhook JSON"},
		{"Alertmanager's older version", "alertmanager", `{"version":"3","alerts":[]}`, "version 4"},
		{"Grafana's payload at Alertmanager's address", "alertmanager", `{"version":"1","alerts":[]}`, "version 4"},
		{"an unknown status", "grafana", `{"version":"1","alerts":[{"status":"pending","labels":{"alertname":"A"},"startsAt":"2026-12-01T09:50:00Z"}]}`, "firing or resolved"},
		{"no start", "grafana", `{"version":"1","alerts":[{"status":"firing","labels":{"alertname":"A"}}]}`, "startsAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gonogo.ParseAlerts(gonogo.AlertSource(tc.src), []byte(tc.body))
			if gonogo.ErrorCode(err) != gonogo.EINVALID || !strings.Contains(gonogo.ErrorMessage(err), tc.says) {
				t.Fatalf("%v, want a refusal saying %q", err, tc.says)
			}
		})
	}
}

func TestAlertLabelsInputValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     gonogo.AlertLabelsInput
		fields []string
	}{
		{"the defaults", gonogo.AlertLabelsInput{ProductLabel: "gonogo_product", VersionLabel: "gonogo_version"}, nil},
		{"other names", gonogo.AlertLabelsInput{ProductLabel: "service", VersionLabel: "app_version"}, nil},
		{"empty", gonogo.AlertLabelsInput{}, []string{"product_label", "version_label"}},
		{"a digit first and a dash", gonogo.AlertLabelsInput{ProductLabel: "9team", VersionLabel: "app-version"}, []string{"product_label", "version_label"}},
		{"the same label twice", gonogo.AlertLabelsInput{ProductLabel: "app", VersionLabel: "app"}, []string{"version_label"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			var got []string
			if e, ok := err.(*gonogo.Error); ok {
				for f := range e.Fields {
					got = append(got, f)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
}

// A secret is checked against its hash; a source without one takes none.
func TestAlertSettingsAccepts(t *testing.T) {
	set := gonogo.NewAlertSettings(gonogo.Grafana)
	if set.Accepts("anything") || set.Accepts("") {
		t.Fatal("a source without a secret accepted one")
	}
	set.SecretHash = gonogo.HashToken("gna_right")
	if !set.Accepts("gna_right") || set.Accepts("gna_wrong") || set.Accepts("") {
		t.Fatal("the secret's hash is not what decides")
	}
}
