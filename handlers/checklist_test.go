package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestWorkItemWithHTMX(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	_, doc := qa.get(page)
	if got := text(doc, "#count-technical"); !strings.HasPrefix(got, "0/7") {
		t.Fatalf("technical count before: %q", got)
	}
	// QA sees buttons on its own items only.
	if doc.Find(`#item-`+itoa(item.ID)+` [data-testid=set-done]`).Length() != 1 {
		t.Fatal("the QA lead has no buttons on a QA item")
	}
	other := s.mustItem(t, rel.ID, "Static analysis clean")
	if doc.Find(`#item-`+itoa(other.ID)+` [data-testid=set-done]`).Length() != 0 {
		t.Fatal("the QA lead has buttons on an engineering item")
	}

	res := qa.postHX(page+"/items/"+itoa(item.ID), url.Values{"status": {"done"}, "evidence": {"https://ci.example.com/run/42"}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	row := doc.Find(`#item-` + itoa(item.ID))
	if st, _ := row.Attr("data-status"); st != "done" {
		t.Fatalf("swapped row has status %q", st)
	}
	if href, _ := row.Find(`[data-testid=item-evidence] a`).Attr("href"); href != "https://ci.example.com/run/42" {
		t.Errorf("evidence link %q", href)
	}
	for _, id := range []string{"gate", "readiness", "count-technical"} {
		if oob, _ := doc.Find("#" + id).Attr("data-hx-swap-oob"); oob != "true" {
			t.Errorf("#%s is not swapped out of band", id)
		}
	}
	if got := text(doc, "#count-technical"); !strings.HasPrefix(got, "1/7") {
		t.Errorf("technical count after: %q", got)
	}
	if doc.Find("html head").Length() != 0 && doc.Find("title").Length() != 0 {
		t.Error("htmx got a whole page")
	}

	stored := s.mustItem(t, rel.ID, "Integration tests pass")
	if stored.Status != gonogo.ItemDone || stored.Evidence != "https://ci.example.com/run/42" || stored.UpdatedBy != "Qa Tester" {
		t.Fatalf("stored item %+v", stored)
	}
	events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 10)
	if len(events) == 0 || events[0].Action != "item.status" || events[0].Actor != "Qa Tester" {
		t.Fatalf("no audit event for the change: %+v", events)
	}
}

func TestWorkItemWithoutJavaScript(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Smoke test passes in staging")
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rm.get(page)

	res := rm.post(page+"/items/"+itoa(item.ID), url.Values{"status": {"failed"}, "evidence": {"staging smoke run red"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != page+"#item-"+itoa(item.ID) {
		t.Fatalf("redirected to %q", loc)
	}
	_, doc := rm.get(page)
	if st, _ := doc.Find(`#item-` + itoa(item.ID)).Attr("data-status"); st != "failed" {
		t.Fatalf("status after reload %q", st)
	}
	if got := doc.Find(`[data-testid=gate-reasons] li[data-kind=item]`).Length(); got != 16 {
		t.Errorf("gate lists %d items, want 16 (every required readiness item)", got)
	}
	if !strings.Contains(doc.Find(`[data-testid=gate-reasons]`).Text(), "“Smoke test passes in staging” failed") {
		t.Error("the gate does not name the failed item")
	}
}

func TestNotApplicableNeedsReason(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Privacy review done")
	po := s.signIn(t, "po")
	page := "/releases/" + itoa(rel.ID)
	po.get(page)

	// With htmx: the row comes back with the message, what was typed kept.
	res := po.postHX(page+"/items/"+itoa(item.ID), url.Values{"status": {"n/a"}, "evidence": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	if msg := text(doc, "[data-testid=error-evidence]"); !strings.Contains(msg, "needs a reason") {
		t.Fatalf("message %q", msg)
	}
	// Without: the whole page, the message beside the item.
	res = po.post(page+"/items/"+itoa(item.ID), url.Values{"status": {"n/a"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if text(doc, "#item-"+itoa(item.ID)+" [data-testid=error-evidence]") == "" {
		t.Fatal("no message beside the item")
	}
	if got := s.mustItem(t, rel.ID, "Privacy review done").Status; got != gonogo.ItemOpen {
		t.Fatalf("a refused change was stored: %s", got)
	}

	res = po.postHX(page+"/items/"+itoa(item.ID), url.Values{"status": {"n/a"}, "evidence": {"no personal data touched"}})
	wantStatus(t, res, http.StatusOK)
	got := s.mustItem(t, rel.ID, "Privacy review done")
	if got.Status != gonogo.ItemNA || got.Reason != "no personal data touched" {
		t.Fatalf("stored %+v", got)
	}
}

func TestWorkItemBadInput(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rm.get(page)
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
	}{
		{"unknown status", page + "/items/" + itoa(item.ID), url.Values{"status": {"shipped"}}, http.StatusUnprocessableEntity},
		{"over-long evidence", page + "/items/" + itoa(item.ID), url.Values{"status": {"done"}, "evidence": {strings.Repeat("e", 2001)}}, http.StatusUnprocessableEntity},
		{"unknown item", page + "/items/999999", url.Values{"status": {"done"}}, http.StatusNotFound},
		{"item of another release", "/releases/999/items/" + itoa(item.ID), url.Values{"status": {"done"}}, http.StatusNotFound},
		{"item id not a number", page + "/items/abc", url.Values{"status": {"done"}}, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := rm.post(tc.path, tc.form)
			wantStatus(t, res, tc.status)
		})
	}
	if got := s.mustItem(t, rel.ID, "Integration tests pass"); got.Status != gonogo.ItemOpen || got.Evidence != "" {
		t.Fatalf("bad input changed the item: %+v", got)
	}
}

func TestItemsFrozenAfterRelease(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	s.setState(t, rel.ID, gonogo.Released)
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	if doc.Find(`[data-testid=set-done]`).Length() != 0 {
		t.Error("a released release still offers status buttons")
	}
	res := rm.post("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}})
	wantStatus(t, res, http.StatusConflict)
}

func TestAddAndRemoveItems(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rm.get(page)

	res := rm.post(page+"/items", url.Values{"phase": {"readiness"}, "pillar": {""}, "title": {"Legal review"}, "owner_role": {"product-owner"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	if text(doc, "[data-testid=error-pillar]") == "" {
		t.Fatal("no message beside the missing pillar")
	}
	if _, open := doc.Find(`[data-testid=add-item]`).Attr("open"); !open {
		t.Error("the add form should stay open after an error")
	}

	res = rm.post(page+"/items", url.Values{"phase": {"readiness"}, "pillar": {"business"}, "title": {"Legal review"},
		"owner_role": {"product-owner"}, "required": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	custom := s.mustItem(t, rel.ID, "Legal review")
	if !custom.Custom || !custom.Required || custom.Pillar != gonogo.Business {
		t.Fatalf("custom item %+v", custom)
	}
	_, doc = rm.get(page)
	if got := text(doc, "#count-business"); !strings.HasPrefix(got, "0/5") {
		t.Errorf("business count with the new required item: %q", got)
	}

	required := s.mustItem(t, rel.ID, "Smoke test passes in staging")
	res = rm.post(page+"/items/"+itoa(required.ID)+"/delete", nil)
	wantStatus(t, res, http.StatusConflict)

	res = rm.postHX(page+"/items/"+itoa(custom.ID)+"/delete", nil)
	wantStatus(t, res, http.StatusOK)
	if parse(t, res).Find("#item-"+itoa(custom.ID)).Length() != 0 {
		t.Error("the removed row came back")
	}
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.ID == custom.ID {
			t.Fatal("the custom item is still stored")
		}
	}
}

func TestTemplateAppliesToNewReleasesOnly(t *testing.T) {
	s := newServer(t)
	before := s.mustCreateRelease(t, "web", "1.0.0")
	admin := s.signIn(t, "admin")
	admin.get("/admin/template")
	res := admin.post("/admin/template", url.Values{"phase": {"verification"}, "title": {"Feature flag metrics checked"},
		"owner_role": {"ops"}, "required": {"1"}, "check_key": {"flag-metrics"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := admin.get("/admin/template")
	if doc.Find(`[data-testid=template-item][data-title="Feature flag metrics checked"]`).Length() != 1 {
		t.Fatal("the template does not list the new item")
	}
	res = admin.post("/admin/template", url.Values{"phase": {"verification"}, "title": {"Dup"}, "owner_role": {"ops"}, "check_key": {"smoke-test"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=error-check_key]") == "" {
		t.Error("no message beside a duplicate check key")
	}

	after := s.mustCreateRelease(t, "web", "1.1.0")
	it := s.mustItem(t, after.ID, "Feature flag metrics checked")
	if it.CheckKey != "flag-metrics" || it.Phase != gonogo.Verification {
		t.Fatalf("new release's copy %+v", it)
	}
	items, _ := s.store.FindItems(t.Context(), before.ID)
	for _, it := range items {
		if it.Title == "Feature flag metrics checked" {
			t.Fatal("an existing release gained the template's new item")
		}
	}
}
