package seed_test

import (
	"fmt"
	"slices"
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

// TestSeedBenchManyProducts checks that a board of more than ten products
// gives each its own name: the generator has ten, then numbers them.
func TestSeedBenchManyProducts(t *testing.T) {
	s := db.OpenTest(t)
	spec := seed.BenchSpec{Products: 23, ReleasesPer: 4, Days: 40, Password: testPassword}
	if err := seed.Bench(t.Context(), s, spec); err != nil {
		t.Fatal(err)
	}
	rels, err := s.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != spec.Releases() {
		t.Fatalf("releases = %d, want %d", len(rels), spec.Releases())
	}
	perProduct := map[string]int{}
	for _, r := range rels {
		perProduct[r.Product]++
	}
	if len(perProduct) != spec.Products {
		t.Errorf("%d product names, want %d: %v", len(perProduct), spec.Products, perProduct)
	}
	for name, n := range perProduct {
		if n != spec.ReleasesPer {
			t.Errorf("%s has %d releases, want %d", name, n, spec.ReleasesPer)
		}
	}
}

// TestSeedBenchHistory checks that a board with History has the same
// active releases as the board without it (the same cards on screen),
// with the older releases behind them, and a whole audit chain.
func TestSeedBenchHistory(t *testing.T) {
	spec := seed.BenchSpec{Products: 2, ReleasesPer: 6, Days: 60, Password: testPassword}
	long := spec
	long.History = 12
	active := func(spec seed.BenchSpec) ([]string, int) {
		s := db.OpenTest(t)
		if err := seed.Bench(t.Context(), s, spec); err != nil {
			t.Fatal(err)
		}
		rels, err := s.FindReleases(t.Context(), gonogo.ReleaseFilter{States: gonogo.ActiveStates})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rels {
			out = append(out, fmt.Sprintf("%s %s %s %q", r.Product, r.Version, r.State, r.Title))
		}
		slices.Sort(out)
		if brk, _, err := s.VerifyAudit(t.Context()); err != nil || brk != nil {
			t.Fatalf("audit chain: %v %v", brk, err)
		}
		return out, count(t, s, "releases")
	}
	short, n1 := active(spec)
	withHistory, n2 := active(long)
	if len(short) == 0 || !slices.Equal(short, withHistory) {
		t.Errorf("active releases differ:\nwithout history %q\nwith history    %q", short, withHistory)
	}
	if n1 != spec.Releases() || n2 != long.Releases() || n2 != 3*n1 {
		t.Errorf("releases = %d and %d, want %d and %d", n1, n2, spec.Releases(), long.Releases())
	}
}
