package db_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// itemWork is a change of an item's status and who asks for it, as a
// handler passes them to the store, which applies the domain's rule to the
// release and item as the transaction sees them.
type itemWork struct {
	a gonogo.Actor
	c gonogo.ItemChange
}

func workItem(a gonogo.Actor, status gonogo.ItemStatus, evidence, reason string) itemWork {
	return itemWork{a, gonogo.ItemChange{Status: status, Evidence: evidence, Reason: reason}}
}

// updateItem asks the store for w's change of item id of releaseID.
func updateItem(t *testing.T, s *db.Store, releaseID, id int64, w itemWork) (gonogo.Item, error) {
	t.Helper()
	return s.UpdateItem(t.Context(), w.a, releaseID, id, w.c)
}

// checklistFixture is a store with one user per role that matters here and
// two draft releases.
type checklistFixture struct {
	s         *db.Store
	qa, rm    gonogo.User
	ops       gonogo.User
	rel, rel2 gonogo.Release
}

func newChecklistFixture(t *testing.T) checklistFixture {
	t.Helper()
	s := db.OpenTest(t)
	return checklistFixture{
		s:    s,
		qa:   mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead),
		rm:   mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager),
		ops:  mustCreateUser(t, s, "ops@example.com", false, gonogo.Ops),
		rel:  mustCreateRelease(t, s, "payments", "2.4.0"),
		rel2: mustCreateRelease(t, s, "payments", "2.5.0"),
	}
}

