package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestCreateRelease(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/new")
	if doc.Find(`[data-testid=release-form]`).Length() != 1 {
		t.Fatal("no release form")
	}
	if v, _ := doc.Find(`select[name=manager_id] option[selected]`).Attr("value"); v != itoa(s.users["rm"].ID) {
		t.Errorf("a release manager creating a release is its manager by default; selected %q", v)
	}

	form := url.Values{
		"product": {"Payments"}, "version": {"2.4.0"}, "title": {"Apple Pay"}, "summary": {"Adds Apple Pay."},
		"manager_id": {itoa(s.users["rm"].ID)}, "window_start": {"2030-03-01T20:00"}, "window_end": {"2030-03-01T22:00"},
	}
	res := rm.post("/releases", form)
	wantStatus(t, res, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/releases/") {
		t.Fatalf("redirected to %q", loc)
	}
	res, doc = rm.get(loc)
	wantStatus(t, res, http.StatusOK)
	if got := text(doc, "[data-testid=release-version]"); got != "2.4.0" {
		t.Errorf("version %q", got)
	}
	if got := doc.Find("[data-testid=item]").Length(); got != len(gonogo.DefaultTemplate()) {
		t.Errorf("new release has %d items, want the template's %d", got, len(gonogo.DefaultTemplate()))
	}
	if got := text(doc, "[data-testid=release-window]"); !strings.Contains(got, "Fri 1 Mar, 20:00–22:00") {
		t.Errorf("window shown as %q", got)
	}
	if doc.Find(`[data-testid=event][data-action="release.create"]`).Length() != 1 {
		t.Error("history does not show the creation")
	}

	// The same product and version again is refused beside the version.
	rm.get("/releases/new")
	res = rm.post("/releases", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if msg := text(doc, "[data-testid=error-version]"); !strings.Contains(msg, "payments 2.4.0 already exists") {
		t.Errorf("duplicate message %q", msg)
	}
	if v, _ := doc.Find(`input[name=title]`).Attr("value"); v != "Apple Pay" {
		t.Errorf("the form lost the title: %q", v)
	}
	rels, _ := s.store.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if len(rels) != 1 {
		t.Fatalf("%d releases stored, want 1", len(rels))
	}
}

func TestCreateReleaseBadInput(t *testing.T) {
	s := newServer(t)
	po := s.signIn(t, "rm") // the release manager may also give a window
	long := strings.Repeat("x", 121)
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"empty title", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"  "}}, "title"},
		{"over-long title", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {long}}, "title"},
		{"empty product", url.Values{"product": {""}, "version": {"1.0"}, "title": {"T"}}, "product"},
		{"product with spaces", url.Values{"product": {"my product"}, "version": {"1.0"}, "title": {"T"}}, "product"},
		{"version with slash", url.Values{"product": {"web"}, "version": {"1.0/../x"}, "title": {"T"}}, "version"},
		{"NUL in title", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"a\x00b"}}, "title"},
		{"end before start", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"T"},
			"window_start": {"2030-01-02T10:00"}, "window_end": {"2030-01-02T09:00"}}, "window"},
		{"half a window", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"T"}, "window_start": {"2030-01-02T10:00"}}, "window"},
		{"malformed date", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"T"},
			"window_start": {"next tuesday"}, "window_end": {"2030-01-02T09:00"}}, "window"},
		{"window in the past", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"T"},
			"window_start": {"2020-01-02T10:00"}, "window_end": {"2020-01-02T12:00"}}, "window"},
		{"manager without the role", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"T"},
			"manager_id": {itoa(s.users["qa"].ID)}}, "manager"},
		{"manager not a number", url.Values{"product": {"web"}, "version": {"1.0"}, "title": {"T"}, "manager_id": {"abc"}}, "manager"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			po.get("/releases/new")
			res := po.post("/releases", tc.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if text(parse(t, res), "[data-testid=error-"+tc.field+"]") == "" {
				t.Fatalf("no message beside %s", tc.field)
			}
		})
	}
	rels, _ := s.store.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if len(rels) != 0 {
		t.Fatalf("bad input stored %d releases", len(rels))
	}
}

