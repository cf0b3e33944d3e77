package seed

import (
	"time"

	"github.com/gonogo/gonogo"
)

// demoAlertRelease is the storefront's second try at wishlist sharing:
// deployed this morning, it met a critical alert, and the storefront,
// which rolls back on a critical alert, was rolled back by it.
var demoAlertRelease = demoRelease{product: "storefront", version: "5.10.1", title: "Wishlist sharing, second try",
	state: gonogo.Deploying, summary: "Wishlist sharing again, with the share-link cache fixed.", age: 4 * time.Hour}

// Its notes, published before its Go as every release's are.
func init() {
	demoNotes["storefront 5.10.1"] = demoNote{in: gonogo.NotesInput{
		Title:      "Wishlist sharing",
		Highlights: "Shoppers can share a wishlist with a link, again.",
		Changes:    "- A *Share* button on the wishlist page copies a link anyone can open; the link no longer shows the owner's e-mail address.",
		Internal:   "Rolled back by the critical alert CheckoutErrorRate: 5xx on checkout after the deploy.",
	}}
}

// planAlerts plans the demo's alerts (docs/operations.md): an admin makes
// the secrets of Alertmanager and Grafana and lets the storefront roll
// back on a critical alert; Grafana warns of latency on mobile 3.7.1
// while it is verified, and the alert resolves, leaving “Dashboards
// healthy” failed for a person to settle; and Alertmanager's critical
// alert on storefront 5.10.1, being deployed, rolls it back, audited as
// the alert.
func (w *writer) planAlerts(users map[gonogo.Role]gonogo.Actor, now time.Time) []demoStep {
	steps := w.planRelease(demoAlertRelease, users, now)
	admin := gonogo.Actor{Name: "Avery Admin", Admin: true, RemoteAddr: "demo"}
	add := func(name string, at time.Time, do func() error) {
		steps = append(steps, demoStep{release: name, at: at, do: do})
	}
	add("alerts", now.Add(-7*time.Hour), func() error {
		for _, src := range gonogo.AlertSources {
			if _, err := w.store.RenewAlertSecret(w.ctx, admin, src); err != nil {
				return err
			}
		}
		return w.store.SaveAlertPolicy(w.ctx, admin, gonogo.AlertPolicy{Product: "storefront", RollbackOnCritical: true})
	})
	latency := gonogo.IncomingAlert{Fingerprint: "demo-mobile-latency", Status: gonogo.AlertFiring, Name: "ApiLatencyHigh",
		Severity: "warning", Summary: "p99 latency of the sync API above 800 ms for 10 minutes",
		URL:    "https://grafana.example.com/d/mobile-api/mobile-api?viewPanel=4",
		Labels: map[string]string{"gonogo_product": "mobile", "gonogo_version": "3.7.1"}, StartsAt: now.Add(-6*time.Hour - 10*time.Minute)}
	add("mobile 3.7.1", now.Add(-6*time.Hour), func() error { return w.alert(gonogo.Grafana, latency) })
	over := latency
	over.Status, over.EndsAt = gonogo.AlertResolved, now.Add(-5*time.Hour-25*time.Minute)
	add("mobile 3.7.1", now.Add(-5*time.Hour-20*time.Minute), func() error { return w.alert(gonogo.Grafana, over) })
	checkout := gonogo.IncomingAlert{Fingerprint: "demo-storefront-checkout", Status: gonogo.AlertFiring, Name: "CheckoutErrorRate",
		Severity: "critical", Summary: "5xx on checkout above 2% since the deploy",
		URL:    "https://prometheus.example.com/graph?g0.expr=sum%28rate%28http_requests_total%7Bjob%3D%22storefront%22%2Ccode%3D~%225..%22%7D%5B5m%5D%29%29",
		Labels: map[string]string{"gonogo_product": "storefront"}, StartsAt: now.Add(-3*time.Hour - 50*time.Minute)}
	add("storefront 5.10.1", now.Add(-3*time.Hour-45*time.Minute), func() error { return w.alert(gonogo.Alertmanager, checkout) })
	return steps
}

// alert delivers one alert of src as its webhook would, once verified.
func (w *writer) alert(src gonogo.AlertSource, a gonogo.IncomingAlert) error {
	set, err := w.store.FindAlertSettings(w.ctx, src)
	if err != nil {
		return err
	}
	_, err = w.store.ReceiveAlerts(w.ctx, src, set, []gonogo.IncomingAlert{a})
	return err
}
