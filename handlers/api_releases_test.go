package handlers_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestGateRule is the gate's 200/409 rule through the real server: 200
// only with a Go recorded in the current cycle, the release go or deploying,
// and its window, if set, open now.
func TestGateRule(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	now := s.store.Now()
	setWindow := func(rel gonogo.Release, w gonogo.Window) {
		t.Helper()
		// Scheduled before it opens: the windows here may lie in the past.
		s.scheduleWindow(t, rel.ID, w)
	}
	tests := []struct {
		name     string
		setup    func(version string) gonogo.Release
		status   int
		decision string
		reason   string // part of a reason, for a 409
	}{
		{"draft", func(v string) gonogo.Release { return s.mustCreateRelease(t, "gate", v) },
			http.StatusConflict, "pending", "no decision has been recorded in review cycle 1"},
		{"in review, gate blocked", func(v string) gonogo.Release {
			rel := s.mustCreateRelease(t, "gate", v)
			s.move(t, rel.ID, gonogo.OpenReview)
			return rel
		}, http.StatusConflict, "pending", "has not signed off"},
		{"no-go", func(v string) gonogo.Release {
			rel := s.mustCreateRelease(t, "gate", v)
			s.move(t, rel.ID, gonogo.OpenReview)
			s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "payments provider not ready"})
			return rel
		}, http.StatusConflict, "no-go", "decided No-Go: payments provider not ready"},
		{"go, no window", func(v string) gonogo.Release { return s.mustGoRelease(t, "gate", v) },
			http.StatusOK, "go", ""},
		{"go, window open now", func(v string) gonogo.Release {
			rel := s.mustGoRelease(t, "gate", v)
			setWindow(rel, gonogo.Window{Start: now.Add(-time.Hour), End: now.Add(time.Hour)})
			return rel
		}, http.StatusOK, "go", ""},
		{"go, window later", func(v string) gonogo.Release {
			rel := s.mustGoRelease(t, "gate", v)
			setWindow(rel, gonogo.Window{Start: now.Add(2 * time.Hour), End: now.Add(3 * time.Hour)})
			return rel
		}, http.StatusConflict, "go", "the release window opens at"},
		{"go, window over", func(v string) gonogo.Release {
			rel := s.mustGoRelease(t, "gate", v)
			setWindow(rel, gonogo.Window{Start: now.Add(-3 * time.Hour), End: now.Add(-2 * time.Hour)})
			return rel
		}, http.StatusConflict, "go", "the release window closed at"},
		{"deploying", func(v string) gonogo.Release {
			rel := s.mustGoRelease(t, "gate", v)
			s.move(t, rel.ID, gonogo.StartDeploy)
			return rel
		}, http.StatusOK, "go", ""},
		{"verifying", func(v string) gonogo.Release {
			rel := s.mustGoRelease(t, "gate", v)
			s.move(t, rel.ID, gonogo.StartDeploy)
			s.move(t, rel.ID, gonogo.FinishDeploy)
			return rel
		}, http.StatusConflict, "go", "is verifying"},
		{"rolled back and reopened: the old Go is not this cycle's", func(v string) gonogo.Release {
			rel := s.mustGoRelease(t, "gate", v)
			s.move(t, rel.ID, gonogo.StartDeploy)
			s.move(t, rel.ID, gonogo.RollBack)
			s.move(t, rel.ID, gonogo.Reopen)
			return rel
		}, http.StatusConflict, "pending", "no decision has been recorded in review cycle 2"},
		{"cancelled", func(v string) gonogo.Release {
			rel := s.mustGoRelease(t, "gate", v)
			s.move(t, rel.ID, gonogo.Cancel)
			return rel
		}, http.StatusConflict, "go", "is cancelled"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := tc.setup("3." + itoa(int64(i)))
			for _, path := range []string{"/api/v1/releases/gate/" + rel.Version + "/gate", "/api/v1/releases/" + itoa(rel.ID) + "/gate"} {
				res := s.call(t, http.MethodGet, path, token, "").want(t, tc.status)
				if got := res.str("decision"); got != tc.decision {
					t.Fatalf("%s: decision %q, want %q", path, got, tc.decision)
				}
				if res.str("release.id") != itoa(rel.ID) || res.str("release.product") != "gate" || res.str("state") == "" || res.str("cycle") == "" {
					t.Fatalf("%s: %v", path, res.body)
				}
				authorized := res.body["authorized"] == true
				if authorized != (tc.status == http.StatusOK) || authorized != (len(res.list("reasons")) == 0) {
					t.Fatalf("%s: authorized %v with reasons %q", path, authorized, res.list("reasons"))
				}
				if tc.reason != "" && !slices.ContainsFunc(res.list("reasons"), func(r string) bool { return strings.Contains(r, tc.reason) }) {
					t.Fatalf("%s: reasons %q, want one saying %q", path, res.list("reasons"), tc.reason)
				}
			}
		})
	}

	// The answer carries what a pipeline needs besides the verdict.
	rel := s.mustGoRelease(t, "gate", "4.0.0")
	setWindow(rel, gonogo.Window{Start: now.Add(-time.Hour), End: now.Add(time.Hour)})
	res := s.call(t, http.MethodGet, "/api/v1/releases/gate/4.0.0/gate", token, "").want(t, http.StatusOK)
	conds, _ := res.body["conditions"].([]any)
	if len(conds) != 1 || !strings.Contains(res.str("window.start"), "T") || res.body["window_open"] != true || len(res.list("blocking")) != 0 {
		t.Fatalf("gate answer %v", res.body)
	}
	if c, _ := conds[0].(map[string]any); c["text"] != "deploy off-peak" || c["owner"] != "ops" {
		t.Fatalf("condition %v", conds[0])
	}
	blocked := s.mustCreateRelease(t, "gate", "4.1.0")
	s.move(t, blocked.ID, gonogo.OpenReview)
	res = s.call(t, http.MethodGet, "/api/v1/releases/gate/4.1.0/gate", token, "").want(t, http.StatusConflict)
	if len(res.list("blocking")) == 0 || res.body["window"] != nil || res.body["window_open"] != true {
		t.Fatalf("blocked gate answer %v", res.body)
	}
	s.call(t, http.MethodGet, "/api/v1/releases/gate/9.9.9/gate", token, "").want(t, http.StatusNotFound)
	s.call(t, http.MethodGet, "/api/v1/releases/999999/gate", token, "").want(t, http.StatusNotFound)
	// A limited token learns nothing of another product's release, existing or not.
	web := s.mustToken(t, "web-ci", "web")
	s.call(t, http.MethodGet, "/api/v1/releases/gate/4.0.0/gate", web, "").want(t, http.StatusForbidden)
	s.call(t, http.MethodGet, "/api/v1/releases/gate/9.9.9/gate", web, "").want(t, http.StatusForbidden)
	s.call(t, http.MethodGet, "/api/v1/releases/"+itoa(rel.ID)+"/gate", web, "").want(t, http.StatusForbidden)
}

