package db_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func titles(tpl []db.TemplateItem) []string {
	var out []string
	for _, t := range tpl {
		out = append(out, t.Title)
	}
	return out
}

func TestTemplateEdits(t *testing.T) {
	s := db.OpenTest(t)
	admin := mustCreateUser(t, s, "admin@example.com", true)
	a := actor(admin)
	before := mustTemplate(t, s)
	old := mustCreateRelease(t, s, "payments", "2.4.0")

	fuzz := gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Title: "Fuzz tests pass", OwnerRole: gonogo.QALead, Required: true, CheckKey: "fuzz"}
	if err := s.AddTemplateItem(t.Context(), a, "", fuzz); err != nil {
		t.Fatalf("AddTemplateItem: %v", err)
	}
	tpl := mustTemplate(t, s)
	added := tpl[len(tpl)-1]
	if len(tpl) != len(before)+1 || added.ItemInput != fuzz || added.Position != len(tpl) {
		t.Fatalf("template ends with %+v (%d items)", added, len(tpl))
	}
	if e := lastEvent(t, s); e.Action != "template.add" || e.ActorID != admin.ID {
		t.Errorf("event = %+v", e)
	}

	t.Run("new releases get the change, old ones keep their copy", func(t *testing.T) {
		fresh := mustCreateRelease(t, s, "payments", "2.5.0")
		itemTitled(t, mustFindItems(t, s, fresh.ID), "Fuzz tests pass")
		if n := len(mustFindItems(t, s, old.ID)); n != len(before) {
			t.Errorf("old release has %d items, want %d", n, len(before))
		}
	})
	t.Run("update", func(t *testing.T) {
		changed := fuzz
		changed.Title, changed.Required = "Fuzz tests pass for an hour", false
		if err := s.UpdateTemplateItem(t.Context(), a, added.ID, changed); err != nil {
			t.Fatal(err)
		}
		if got := mustTemplate(t, s)[len(tpl)-1]; got.ItemInput != changed || got.ID != added.ID {
			t.Errorf("item = %+v", got)
		}
	})
	t.Run("move", func(t *testing.T) {
		first, second := before[0], before[1]
		if err := s.MoveTemplateItem(t.Context(), a, second.ID, -1); err != nil {
			t.Fatal(err)
		}
		got := titles(mustTemplate(t, s))
		if got[0] != second.Title || got[1] != first.Title {
			t.Errorf("order starts %q, %q", got[0], got[1])
		}
		events := count(t, s, "audit_events")
		if err := s.MoveTemplateItem(t.Context(), a, second.ID, -1); err != nil {
			t.Fatalf("moving the first item up: %v", err)
		}
		if count(t, s, "audit_events") != events {
			t.Error("a move that moves nothing was audited")
		}
		rel := mustCreateRelease(t, s, "payments", "2.6.0")
		if items := mustFindItems(t, s, rel.ID); items[0].Title != second.Title {
			t.Errorf("new release starts with %q, want %q", items[0].Title, second.Title)
		}
	})
	t.Run("refused", func(t *testing.T) {
		smoke := gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Operational, Title: "Another smoke test", OwnerRole: gonogo.QALead, CheckKey: "smoke-test"}
		tests := []struct {
			name  string
			do    func() error
			code  string
			field string
		}{
			{"add with a used check key", func() error { return s.AddTemplateItem(t.Context(), a, "", smoke) }, gonogo.EINVALID, "check_key"},
			{"add invalid", func() error { return s.AddTemplateItem(t.Context(), a, "", gonogo.ItemInput{Title: "x"}) }, gonogo.EINVALID, ""},
			{"update to a used check key", func() error { return s.UpdateTemplateItem(t.Context(), a, added.ID, smoke) }, gonogo.EINVALID, "check_key"},
			{"update unknown", func() error { return s.UpdateTemplateItem(t.Context(), a, 9999, fuzz) }, gonogo.ENOTFOUND, ""},
			{"remove unknown", func() error { return s.RemoveTemplateItem(t.Context(), a, 9999) }, gonogo.ENOTFOUND, ""},
			{"move unknown", func() error { return s.MoveTemplateItem(t.Context(), a, 9999, 1) }, gonogo.ENOTFOUND, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				items, events := count(t, s, "template_items"), count(t, s, "audit_events")
				err := tc.do()
				if tc.field != "" {
					wantFields(t, err, tc.field)
				} else {
					wantCode(t, err, tc.code)
				}
				if count(t, s, "template_items") != items || count(t, s, "audit_events") != events {
					t.Error("a refused change altered the template")
				}
			})
		}
	})
	t.Run("remove", func(t *testing.T) {
		n := len(mustTemplate(t, s))
		if err := s.RemoveTemplateItem(t.Context(), a, added.ID); err != nil {
			t.Fatal(err)
		}
		if got := len(mustTemplate(t, s)); got != n-1 {
			t.Errorf("%d items, want %d", got, n-1)
		}
		if e := lastEvent(t, s); e.Action != "template.remove" {
			t.Errorf("event = %+v", e)
		}
	})
}

