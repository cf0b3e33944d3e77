package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// syncedRelease is payments 2.4.0 in review with GitHub connected, a
// blocker #318 it keeps (changed there at at) and a major kept by hand.
func syncedRelease(t *testing.T, s *testServer, at time.Time) (gonogo.Release, gonogo.Tracker, gonogo.Defect, gonogo.Defect) {
	t.Helper()
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	tr := s.connectTracker(t, "payments", gonogo.GitHub)
	s.deliverIssue(t, tr, "d1", "#318", "v2.4.0", at)
	if _, err := s.store.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{{Title: "Typo on receipt", Severity: gonogo.Major, Status: gonogo.DefectOpen}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := s.store.FindDefects(t.Context(), rel.ID)
	if len(ds) != 2 || !ds[0].Synced() || ds[1].Synced() {
		t.Fatalf("defects %+v", ds)
	}
	return rel, tr, ds[0], ds[1]
}

// defectRow is the row of defect d on a page.
func defectRow(doc *goquery.Document, d gonogo.Defect) *goquery.Selection {
	return doc.Find("#defect-" + itoa(d.ID))
}

func statusOptions(row *goquery.Selection) []string {
	var out []string
	row.Find("[data-testid=defect-status] option").Each(func(_ int, o *goquery.Selection) {
		v, _ := o.Attr("value")
		out = append(out, v)
	})
	return out
}

// A synced defect shows its tracker, its key linking back and when it
// changed there, in the team's zone, wherever defects are listed; the QA
// lead is offered only what a person may do to it.
func TestSyncedDefectIsMarked(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	admin.get("/admin/settings")
	wantStatus(t, admin.post("/admin/settings", url.Values{"zone": {"Europe/Berlin"}}), http.StatusSeeOther)
	at := time.Date(2026, 11, 30, 10, 5, 0, 0, time.UTC)
	rel, _, synced, byHand := syncedRelease(t, s, at)
	qa := s.signIn(t, "qa")

	for _, page := range []string{"/releases/" + itoa(rel.ID), "/defects"} {
		_, doc := qa.get(page)
		row := defectRow(doc, synced)
		if row.Length() == 0 {
			t.Fatalf("%s: no row for the synced defect", page)
		}
		if got := strings.TrimSpace(row.Find("[data-testid=defect-source]").First().Text()); got != "GitHub" {
			t.Errorf("%s: source %q", page, got)
		}
		key := row.Find("[data-testid=tracker-key]")
		if href, _ := key.Attr("href"); key.Text() != "#318" || href != "https://github.com/acme/payments/issues/318" {
			t.Errorf("%s: key %q links to %q", page, key.Text(), href)
		}
		when := row.Find("[data-testid=defect-source-at]")
		if dt, _ := when.Attr("datetime"); when.Text() != "30 Nov 11:05" || !strings.HasPrefix(dt, "2026-11-30T10:05") {
			t.Errorf("%s: changed there %q (%s), want 30 Nov 11:05 in Berlin", page, when.Text(), dt)
		}
		if got := statusOptions(row); !slices.Equal(got, []string{"open", "verified", "deferred"}) {
			t.Errorf("%s: the QA lead is offered %v for a synced defect", page, got)
		}
		if row.Find(".defect-edit").Length() != 0 {
			t.Errorf("%s: the QA lead is offered to edit a synced defect", page)
		}
		hand := defectRow(doc, byHand)
		if hand.Find("[data-testid=defect-synced]").Length() != 0 || len(statusOptions(hand)) != len(gonogo.DefectStatuses) {
			t.Errorf("%s: a defect kept by hand is shown as synced, or restricted", page)
		}
	}
	_, doc := qa.get("/releases/" + itoa(rel.ID))
	if defectRow(doc, byHand).Find(".defect-edit").Length() != 1 {
		t.Fatal("the QA lead may not edit a defect kept by hand")
	}
	// An engineering lead, who may mark defects fixed, sees no form at all.
	_, doc = s.signIn(t, "eng").get("/releases/" + itoa(rel.ID))
	if defectRow(doc, synced).Find("[data-testid=defect-status-form]").Length() != 0 {
		t.Fatal("the engineering lead is offered to set a synced defect's status")
	}

	// The decision record keeps the mark.
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "#318 is open"})
	_, doc = qa.get("/releases/" + itoa(rel.ID) + "/decisions/1")
	if got := text(doc, "[data-testid=record-defects] [data-testid=defect-source]"); got != "GitHub" {
		t.Fatalf("the record's source mark: %q", got)
	}
}

