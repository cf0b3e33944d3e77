package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestNotesFillFromWhatShipped(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	tr := s.mustScopeTracker(t, "payments", gonogo.GitHub, "")
	merged := scopePR(512, "Refund webhook", "2.4.0", "enhancement")
	merged.State = gonogo.TrackedMerged
	s.applyScopeItem(t, tr, merged)
	s.applyScopeItem(t, tr, gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: "#318", Title: "Refund fails twice",
		URL: "https://github.com/acme/payments/issues/318", State: gonogo.TrackedClosed, Labels: []string{"bug"}, Milestone: "2.4.0"})
	s.applyScopeItem(t, tr, scopePR(513, "Not merged yet", "2.4.0"))
	path := fmt.Sprintf("/releases/%d/notes", rel.ID)

	rm := s.signIn(t, "rm")
	_, doc := rm.get(path)
	if doc.Find(`[data-testid="fill-notes"]`).Length() != 1 {
		t.Fatal("the notes editor has no button to fill it from what shipped")
	}

	res := rm.post(path+"/fill", url.Values{"title": {"Payments 2.4.0"}, "changes": {"Refunds are quicker."}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	changes := doc.Find(`textarea[name="changes"]`).Text()
	if !strings.HasPrefix(changes, "Refunds are quicker.\n\n") ||
		!strings.Contains(changes, "- [#512](https://github.com/acme/payments/pull/512) Refund webhook") {
		t.Errorf("the changes field holds:\n%s", changes)
	}
	if strings.Contains(changes, "#513") {
		t.Errorf("an open pull request is in the draft:\n%s", changes)
	}
	if fixes := doc.Find(`textarea[name="fixes"]`).Text(); fixes != "- [#318](https://github.com/acme/payments/issues/318) Refund fails twice" {
		t.Errorf("the fixes field holds:\n%s", fixes)
	}
	if doc.Find(`input[name="title"]`).AttrOr("value", "") != "Payments 2.4.0" {
		t.Errorf("the typed title was lost")
	}
	if got := text(doc, `[data-testid="notes-filled"]`); !strings.Contains(got, "2 items") || !strings.Contains(got, "Nothing is saved") {
		t.Errorf("the editor says %q", got)
	}
	// The preview shows the filled text, rendered.
	if doc.Find(`#notes-preview a[href="https://github.com/acme/payments/pull/512"]`).Length() != 1 {
		t.Errorf("the preview does not link the merged pull request")
	}
	if n, err := s.store.FindNotes(t.Context(), rel.ID); err != nil || n.Status != gonogo.NotesNone {
		t.Fatalf("filling the editor stored notes: %+v %v", n, err)
	}

	// Nothing shipped in another release: the editor says so and keeps what was typed.
	other := s.mustCreateRelease(t, "payments", "2.5.0")
	res = rm.post(fmt.Sprintf("/releases/%d/notes/fill", other.ID), url.Values{"title": {"T"}, "changes": {"Kept."}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if doc.Find(`textarea[name="changes"]`).Text() != "Kept." || !strings.Contains(text(doc, `[data-testid="notes-filled"]`), "Nothing") {
		t.Errorf("with nothing shipped: %q, %q", doc.Find(`textarea[name="changes"]`).Text(), text(doc, `[data-testid="notes-filled"]`))
	}

	// Only who may write the notes may fill them, and only with the form's token.
	wantStatus(t, s.signIn(t, "qa").post(path+"/fill", url.Values{"title": {"T"}}), http.StatusForbidden)
	wantStatus(t, rm.postRaw(path+"/fill", url.Values{"title": {"T"}}, nil), http.StatusForbidden)
}
