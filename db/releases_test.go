package db_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestCreateRelease(t *testing.T) {
	s := db.OpenTest(t)
	now := time.Date(2025, 3, 10, 9, 30, 0, 123456789, time.UTC)
	s.Now = func() time.Time { return now }
	rm := mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager)
	start := time.Date(2025, 3, 12, 23, 0, 0, 0, time.FixedZone("CET", 3600))

	rel, err := s.CreateRelease(t.Context(), actor(rm), gonogo.ReleaseInput{
		Product: "  Payments ", Version: " 2.4.0 ", Title: " Apple Pay ", Summary: "Adds Apple Pay.",
		ManagerID: rm.ID, Window: gonogo.Window{Start: start, End: start.Add(2 * time.Hour)},
	})
	if err != nil {
		t.Fatalf("CreateRelease: %v", err)
	}
	want := gonogo.Release{
		ID: rel.ID, Product: "payments", Version: "2.4.0", Title: "Apple Pay", Summary: "Adds Apple Pay.",
		State: gonogo.Draft, Cycle: 1, ManagerID: rm.ID, ManagerName: rm.Name, Kind: gonogo.KindStandard,
		Window:    gonogo.Window{Start: start.UTC(), End: start.Add(2 * time.Hour).UTC()},
		CreatedAt: now.Truncate(time.Millisecond), UpdatedAt: now.Truncate(time.Millisecond),
	}
	if rel != want {
		t.Errorf("release =\n%+v\nwant\n%+v", rel, want)
	}
	if got, err := s.FindReleaseByName(t.Context(), "payments", "2.4.0"); err != nil || got != rel {
		t.Errorf("FindReleaseByName = %+v, %v", got, err)
	}

	t.Run("checklist copied from the template", func(t *testing.T) {
		items := mustFindItems(t, s, rel.ID)
		tpl := gonogo.DefaultTemplate()
		if len(items) != len(tpl) {
			t.Fatalf("%d items, want %d", len(items), len(tpl))
		}
		for i, it := range items {
			in := tpl[i]
			if it.ReleaseID != rel.ID || it.Phase != in.Phase || it.Pillar != in.Pillar || it.Title != in.Title ||
				it.Guidance != in.Guidance || it.OwnerRole != in.OwnerRole || it.Required != in.Required ||
				it.CheckKey != in.CheckKey || it.Custom || it.Status != gonogo.ItemOpen || it.UpdatedBy != "" || !it.UpdatedAt.IsZero() {
				t.Errorf("item %d = %+v, want a fresh copy of %+v", i, it, in)
			}
		}
	})
	t.Run("audited", func(t *testing.T) {
		e := lastEvent(t, s)
		if e.Action != "release.create" || e.ReleaseID != rel.ID || e.ActorID != rm.ID || e.RemoteAddr != "192.0.2.1" ||
			!strings.Contains(e.Detail, "payments 2.4.0") {
			t.Errorf("event = %+v", e)
		}
	})
}

func TestCreateReleaseRefused(t *testing.T) {
	s := db.OpenTest(t)
	rm := mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager)
	qa := mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	gone := mustCreateUser(t, s, "gone@example.com", false, gonogo.ReleaseManager)
	disabled := true
	if _, err := s.UpdateUser(t.Context(), gonogo.SystemActor, gone.ID, db.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	mustCreateRelease(t, s, "payments", "2.4.0")

	tests := []struct {
		name   string
		in     gonogo.ReleaseInput
		fields []string
	}{
		{"duplicate product and version", gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "Again"}, []string{"version"}},
		{"duplicate once normalized", gonogo.ReleaseInput{Product: " PAYMENTS", Version: "2.4.0 ", Title: "Again"}, []string{"version"}},
		{"unknown manager", gonogo.ReleaseInput{Product: "payments", Version: "2.5.0", Title: "X", ManagerID: 9999}, []string{"manager"}},
		{"manager without the role", gonogo.ReleaseInput{Product: "payments", Version: "2.5.0", Title: "X", ManagerID: qa.ID}, []string{"manager"}},
		{"disabled manager", gonogo.ReleaseInput{Product: "payments", Version: "2.5.0", Title: "X", ManagerID: gone.ID}, []string{"manager"}},
		{"invalid input", gonogo.ReleaseInput{Product: "pay/ments", Version: "", Title: "X", ManagerID: rm.ID}, []string{"product", "version"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			releases, items, events := count(t, s, "releases"), count(t, s, "items"), count(t, s, "audit_events")
			_, err := s.CreateRelease(t.Context(), actor(rm), tc.in)
			wantFields(t, err, tc.fields...)
			if count(t, s, "releases") != releases || count(t, s, "items") != items || count(t, s, "audit_events") != events {
				t.Error("a refused release left rows behind")
			}
		})
	}
	t.Run("same version of another product", func(t *testing.T) {
		mustCreateRelease(t, s, "storefront", "2.4.0")
	})
}