// A product customizes its checklist: a copy of the global template, edited
// on its own, which its releases start with; other products keep the
// global one, and edits of one template leave the other alone.
func TestProductTemplates(t *testing.T) {
	s := db.OpenTest(t)
	a := actor(mustCreateUser(t, s, "admin@example.com", true))
	ctx := t.Context()
	global := mustTemplate(t, s)
	mustCreateRelease(t, s, "payments", "1.0.0")
	mustCreateRelease(t, s, "storefront", "1.0.0")

	tpl, err := s.FindProductTemplate(ctx, "payments")
	if err != nil || tpl.Own || len(tpl.Items) != len(global) {
		t.Fatalf("payments before customizing: own %t, %d items, %v", tpl.Own, len(tpl.Items), err)
	}
	fuzz := gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Title: "Fuzz tests pass", OwnerRole: gonogo.QALead, Required: true, CheckKey: "fuzz"}
	wantCode(t, s.AddTemplateItem(ctx, a, "payments", fuzz), gonogo.ECONFLICT)

	if err := s.CustomizeTemplate(ctx, a, "payments"); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, s); e.Action != "template.customize" || !strings.Contains(e.Detail, "payments") {
		t.Errorf("event = %+v", e)
	}
	wantCode(t, s.CustomizeTemplate(ctx, a, "payments"), gonogo.ECONFLICT)
	wantCode(t, s.CustomizeTemplate(ctx, a, "nope"), gonogo.ENOTFOUND)
	// The copy reports the same check keys as the global one: per product.
	if err := s.AddTemplateItem(ctx, a, "payments", fuzz); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, s); !strings.Contains(e.Detail, "payments") {
		t.Errorf("the edit's audit does not name the template: %q", e.Detail)
	}
	tpl, _ = s.FindProductTemplate(ctx, "payments")
	if !tpl.Own || len(tpl.Items) != len(global)+1 || tpl.Items[0].Product != "payments" {
		t.Fatalf("payments' own template: own %t, %d items", tpl.Own, len(tpl.Items))
	}
	first := tpl.Items[0]
	if err := s.RemoveTemplateItem(ctx, a, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveTemplateItem(ctx, a, tpl.Items[2].ID, -1); err != nil {
		t.Fatal(err)
	}
	if got := titles(mustTemplate(t, s)); !slices.Equal(got, titles(global)) {
		t.Errorf("editing payments' template changed the global one: %q", got)
	}

	pay := mustFindItems(t, s, mustCreateRelease(t, s, "payments", "2.0.0").ID)
	itemTitled(t, pay, "Fuzz tests pass")
	if len(pay) != len(global) {
		t.Errorf("a payments release has %d items, want %d", len(pay), len(global))
	}
	shop := mustFindItems(t, s, mustCreateRelease(t, s, "storefront", "2.0.0").ID)
	if len(shop) != len(global) || shop[0].Title != global[0].Title {
		t.Errorf("a storefront release starts with %d items, %q", len(shop), shop[0].Title)
	}
	// A product made by its first release uses the global template.
	if n := len(mustFindItems(t, s, mustCreateRelease(t, s, "mobile", "1.0.0").ID)); n != len(global) {
		t.Errorf("a new product's release has %d items, want %d", n, len(global))
	}
}