func TestUpdateItem(t *testing.T) {
	f := newChecklistFixture(t)
	s := f.s
	it := itemTitled(t, mustFindItems(t, s, f.rel.ID), "Integration tests pass")

	got, err := updateItem(t, s, f.rel.ID, it.ID, workItem(actor(f.qa), gonogo.ItemDone, " https://ci.example.com/42 ", ""))
	if err != nil {
		t.Fatalf("UpdateItem: %v", err)
	}
	stored, err := s.FindItem(t.Context(), it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored != got {
		t.Errorf("stored %+v\nreturned %+v", stored, got)
	}
	if stored.Status != gonogo.ItemDone || stored.Evidence != "https://ci.example.com/42" || stored.UpdatedBy != f.qa.Name ||
		stored.UpdatedAt.IsZero() || stored.Title != it.Title || stored.ReleaseID != f.rel.ID {
		t.Errorf("stored item = %+v", stored)
	}
	e := lastEvent(t, s)
	if e.Action != "item.status" || e.ReleaseID != f.rel.ID || e.ActorID != f.qa.ID ||
		!strings.Contains(e.Detail, it.Title) || !strings.Contains(e.Detail, "done (was open)") || !strings.Contains(e.Detail, "https://ci.example.com/42") {
		t.Errorf("event = %+v", e)
	}
	if rel, _ := s.FindRelease(t.Context(), f.rel.ID); rel.UpdatedAt.Before(f.rel.UpdatedAt) {
		t.Errorf("release updated at %v, before %v", rel.UpdatedAt, f.rel.UpdatedAt)
	}

	t.Run("n/a keeps its reason", func(t *testing.T) {
		privacy := itemTitled(t, mustFindItems(t, s, f.rel.ID), "Privacy review done")
		got, err := updateItem(t, s, f.rel.ID, privacy.ID, workItem(actor(f.rm), gonogo.ItemNA, "", "no personal data touched"))
		if err != nil {
			t.Fatal(err)
		}
		if stored, _ := s.FindItem(t.Context(), privacy.ID); stored.Status != gonogo.ItemNA || stored.Reason != "no personal data touched" || stored != got {
			t.Errorf("stored %+v", stored)
		}
		if e := lastEvent(t, s); !strings.Contains(e.Detail, "no personal data touched") {
			t.Errorf("event detail %q lacks the reason", e.Detail)
		}
	})
}

func TestUpdateItemRefused(t *testing.T) {
	f := newChecklistFixture(t)
	s := f.s
	items := mustFindItems(t, s, f.rel.ID)
	integration := itemTitled(t, items, "Integration tests pass")
	dashboards := itemTitled(t, items, "Dashboards healthy")
	other := itemTitled(t, mustFindItems(t, s, f.rel2.ID), "Integration tests pass")
	closed := mustCreateRelease(t, s, "payments", "2.3.0")
	setState(t, s, closed.ID, gonogo.Go)
	closedItem := itemTitled(t, mustFindItems(t, s, closed.ID), "Integration tests pass")

	tests := []struct {
		name      string
		releaseID int64
		itemID    int64
		fn        itemWork
		code      string
	}{
		{"role that does not own the item", f.rel.ID, integration.ID, workItem(actor(f.ops), gonogo.ItemDone, "", ""), gonogo.EFORBIDDEN},
		{"n/a without a reason", f.rel.ID, integration.ID, workItem(actor(f.qa), gonogo.ItemNA, "https://x.example.com", ""), gonogo.EINVALID},
		{"unknown status", f.rel.ID, integration.ID, workItem(actor(f.qa), "skipped", "", ""), gonogo.EINVALID},
		{"verification item before the Go", f.rel.ID, dashboards.ID, workItem(actor(f.ops), gonogo.ItemDone, "", ""), gonogo.ECONFLICT},
		{"readiness item after the Go", closed.ID, closedItem.ID, workItem(actor(f.qa), gonogo.ItemDone, "", ""), gonogo.ECONFLICT},
		{"item of another release", f.rel.ID, other.ID, workItem(actor(f.qa), gonogo.ItemDone, "", ""), gonogo.ENOTFOUND},
		{"unknown item", f.rel.ID, 99999, workItem(actor(f.qa), gonogo.ItemDone, "", ""), gonogo.ENOTFOUND},
		{"unknown release", 99999, integration.ID, workItem(actor(f.qa), gonogo.ItemDone, "", ""), gonogo.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			beforeItems := mustFindItems(t, s, f.rel.ID)
			beforeOther := mustFindItems(t, s, f.rel2.ID)
			beforeRel, _ := s.FindRelease(t.Context(), f.rel.ID)
			events := count(t, s, "audit_events")

			_, err := updateItem(t, s, tc.releaseID, tc.itemID, tc.fn)
			wantCode(t, err, tc.code)

			if !equalItems(mustFindItems(t, s, f.rel.ID), beforeItems) || !equalItems(mustFindItems(t, s, f.rel2.ID), beforeOther) {
				t.Error("a refused change altered the checklist")
			}
			if rel, _ := s.FindRelease(t.Context(), f.rel.ID); rel != beforeRel {
				t.Errorf("a refused change touched the release: %+v", rel)
			}
			if n := count(t, s, "audit_events"); n != events {
				t.Errorf("%d events, want %d", n, events)
			}
		})
	}

	t.Run("the rule judges the release as the transaction sees it", func(t *testing.T) {
		// Moved on since the item was read: the rule refuses on the
		// release's state inside the transaction, not on what was read.
		setState(t, s, f.rel2.ID, gonogo.Go)
		_, err := updateItem(t, s, f.rel2.ID, other.ID, workItem(actor(f.qa), gonogo.ItemDone, "", ""))
		wantCode(t, err, gonogo.ECONFLICT)
		if !strings.Contains(gonogo.ErrorMessage(err), "while the release is") {
			t.Errorf("refusal %q does not name the release's state", gonogo.ErrorMessage(err))
		}
	})
	t.Run("an item of another release is not changed", func(t *testing.T) {
		_, err := updateItem(t, s, f.rel.ID, other.ID, workItem(actor(f.qa), gonogo.ItemDone, "", ""))
		wantCode(t, err, gonogo.ENOTFOUND)
		if it, _ := s.FindItem(t.Context(), other.ID); it.Status != other.Status {
			t.Errorf("the other release's item became %s", it.Status)
		}
	})
}