func TestUpdateRelease(t *testing.T) {
	s := db.OpenTest(t)
	rm := mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager)
	qa := mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	later := time.Now().UTC().Add(time.Hour)
	s.Now = func() time.Time { return later }
	start := time.Date(2025, 3, 12, 22, 0, 0, 0, time.UTC)

	got, err := s.UpdateRelease(t.Context(), actor(rm), rel.ID, gonogo.ReleaseInput{
		Product: "storefront", Version: "9.9.9", // identity: ignored
		Title: "Apple Pay everywhere", Summary: "More.", ManagerID: rm.ID,
		Window: gonogo.Window{Start: start, End: start.Add(time.Hour)},
	})
	if err != nil {
		t.Fatalf("UpdateRelease: %v", err)
	}
	if got.Product != "payments" || got.Version != "2.4.0" {
		t.Errorf("identity changed to %s %s", got.Product, got.Version)
	}
	if got.Title != "Apple Pay everywhere" || got.Summary != "More." || got.ManagerID != rm.ID || got.ManagerName != rm.Name ||
		!got.Window.IsZero() {
		t.Errorf("release = %+v (the window changes only through SetWindow)", got)
	}
	if !got.UpdatedAt.After(rel.UpdatedAt) || !got.CreatedAt.Equal(rel.CreatedAt) {
		t.Errorf("created %v updated %v, was created %v updated %v", got.CreatedAt, got.UpdatedAt, rel.CreatedAt, rel.UpdatedAt)
	}
	e := lastEvent(t, s)
	if e.Action != "release.update" || e.ReleaseID != rel.ID || e.ActorID != rm.ID ||
		!strings.Contains(e.Detail, "Apple Pay everywhere") || strings.Contains(e.Detail, "window") {
		t.Errorf("event = %+v", e)
	}

	t.Run("no change writes nothing", func(t *testing.T) {
		events := count(t, s, "audit_events")
		again, err := s.UpdateRelease(t.Context(), actor(rm), rel.ID, gonogo.ReleaseInput{
			Product: got.Product, Version: got.Version, Title: got.Title, Summary: got.Summary, ManagerID: got.ManagerID, Window: got.Window,
		})
		if err != nil || again != got {
			t.Fatalf("UpdateRelease = %+v, %v; want %+v", again, err, got)
		}
		if n := count(t, s, "audit_events"); n != events {
			t.Errorf("%d events, want %d", n, events)
		}
	})
	t.Run("clearing the manager", func(t *testing.T) {
		r, err := s.UpdateRelease(t.Context(), actor(rm), rel.ID, gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: got.Title})
		if err != nil || r.ManagerID != 0 || r.ManagerName != "" || r.Summary != "" {
			t.Fatalf("UpdateRelease = %+v, %v", r, err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		tests := []struct {
			name string
			id   int64
			in   gonogo.ReleaseInput
			code string
		}{
			{"unknown release", 9999, gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "X"}, gonogo.ENOTFOUND},
			{"manager without the role", rel.ID, gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "X", ManagerID: qa.ID}, gonogo.EINVALID},
			{"no title", rel.ID, gonogo.ReleaseInput{Product: "payments", Version: "2.4.0"}, gonogo.EINVALID},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before, _ := s.FindRelease(t.Context(), rel.ID)
				events := count(t, s, "audit_events")
				_, err := s.UpdateRelease(t.Context(), actor(rm), tc.id, tc.in)
				wantCode(t, err, tc.code)
				if after, _ := s.FindRelease(t.Context(), rel.ID); after != before || count(t, s, "audit_events") != events {
					t.Error("a refused update changed something")
				}
			})
		}
	})
}

func TestFindRelease(t *testing.T) {
	s := db.OpenTest(t)
	_, err := s.FindRelease(t.Context(), 42)
	wantCode(t, err, gonogo.ENOTFOUND)
	_, err = s.FindReleaseByName(t.Context(), "payments", "1.0")
	wantCode(t, err, gonogo.ENOTFOUND)
}