func TestEditRelease(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID) + "/edit")
	if doc.Find(`input[name=product], input[name=version]`).Length() != 0 || !strings.Contains(text(doc, "[data-testid=release-identity]"), "web") {
		t.Error("product and version should show as text, not as fields")
	}
	res := rm.post("/releases/"+itoa(rel.ID), url.Values{"product": {"other"}, "version": {"9"}, "title": {"Better title"}, "summary": {"Now with words."}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := s.store.FindRelease(t.Context(), rel.ID)
	if got.Title != "Better title" || got.Summary != "Now with words." || got.Product != "web" || got.Version != "1.0.0" {
		t.Fatalf("after edit: %+v", got)
	}
	res = rm.post("/releases/"+itoa(rel.ID), url.Values{"title": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=error-title]") == "" {
		t.Fatal("no message beside the title")
	}
	res = rm.post("/releases/999999", url.Values{"title": {"x"}})
	wantStatus(t, res, http.StatusNotFound)
}

func TestBoard(t *testing.T) {
	s := newServer(t)
	web := s.mustCreateRelease(t, "web", "1.0.0")
	s.mustCreateRelease(t, "api", "2.0.0")
	po := s.signIn(t, "po")

	res, doc := po.get("/")
	wantStatus(t, res, http.StatusOK)
	if got := doc.Find(`[data-testid=column-draft] [data-testid=release-card]`).Length(); got != 2 {
		t.Fatalf("draft column has %d cards, want 2", got)
	}
	for _, st := range []string{"draft", "review", "go", "deploying", "verifying"} {
		if doc.Find(`[data-testid=column-`+st+`]`).Length() != 1 {
			t.Errorf("no %s column", st)
		}
	}
	card := doc.Find(`[data-testid=release-card][data-release="web 1.0.0"]`)
	if got := strings.TrimSpace(card.Find(`[data-testid=gate-badge]`).Text()); !strings.HasPrefix(got, "Blocked") {
		t.Errorf("a fresh release's badge says %q", got)
	}
	if got := strings.TrimSpace(card.Find(`[data-testid=pillar-technical] [data-testid=pillar-count]`).Text()); got != "0/7" {
		t.Errorf("technical progress %q, want 0/7", got)
	}

	// The filter lives in the URL; htmx gets only the board.
	_, doc = po.get("/?product=web")
	if got := doc.Find(`[data-testid=release-card]`).Length(); got != 1 {
		t.Fatalf("product filter shows %d cards", got)
	}
	if v, _ := doc.Find(`[data-testid=filter-product] option[selected]`).Attr("value"); v != "web" {
		t.Errorf("product filter not selected: %q", v)
	}
	res, doc = po.getHX("/?product=api&state=draft")
	wantStatus(t, res, http.StatusOK)
	if doc.Find("html head title").Length() != 0 || doc.Find("[data-testid=board]").Length() != 1 {
		t.Error("an htmx request should get the board fragment only")
	}
	if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "HX-Request") {
		t.Error("fragment responses must vary on HX-Request")
	}
	res, _ = po.get("/?state=shipped")
	wantStatus(t, res, http.StatusUnprocessableEntity)

	// Closing a release moves it to the closed lane.
	s.setState(t, web.ID, gonogo.Released)
	_, doc = po.get("/")
	if doc.Find(`[data-testid=closed-lane] [data-release="web 1.0.0"]`).Length() != 1 {
		t.Error("a released release is not in the recently closed lane")
	}
}

func TestReleasePageUnknownIDs(t *testing.T) {
	s := newServer(t)
	po := s.signIn(t, "po")
	for _, p := range []string{"/releases/123456", "/releases/abc", "/releases/-1", "/releases/1.5"} {
		res, doc := po.get(p)
		wantStatus(t, res, http.StatusNotFound)
		if text(doc, "[data-testid=error-message]") == "" {
			t.Errorf("%s: no message", p)
		}
	}
}