// The tracker owns a synced defect's title, severity and status: an edit
// or another status sent anyway is refused with the reason, and nothing
// changes; verified and deferred with a reason are the QA lead's.
func TestSyncedDefectRefusesWhatTheTrackerOwns(t *testing.T) {
	s := newServer(t)
	rel, _, synced, _ := syncedRelease(t, s, time.Now().Add(-time.Hour))
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	qa.get(page)
	path := page + "/defects/" + itoa(synced.ID)

	res := qa.post(path, url.Values{"title": {"Renamed"}, "severity": {"minor"}})
	wantStatus(t, res, http.StatusConflict)
	if body := parse(t, res).Text(); !strings.Contains(body, "#318 is kept by GitHub: change its title and severity there") {
		t.Fatalf("the refusal does not say why: %.300s", body)
	}

	res = qa.post(path+"/status", url.Values{"status": {"fixed"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	row := defectRow(parse(t, res), synced)
	if msg := row.Find("#defect-" + itoa(synced.ID) + "-status-error").Text(); !strings.Contains(msg, "status is kept by GitHub; you may mark it verified or deferred") {
		t.Fatalf("message at the status: %q", msg)
	}

	res = qa.post(path+"/status", url.Values{"status": {"deferred"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	row = defectRow(parse(t, res), synced)
	if msg := row.Find("#defect-" + itoa(synced.ID) + "-reason-error").Text(); !strings.Contains(msg, "needs a reason") {
		t.Fatalf("message at the reason: %q", msg)
	}
	if d, _ := s.store.FindDefect(t.Context(), rel.ID, synced.ID); d != synced {
		t.Fatalf("a refused change altered the defect: %+v", d)
	}

	wantStatus(t, qa.post(path+"/status", url.Values{"status": {"verified"}}), http.StatusSeeOther)
	if d, _ := s.store.FindDefect(t.Context(), rel.ID, synced.ID); d.Status != gonogo.DefectVerified || !d.Synced() {
		t.Fatalf("after the QA lead verified it: %+v", d)
	}
}

// The release page's history shows what the tracker changed, as the
// integration, and what the QA lead did, as themselves: QA's verified
// stands through a tracker change that leaves the status alone, and a
// newer change of the status overrides it.
func TestSyncedDefectHistoryShowsBoth(t *testing.T) {
	s := newServer(t)
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	rel, tr, synced, _ := syncedRelease(t, s, at)
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	qa.get(page)
	wantStatus(t, qa.post(page+"/defects/"+itoa(synced.ID)+"/status", url.Values{"status": {"verified"}}), http.StatusSeeOther)

	retitled := gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: "#318", Title: "Refund fails on retry",
		URL: synced.TrackerURL, State: gonogo.TrackedOpen, Labels: []string{"blocker"}, Milestone: "v2.4.0", UpdatedAt: at.Add(time.Minute)}
	s.apply(t, tr, "d2", retitled)
	if d, _ := s.store.FindDefect(t.Context(), rel.ID, synced.ID); d.Status != gonogo.DefectVerified || d.Title != "Refund fails on retry" {
		t.Fatalf("QA's verified did not stand through a retitle: %+v", d)
	}
	closed := retitled
	closed.State, closed.UpdatedAt = gonogo.TrackedClosed, at.Add(2*time.Minute)
	s.apply(t, tr, "d3", closed)

	_, doc := qa.get(page)
	var lines []string
	doc.Find("[data-testid=history] [data-testid=event]").Each(func(_ int, e *goquery.Selection) {
		lines = append(lines, strings.TrimSpace(e.Find("strong").Text())+": "+strings.Join(strings.Fields(e.Text()), " "))
	})
	for _, want := range []struct{ actor, says string }{
		{"GitHub (integration)", "added blocker defect #318"},
		{"Qa Tester", "open → verified"},
		{"GitHub (integration)", "title was"},
		{"GitHub (integration)", "verified → fixed"},
	} {
		if !slices.ContainsFunc(lines, func(l string) bool {
			return strings.HasPrefix(l, want.actor+":") && strings.Contains(l, want.says)
		}) {
			t.Errorf("the history has no %q by %s:\n%s", want.says, want.actor, strings.Join(lines, "\n"))
		}
	}
}