func TestListAndCreateReleases(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	body := `{"product":"payments","version":"2.4.0","title":"Apple Pay","summary":"Adds Apple Pay to checkout."}`
	res := s.call(t, http.MethodPost, "/api/v1/releases", token, body).want(t, http.StatusCreated)
	id := res.str("id")
	if res.str("product") != "payments" || res.str("state") != "draft" || res.str("decision") != "pending" ||
		!strings.HasSuffix(res.str("url"), "/releases/"+id) || res.header.Get("Location") != res.str("url") {
		t.Fatalf("created %v", res.body)
	}
	items, _ := s.store.FindItems(t.Context(), mustID(t, id))
	if len(items) == 0 {
		t.Fatal("no checklist from the template")
	}
	if e, _ := s.store.FindReleaseEvents(t.Context(), mustID(t, id), 1); len(e) != 1 || e[0].Actor != "ci (API token)" {
		t.Fatalf("audit %+v", e)
	}
	// Running the job again finds the release as it is.
	again := s.call(t, http.MethodPost, "/api/v1/releases", token, `{"product":"payments","version":"2.4.0","title":"Renamed"}`).want(t, http.StatusOK)
	if again.str("id") != id || again.str("title") != "Apple Pay" {
		t.Fatalf("second create %v", again.body)
	}
	for _, bad := range []string{`{"product":"payments","version":"","title":"x"}`, `{"product":"pay ments","version":"1","title":"x"}`} {
		res := s.call(t, http.MethodPost, "/api/v1/releases", token, bad).want(t, http.StatusUnprocessableEntity)
		if len(res.list("reasons")) == 0 {
			t.Fatalf("%s: no reasons", bad)
		}
	}
	s.call(t, http.MethodPost, "/api/v1/releases", token, `{"product":"payments","version":"2.5.0","title":"x","manager":"me"}`).want(t, http.StatusBadRequest)
	s.call(t, http.MethodPost, "/api/v1/releases", token, `{"product":`).want(t, http.StatusBadRequest)
	s.call(t, http.MethodPost, "/api/v1/releases", token, "").want(t, http.StatusBadRequest)
	s.call(t, http.MethodPost, "/api/v1/releases", token, `{"product":"a","version":"1","title":"x"} {}`).want(t, http.StatusBadRequest)

	goRel := s.mustGoRelease(t, "payments", "2.3.0")
	s.mustCreateRelease(t, "web", "5.0.0")
	list := func(query, tok string) []map[string]any {
		t.Helper()
		res := s.call(t, http.MethodGet, "/api/v1/releases"+query, tok, "").want(t, http.StatusOK)
		var out []map[string]any
		rels, _ := res.body["releases"].([]any)
		for _, r := range rels {
			out = append(out, r.(map[string]any))
		}
		return out
	}
	if all := list("", token); len(all) != 3 {
		t.Fatalf("all releases: %v", all)
	}
	gone := list("?product=payments&state=go", token)
	if len(gone) != 1 || gone[0]["version"] != "2.3.0" || gone[0]["decision"] != "go" || gone[0]["id"] != float64(goRel.ID) || gone[0]["title"] == "" {
		t.Fatalf("payments in go: %v", gone)
	}
	if got := list("?state=draft,go", token); len(got) != 3 {
		t.Fatalf("draft or go: %v", got)
	}
	if got := list("?state=draft&state=go&product=web", token); len(got) != 1 || got[0]["product"] != "web" {
		t.Fatalf("web: %v", got)
	}
	s.call(t, http.MethodGet, "/api/v1/releases?state=shipped", token, "").want(t, http.StatusUnprocessableEntity)

	// A token limited to one product lists that product's and may not ask for another's.
	limited := s.mustToken(t, "web-ci", "web")
	if got := list("", limited); len(got) != 1 || got[0]["product"] != "web" {
		t.Fatalf("limited token lists %v", got)
	}
	s.call(t, http.MethodGet, "/api/v1/releases?product=payments", limited, "").want(t, http.StatusForbidden)
	s.call(t, http.MethodPost, "/api/v1/releases", limited, `{"product":"payments","version":"9","title":"x"}`).want(t, http.StatusForbidden)
	if _, err := s.store.FindReleaseByName(t.Context(), "payments", "9"); err == nil {
		t.Fatal("a refused request created a release")
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return id
}