func equalItems(a, b []gonogo.Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAddItem(t *testing.T) {
	f := newChecklistFixture(t)
	s := f.s
	before := mustFindItems(t, s, f.rel.ID)

	got, err := s.AddItem(t.Context(), actor(f.rm), f.rel.ID, gonogo.ItemInput{
		Phase: gonogo.Readiness, Pillar: gonogo.Technical, Title: " Fuzz tests pass ", OwnerRole: gonogo.QALead, Required: true, CheckKey: "Fuzz",
	})
	if err != nil {
		t.Fatalf("AddItem: %v", err)
	}
	if got.ReleaseID != f.rel.ID || got.Title != "Fuzz tests pass" || !got.Custom || !got.Required || got.CheckKey != "fuzz" ||
		got.Status != gonogo.ItemOpen || got.Pillar != gonogo.Technical {
		t.Errorf("item = %+v", got)
	}
	for _, it := range before {
		if it.Position >= got.Position {
			t.Errorf("new item at %d, not after %q at %d", got.Position, it.Title, it.Position)
		}
	}
	if after := mustFindItems(t, s, f.rel.ID); len(after) != len(before)+1 || after[len(after)-1] != got {
		t.Errorf("%d items, last %+v", len(after), after[len(after)-1])
	}
	if n := len(mustFindItems(t, s, f.rel2.ID)); n != len(before) {
		t.Errorf("the other release has %d items, want %d", n, len(before))
	}
	if e := lastEvent(t, s); e.Action != "item.add" || e.ReleaseID != f.rel.ID || !strings.Contains(e.Detail, "Fuzz tests pass") {
		t.Errorf("event = %+v", e)
	}
	// The added item holds the gate like any other.
	snap, _ := s.FindSnapshot(t.Context(), f.rel.ID)
	found := false
	for _, r := range gonogo.Evaluate(snap).Reasons {
		found = found || strings.Contains(r.Text, "Fuzz tests pass")
	}
	if !found {
		t.Error("the added required item does not block the gate")
	}

	released := mustCreateRelease(t, s, "payments", "2.3.0")
	setState(t, s, released.ID, gonogo.Released)
	tests := []struct {
		name      string
		releaseID int64
		in        gonogo.ItemInput
		code      string
		field     string
	}{
		{"check key already used by the release", f.rel.ID, gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Operational,
			Title: "Second smoke test", OwnerRole: gonogo.QALead, CheckKey: "smoke-test"}, gonogo.EINVALID, "check_key"},
		{"invalid input", f.rel.ID, gonogo.ItemInput{Phase: gonogo.Readiness, Title: "No pillar", OwnerRole: gonogo.QALead}, gonogo.EINVALID, "pillar"},
		{"phase closed in this state", released.ID, gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Business,
			Title: "Late", OwnerRole: gonogo.ProductOwner}, gonogo.ECONFLICT, ""},
		{"unknown release", 99999, gonogo.ItemInput{Phase: gonogo.Rollback, Title: "Undo", OwnerRole: gonogo.Ops}, gonogo.ENOTFOUND, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, events := count(t, s, "items"), count(t, s, "audit_events")
			_, err := s.AddItem(t.Context(), actor(f.rm), tc.releaseID, tc.in)
			if tc.field != "" {
				wantFields(t, err, tc.field)
			} else {
				wantCode(t, err, tc.code)
			}
			if count(t, s, "items") != items || count(t, s, "audit_events") != events {
				t.Error("a refused item left rows behind")
			}
		})
	}
	t.Run("same check key on another release", func(t *testing.T) {
		if _, err := s.AddItem(t.Context(), actor(f.rm), f.rel2.ID, gonogo.ItemInput{
			Phase: gonogo.Readiness, Pillar: gonogo.Technical, Title: "Fuzz tests pass", OwnerRole: gonogo.QALead, CheckKey: "fuzz",
		}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRemoveItem(t *testing.T) {
	f := newChecklistFixture(t)
	s := f.s
	custom, err := s.AddItem(t.Context(), actor(f.rm), f.rel.ID, gonogo.ItemInput{
		Phase: gonogo.Readiness, Pillar: gonogo.Business, Title: "Legal sign-off", OwnerRole: gonogo.ProductOwner, Required: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	items := mustFindItems(t, s, f.rel.ID)
	released := mustCreateRelease(t, s, "payments", "2.3.0")
	setState(t, s, released.ID, gonogo.Released)

	tests := []struct {
		name      string
		releaseID int64
		itemID    int64
		code      string
	}{
		{"required template item", f.rel.ID, itemTitled(t, items, "Security scan clean").ID, gonogo.ECONFLICT},
		{"item of another release", f.rel2.ID, custom.ID, gonogo.ENOTFOUND},
		{"unknown item", f.rel.ID, 99999, gonogo.ENOTFOUND},
		{"advisory item of a released release", released.ID, itemTitled(t, mustFindItems(t, s, released.ID), "Knowledge base updated").ID, gonogo.ECONFLICT},
		{"advisory template item", f.rel.ID, itemTitled(t, items, "Knowledge base updated").ID, ""},
		{"required custom item", f.rel.ID, custom.ID, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, events := count(t, s, "items"), count(t, s, "audit_events")
			err := s.RemoveItem(t.Context(), actor(f.rm), tc.releaseID, tc.itemID)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				if count(t, s, "items") != before || count(t, s, "audit_events") != events {
					t.Error("a refused removal changed something")
				}
				return
			}
			_, err = s.FindItem(t.Context(), tc.itemID)
			wantCode(t, err, gonogo.ENOTFOUND)
			if count(t, s, "items") != before-1 {
				t.Errorf("%d items, want %d", count(t, s, "items"), before-1)
			}
			if e := lastEvent(t, s); e.Action != "item.remove" || e.ReleaseID != tc.releaseID {
				t.Errorf("event = %+v", e)
			}
		})
	}
}
