package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// mustScopeTracker connects product to a tracker of kind k, with label as
// its required label, and returns it as the store keeps it.
func (s *testServer) mustScopeTracker(t *testing.T, product string, k gonogo.TrackerKind, label string) gonogo.Tracker {
	t.Helper()
	tr := gonogo.NewTracker(product, k)
	tr.Project, tr.Secret, tr.RequiredLabel = "acme/"+product, "a-secret-of-sixteen-or-more", label
	if k == gonogo.Jira {
		tr.Project = "PAY"
	}
	if _, err := s.store.SaveTracker(t.Context(), s.actorOf("admin"), tr); err != nil {
		t.Fatal(err)
	}
	got, err := s.store.FindTracker(t.Context(), product, k)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// applyScopeItem applies what tr says of it, as its webhook would.
func (s *testServer) applyScopeItem(t *testing.T, tr gonogo.Tracker, it gonogo.TrackerItem) {
	t.Helper()
	if it.UpdatedAt.IsZero() {
		it.UpdatedAt = time.Now()
	}
	if _, err := s.store.ApplyDelivery(t.Context(), tr, db.TrackerDelivery{ID: fmt.Sprintf("%s-%d", it.Key, it.UpdatedAt.UnixNano()), Item: it}); err != nil {
		t.Fatal(err)
	}
}

func scopePR(n int, title, milestone string, labels ...string) gonogo.TrackerItem {
	return gonogo.TrackerItem{Type: gonogo.TrackedChange, Key: fmt.Sprintf("#%d", n), Title: title, State: gonogo.TrackedOpen,
		URL: fmt.Sprintf("https://github.com/acme/payments/pull/%d", n), Milestone: milestone, Labels: labels}
}

func TestReleasePageListsItsScope(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	tr := s.mustScopeTracker(t, "payments", gonogo.GitHub, "release-blocker")
	rm := s.signIn(t, "rm")

	_, doc := rm.get(fmt.Sprintf("/releases/%d", rel.ID))
	if n := doc.Find(`[data-testid="scope-change"]`).Length(); n != 0 {
		t.Fatalf("a release with nothing open in its milestone lists %d changes", n)
	}
	before := doc.Find(`[data-testid="gate-reasons"] li`).Length()

	s.applyScopeItem(t, tr, scopePR(512, "Refund webhook", "2.4.0", "Release-Blocker"))
	s.applyScopeItem(t, tr, scopePR(513, "Tidy logs", "v2.4.0", "chore"))
	s.applyScopeItem(t, tr, scopePR(600, "Elsewhere", "2.5.0", "release-blocker"))

	_, doc = rm.get(fmt.Sprintf("/releases/%d", rel.ID))
	panel := doc.Find(`#scope[data-testid="scope-panel"]`)
	rows := panel.Find(`[data-testid="scope-change"]`)
	if rows.Length() != 2 {
		t.Fatalf("the scope panel lists %d changes, want 2:\n%s", rows.Length(), text(doc, "#scope"))
	}
	first := rows.First()
	if href, _ := first.Find("a").Attr("href"); href != "https://github.com/acme/payments/pull/512" || first.Find("a").Text() != "#512" {
		t.Errorf("the first change links %q as %q", href, first.Find("a").Text())
	}
	if first.Find(`[data-testid="scope-title"]`).Text() != "Refund webhook" || first.Find(`[data-testid="scope-required"]`).Length() != 1 {
		t.Errorf("the required change is not marked: %q", first.Text())
	}
	if rows.Eq(1).Find(`[data-testid="scope-required"]`).Length() != 0 {
		t.Errorf("a change not labelled as required is marked required")
	}

	reasons := doc.Find(`[data-testid="gate-reasons"] li`)
	if reasons.Length() != before+1 {
		t.Fatalf("the gate has %d reasons, want %d", reasons.Length(), before+1)
	}
	scope := doc.Find(`[data-testid="gate-reasons"] li[data-kind="scope"]`)
	if scope.Text() != "PR #512 “Refund webhook” is in 2.4.0's milestone and still open" {
		t.Errorf("the scope reason reads %q", scope.Text())
	}
	if href, _ := scope.Find("a").Attr("href"); href != "#scope" {
		t.Errorf("the scope reason links to %q", href)
	}

	// A pipeline asking the gate hears it too.
	token := s.mustToken(t, "ci", "")
	res := s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/gate", token, "").want(t, http.StatusConflict)
	if !scopeListHas(res.body["blocking"], "PR #512 “Refund webhook” is in 2.4.0's milestone and still open") {
		t.Errorf("the API's gate does not name the open pull request: %v", res.body["blocking"])
	}

	// Merged, it leaves the panel and the gate.
	merged := scopePR(512, "Refund webhook", "2.4.0", "release-blocker")
	merged.State = gonogo.TrackedMerged
	s.applyScopeItem(t, tr, merged)
	_, doc = rm.get(fmt.Sprintf("/releases/%d", rel.ID))
	if doc.Find(`[data-testid="scope-change"]`).Length() != 1 || doc.Find(`li[data-kind="scope"]`).Length() != 0 {
		t.Errorf("after the merge: %q", text(doc, "#scope"))
	}
}

func TestBoardCountsAnOpenRequiredChange(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	tr := s.mustScopeTracker(t, "payments", gonogo.GitLab, "must-ship")
	po := s.signIn(t, "po")
	badge := func() string {
		_, doc := po.get("/")
		return text(doc, fmt.Sprintf(`#card-%d [data-testid="gate-badge"]`, rel.ID))
	}
	was := badge()
	mr := scopePR(12, "Retry refunds", "", "must-ship", "release:2.4.0") // GitLab names releases by label
	mr.Key = "!12"
	s.applyScopeItem(t, tr, mr)
	snap, err := s.store.FindSnapshot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Blocked · %d", len(gonogo.Evaluate(snap).Reasons))
	if got := badge(); got != want || got == was {
		t.Fatalf("the card says %q (before: %q), want %q", got, was, want)
	}
}

func TestScopeChangeRefreshesThePanel(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	tr := s.mustScopeTracker(t, "payments", gonogo.GitHub, "release-blocker")
	rm := s.signIn(t, "rm")
	_, doc := rm.get(fmt.Sprintf("/releases/%d", rel.ID))
	if doc.Find(`[data-hx-trigger="sse:scope"]`).Length() != 1 {
		t.Fatal("the release page does not listen for scope changes")
	}
	s.applyScopeItem(t, tr, scopePR(512, "Refund webhook", "2.4.0", "release-blocker"))
	if e := scopeLastEvent(t, s, rel.ID); gonogo.Action(e.Action).Area() != "scope" {
		t.Fatalf("the delivery was audited as %q", e.Action)
	}
	res, doc := rm.getHX(fmt.Sprintf("/releases/%d/sync?kind=scope", rel.ID))
	wantStatus(t, res, http.StatusOK)
	if doc.Find(`#scope[data-hx-swap-oob] [data-testid="scope-change"]`).Length() != 1 {
		t.Errorf("the scope sync does not swap the panel in")
	}
	if doc.Find(`#gate[data-hx-swap-oob] li[data-kind="scope"]`).Length() != 1 {
		t.Errorf("the scope sync does not swap the gate in")
	}
}

func TestScopePanelIsBounded(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	tr := s.mustScopeTracker(t, "payments", gonogo.GitHub, "")
	for i := range gonogo.MaxScopeShown + 3 {
		s.applyScopeItem(t, tr, scopePR(100+i, fmt.Sprintf("Change %d", i), "2.4.0"))
	}
	_, doc := s.signIn(t, "po").get(fmt.Sprintf("/releases/%d", rel.ID))
	if n := doc.Find(`[data-testid="scope-change"]`).Length(); n != gonogo.MaxScopeShown {
		t.Errorf("the panel lists %d changes, want %d", n, gonogo.MaxScopeShown)
	}
	if got := text(doc, `[data-testid="scope-more"]`); got != "and 3 more" {
		t.Errorf("the panel says %q of the rest", got)
	}
}

func scopeListHas(v any, want string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if x == want {
			return true
		}
	}
	return false
}

func scopeLastEvent(t *testing.T, s *testServer, releaseID int64) gonogo.Event {
	t.Helper()
	events, err := s.store.FindEventPage(t.Context(), releaseID, 0, 1)
	if err != nil || len(events) == 0 {
		t.Fatalf("events of %d: %v", releaseID, err)
	}
	return events[0]
}
