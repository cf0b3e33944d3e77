package seed_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/seed"
)

// TestSeedBench checks that a generated board is one the app could have
// made: every fate reached, notes published, the audit chain whole.
func TestSeedBench(t *testing.T) {
	s := db.OpenTest(t)
	spec := seed.BenchSpec{Products: 3, ReleasesPer: 14, ExtraItems: 16, Defects: 15, Days: 120, Password: testPassword}
	if err := seed.Bench(t.Context(), s, spec); err != nil {
		t.Fatal(err)
	}
	rels, err := s.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 42 {
		t.Fatalf("releases = %d, want 42", len(rels))
	}
	states := map[gonogo.State]int{}
	for _, r := range rels {
		states[r.State]++
	}
	for _, st := range gonogo.States {
		if states[st] == 0 {
			t.Errorf("no release is %s: %v", st, states)
		}
	}
	if n, want := count(t, s, "items"), 42*(len(gonogo.DefaultTemplate())+spec.ExtraItems); n != want {
		t.Errorf("items = %d, want %d", n, want)
	}
	if n := count(t, s, "defects"); n != 42*15 {
		t.Errorf("defects = %d, want %d", n, 42*15)
	}
	if n := count(t, s, "notes WHERE status = 'published'"); n < 30 {
		t.Errorf("published notes = %d, want at least 30", n)
	}
	brk, n, err := s.VerifyAudit(t.Context())
	if err != nil || brk != nil {
		t.Fatalf("audit chain: %v %v", brk, err)
	}
	t.Logf("%d audit events, states %v", n, states)
}
