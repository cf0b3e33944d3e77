package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// A planner may give a new release its window on the create form, checked
// by the same rules as a window set later.
func TestCreateReleaseWithAWindow(t *testing.T) {
	s := newServer(t)
	po := s.signIn(t, "po")
	_, doc := po.get("/releases/new")
	form := doc.Find("[data-testid=release-form]")
	if form.Find("input[name=window_start][type=datetime-local]").Length() != 1 || form.Find("input[name=window_end][type=datetime-local]").Length() != 1 {
		t.Fatal("the create form has no window field")
	}

	start := s.store.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
	local := func(t time.Time) string { return t.Format("2006-01-02T15:04") } // the test board's zone is UTC
	res := po.post("/releases", url.Values{"product": {"payments"}, "version": {"2.4.0"}, "title": {"Apple Pay"},
		"window_start": {local(start)}, "window_end": {local(start.Add(2 * time.Hour))}})
	wantStatus(t, res, http.StatusSeeOther)
	rel, err := s.store.FindReleaseByName(t.Context(), "payments", "2.4.0")
	if err != nil {
		t.Fatal(err)
	}
	if !rel.Window.Start.Equal(start) || !rel.Window.End.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("window %v, want %v for two hours", rel.Window, start)
	}

	for name, tc := range map[string]struct{ start, end, msg string }{
		"ends before it starts": {local(start), local(start.Add(-time.Hour)), "end after it starts"},
		"in the past":           {local(start.Add(-100 * time.Hour)), local(start.Add(-99 * time.Hour)), "in the past"},
		"no end":                {local(start), "", "both a start and an end"},
		"not a time":            {"next tuesday", local(start), "date and time"},
	} {
		t.Run(name, func(t *testing.T) {
			res := po.post("/releases", url.Values{"product": {"payments"}, "version": {"2.5.0"}, "title": {"Payouts"},
				"window_start": {tc.start}, "window_end": {tc.end}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			if msg := text(doc, "[data-testid=error-window]"); !strings.Contains(msg, tc.msg) {
				t.Fatalf("beside the window: %q, want %q", msg, tc.msg)
			}
			if v, _ := doc.Find("input[name=window_start]").Attr("value"); v != tc.start {
				t.Fatalf("the start typed was lost: %q", v)
			}
			if _, err := s.store.FindReleaseByName(t.Context(), "payments", "2.5.0"); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
				t.Fatalf("a refused release was stored: %v", err)
			}
		})
	}
}

// A release in review with no window can get a Go, but the gate warns of
// it on the release page, in meeting mode and to pipelines.
func TestGateWarnsOfNoWindow(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.signAll(t, rel.ID)
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)

	_, doc := rm.get(page)
	if doc.Find("[data-testid=gate-ready]").Length() != 1 {
		t.Fatal("a warning made the gate blocked")
	}
	if got := text(doc, "[data-testid=gate-warnings] li[data-kind=no-window]"); !strings.Contains(got, "No release window is set") {
		t.Fatalf("the gate's warning: %q", got)
	}
	_, doc = rm.get(page + "/meeting")
	if got := text(doc, "[data-testid=m-warnings] li[data-kind=no-window]"); !strings.Contains(got, "No release window is set") {
		t.Fatalf("meeting mode's warning: %q", got)
	}
	token := s.mustToken(t, "ci", "")
	r := s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/gate", token, "").want(t, http.StatusConflict)
	if ws := r.list("warnings"); len(ws) != 1 || !strings.Contains(ws[0], "No release window is set") {
		t.Fatalf("the API's warnings: %q", ws)
	}

	// The Go is recorded all the same; with a window, the warning goes.
	if err := s.store.SetWindow(t.Context(), s.rmActor(), rel.ID, gonogo.Window{Start: s.store.Now().Add(time.Hour), End: s.store.Now().Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_, doc = rm.get(page)
	if doc.Find("[data-testid=gate-warnings]").Length() != 0 {
		t.Fatal("the warning stays once a window is set")
	}
	r = s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/gate", token, "").want(t, http.StatusConflict)
	if _, ok := r.body["warnings"].([]any); !ok || len(r.list("warnings")) != 0 {
		t.Fatalf("the API's warnings with a window: %v", r.body["warnings"])
	}
}

// A refused window on the create form is a field in error for every
// planner who is shown it, the product owner as much as the release
// manager: the summary links to it and the focus goes to it.
func TestCreateFormWindowInErrorForEveryPlanner(t *testing.T) {
	s := newServer(t)
	start := s.store.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
	local := func(t time.Time) string { return t.Format("2006-01-02T15:04") }
	for _, who := range []string{"po", "rm"} {
		t.Run(who, func(t *testing.T) {
			c := s.signIn(t, who)
			res := c.post("/releases", url.Values{"product": {"payments"}, "version": {"2.5.0-" + who}, "title": {"Payouts"},
				"window_start": {local(start)}, "window_end": {local(start.Add(-time.Hour))}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			field := doc.Find("input[name=window_start]")
			id, _ := field.Attr("id")
			if inv, _ := field.Attr("aria-invalid"); id == "" || inv != "true" {
				t.Fatalf("the window's start is not marked in error: id %q, aria-invalid %q", id, inv)
			}
			if _, ok := field.Attr("autofocus"); !ok {
				t.Error("the focus does not go to the window, the one field in error")
			}
			if doc.Find(`[data-testid=error-summary] a[href="#`+id+`"]`).Length() != 1 {
				t.Errorf("the summary does not link to the window: %q", text(doc, "[data-testid=error-summary]"))
			}
		})
	}
}
