package seed_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// demoRelease finds a release of the demo by product and version.
func demoRelease(t *testing.T, s *db.Store, product, version string) gonogo.Release {
	t.Helper()
	rels, err := s.FindNamesakes(t.Context(), product, version)
	if err != nil || len(rels) != 1 {
		t.Fatalf("%s %s: %v %v", product, version, rels, err)
	}
	return rels[0]
}

// The demo shows alerts that halt: storefront 5.10.1 rolled back by a
// critical alert, audited as Alertmanager, and mobile 3.7.1 with a
// resolved alert whose “Dashboards healthy” stays failed.
func TestDemoHasAnAlertThatRolledBackAndOneResolved(t *testing.T) {
	s := seedDemoAt(t, demoNow, time.UTC)
	rolled := demoRelease(t, s, "storefront", "5.10.1")
	if rolled.State != gonogo.RolledBack {
		t.Fatalf("storefront 5.10.1 is %s, want rolled back", rolled.State)
	}
	evs, err := s.FindReleaseEvents(t.Context(), rolled.ID, 5)
	if err != nil || evs[0].Action != string(gonogo.ActionReleaseState) || evs[0].Actor != "Alertmanager (integration)" ||
		!strings.Contains(evs[0].Detail, "CheckoutErrorRate") {
		t.Fatalf("its last event %+v, %v; want the rollback by the alert", evs, err)
	}
	firing, err := s.FindFiringAlerts(t.Context(), rolled.ID)
	if err != nil || len(firing) != 1 || !firing[0].Critical() {
		t.Fatalf("its firing alerts %+v, %v", firing, err)
	}
	verifying := demoRelease(t, s, "mobile", "3.7.1")
	as, err := s.FindReleaseAlerts(t.Context(), verifying.ID, 5)
	if err != nil || len(as) != 1 || as[0].Status != gonogo.AlertResolved || as[0].Source != gonogo.Grafana {
		t.Fatalf("mobile 3.7.1's alerts %+v, %v; want one resolved", as, err)
	}
	items, err := s.FindItems(t.Context(), verifying.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.CheckKey == gonogo.DashboardsCheckKey && it.Status != gonogo.ItemFailed {
			t.Fatalf("mobile 3.7.1's %q is %s, want failed", it.Title, it.Status)
		}
	}
	if verifying.State != gonogo.Verifying {
		t.Fatalf("a warning moved mobile 3.7.1 to %s", verifying.State)
	}
}
