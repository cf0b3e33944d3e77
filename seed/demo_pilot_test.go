package seed_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/seed"
)

// The demo's verifying release has a pilot with every kind of answer: it
// works, a problem made a defect, a tester still waiting, a link revoked.
func TestDemoHasAPilot(t *testing.T) {
	s := db.OpenTest(t)
	if ok, err := seed.Demo(t.Context(), s, demoPassword); !ok || err != nil {
		t.Fatalf("seed: %v %v", ok, err)
	}
	rel, err := s.FindReleaseByName(t.Context(), "mobile", "3.7.1")
	if err != nil || rel.State != gonogo.Verifying {
		t.Fatalf("mobile 3.7.1 = %v (%v), want verifying", rel.State, err)
	}
	ps, err := s.FindPilot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	defects := 0
	for _, p := range ps {
		got[p.Status(s.Now())]++
		if p.DefectID != 0 {
			defects++
		}
	}
	if got["works"] < 2 || got["problem"] != 1 || got["waiting"] != 1 || got["revoked"] != 1 || defects != 1 {
		t.Errorf("pilot = %v with %d defects", got, defects)
	}
}
