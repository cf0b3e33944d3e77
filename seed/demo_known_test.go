package seed_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/seed"
)

// The demo shows the loop whole: a release that shipped with a known issue
// and its workaround, and a later release, shipped, that fixed it.
func TestDemoHasAKnownIssueFixedLater(t *testing.T) {
	s := db.OpenTest(t)
	if ok, err := seed.Demo(t.Context(), s, demoPassword); !ok || err != nil {
		t.Fatalf("seed: %t %v", ok, err)
	}
	old, err := s.FindReleaseByName(t.Context(), "payments", "1.17.0")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := s.FindReleaseKnownIssues(t.Context(), old.ID)
	if err != nil || len(ks) != 1 {
		t.Fatalf("payments 1.17.0's known issues: %+v, %v", ks, err)
	}
	k := ks[0]
	if old.State != gonogo.Released || k.Key != "PAY-44" || k.Workaround == "" || k.FixedIn() != "2.3.1" {
		t.Errorf("payments 1.17.0 (%s) ships with %+v, want PAY-44 with a workaround, fixed in 2.3.1", old.State, k)
	}
	fix, err := s.FindReleaseByName(t.Context(), "payments", "2.3.1")
	if err != nil {
		t.Fatal(err)
	}
	if fixed, err := s.FindFixedKnownIssues(t.Context(), fix.ID); err != nil || len(fixed) != 1 || fixed[0].ID != k.ID {
		t.Errorf("payments 2.3.1 fixes %+v, %v", fixed, err)
	}
}