func TestFindReleasesAndSnapshots(t *testing.T) {
	s := db.OpenTest(t)
	qa := mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	type spec struct {
		product, version string
		state            gonogo.State
	}
	specs := []spec{
		{"payments", "2.4.0", gonogo.Review},
		{"payments", "2.5.0", gonogo.Draft},
		{"payments", "2.3.1", gonogo.Released},
		{"storefront", "5.11.0", gonogo.Go},
		{"storefront", "5.12.0", gonogo.Draft},
		{"mobile", "3.8.0", gonogo.Review},
	}
	base := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return base }
	byName := map[string]gonogo.Release{}
	for _, sp := range specs {
		r := mustCreateRelease(t, s, sp.product, sp.version)
		setState(t, s, r.ID, sp.state)
		byName[r.Name()] = r
	}
	// One settled item, later, so snapshots carry real statuses.
	s.Now = func() time.Time { return base.Add(time.Hour) }
	pay := byName["payments 2.4.0"]
	it := itemTitled(t, mustFindItems(t, s, pay.ID), "Integration tests pass")
	if _, err := updateItem(t, s, pay.ID, it.ID, workItem(actor(qa), gonogo.ItemDone, "", "")); err != nil {
		t.Fatal(err)
	}
	readiness := 0
	for _, in := range gonogo.DefaultTemplate() {
		if in.Phase == gonogo.Readiness {
			readiness++
		}
	}

	tests := []struct {
		name string
		f    gonogo.ReleaseFilter
		want []string
	}{
		{"all", gonogo.ReleaseFilter{}, []string{"payments 2.4.0", "payments 2.5.0", "payments 2.3.1", "storefront 5.11.0", "storefront 5.12.0", "mobile 3.8.0"}},
		{"product", gonogo.ReleaseFilter{Product: "payments"}, []string{"payments 2.4.0", "payments 2.5.0", "payments 2.3.1"}},
		{"states", gonogo.ReleaseFilter{States: []gonogo.State{gonogo.Review, gonogo.Go}}, []string{"payments 2.4.0", "storefront 5.11.0", "mobile 3.8.0"}},
		{"product and state", gonogo.ReleaseFilter{Product: "payments", States: []gonogo.State{gonogo.Draft}}, []string{"payments 2.5.0"}},
		{"active states", gonogo.ReleaseFilter{States: gonogo.ActiveStates}, []string{"payments 2.4.0", "payments 2.5.0", "storefront 5.11.0", "storefront 5.12.0", "mobile 3.8.0"}},
		{"no match", gonogo.ReleaseFilter{Product: "payments", States: []gonogo.State{gonogo.Cancelled}}, nil},
		{"unknown product", gonogo.ReleaseFilter{Product: "nothing"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rels, err := s.FindReleases(t.Context(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range rels {
				names = append(names, r.Name())
			}
			if !sameSet(names, tc.want) {
				t.Errorf("FindReleases = %v, want %v", names, tc.want)
			}

			snaps, err := s.FindSnapshots(t.Context(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) != len(rels) {
				t.Fatalf("%d snapshots for %d releases", len(snaps), len(rels))
			}
			for i, sn := range snaps {
				if sn.Release != rels[i] {
					t.Errorf("snapshot %d is of %s, want %s (same order as FindReleases)", i, sn.Release.Name(), rels[i].Name())
				}
				if len(sn.Items) != readiness {
					t.Errorf("%s: %d items, want its %d readiness items", sn.Release.Name(), len(sn.Items), readiness)
				}
				for _, it := range sn.Items {
					if it.ReleaseID != sn.Release.ID || it.Phase != gonogo.Readiness {
						t.Errorf("%s holds item %+v", sn.Release.Name(), it)
					}
				}
				// The board's gate on a snapshot is the release page's gate.
				full, err := s.FindSnapshot(t.Context(), sn.Release.ID)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := gonogo.Evaluate(sn), gonogo.Evaluate(full); len(a.Reasons) != len(b.Reasons) || a.Ready != b.Ready {
					t.Errorf("%s: board gate %+v, page gate %+v", sn.Release.Name(), a, b)
				}
			}
		})
	}

	t.Run("settled item shows in its snapshot", func(t *testing.T) {
		snaps, err := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{Product: "payments", States: []gonogo.State{gonogo.Review}})
		if err != nil || len(snaps) != 1 {
			t.Fatalf("FindSnapshots = %v, %v", snaps, err)
		}
		if got := itemTitled(t, snaps[0].Items, "Integration tests pass"); got.Status != gonogo.ItemDone {
			t.Errorf("status = %q, want done", got.Status)
		}
		items := 0
		for _, r := range gonogo.Evaluate(snaps[0]).Reasons {
			if r.Kind == gonogo.ReasonItem {
				items++
			}
		}
		if items != readiness-1-2 { // two advisory items
			t.Errorf("gate names %d items", items)
		}
	})
	t.Run("products", func(t *testing.T) {
		ps, err := s.FindProductKeys(t.Context())
		if err != nil || !slices.Equal(ps, []string{"mobile", "payments", "storefront"}) {
			t.Errorf("FindProducts = %v, %v", ps, err)
		}
	})
	t.Run("most recently changed first", func(t *testing.T) {
		rels, err := s.FindReleases(t.Context(), gonogo.ReleaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if rels[0].ID != pay.ID {
			t.Errorf("first release is %s, want %s whose item changed last", rels[0].Name(), pay.Name())
		}
	})
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
