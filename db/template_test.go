package db_test

import (
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
	if err := s.AddTemplateItem(t.Context(), a, fuzz); err != nil {
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
			{"add with a used check key", func() error { return s.AddTemplateItem(t.Context(), a, smoke) }, gonogo.EINVALID, "check_key"},
			{"add invalid", func() error { return s.AddTemplateItem(t.Context(), a, gonogo.ItemInput{Title: "x"}) }, gonogo.EINVALID, ""},
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
