package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// TestDefectListIsPaged checks that /defects shows a page of defects,
// worst first, with a link to the next page that keeps the filter, and
// that the next page shows the rest.
func TestDefectListIsPaged(t *testing.T) {
	s := newServer(t)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	web := s.mustCreateRelease(t, "web", "1.0.0")
	n := handlers.DefectPageSize + 7
	var ins []gonogo.DefectInput
	for i := range n {
		sev := []gonogo.Severity{gonogo.Minor, gonogo.Major, gonogo.Critical}[i%3]
		ins = append(ins, gonogo.DefectInput{Title: fmt.Sprintf("Pay %02d", i), Severity: sev})
	}
	if _, err := s.store.CreateDefects(t.Context(), gonogo.SystemActor, pay.ID, ins); err != nil {
		t.Fatal(err)
	}
	s.mustDefect(t, web.ID, gonogo.DefectInput{Title: "Web blocker", Severity: gonogo.Blocker})
	qa := s.signIn(t, "qa")

	type row struct{ title, severity string }
	page := func(path string) ([]row, string) {
		t.Helper()
		res, doc := qa.get(path)
		wantStatus(t, res, http.StatusOK)
		var rows []row
		doc.Find("[data-testid=defect]").Each(func(_ int, d *goquery.Selection) {
			rows = append(rows, row{d.AttrOr("data-title", ""), d.AttrOr("data-severity", "")})
		})
		if got := doc.Find("[data-testid=defect-filters] select[name=product] option[selected]").AttrOr("value", ""); got != "payments" {
			t.Errorf("%s: the filter shows product %q, want payments", path, got)
		}
		return rows, doc.Find("[data-testid=defect-list] [data-testid=older-link]").AttrOr("href", "")
	}
	first, next := page("/defects?product=payments")
	if len(first) != handlers.DefectPageSize {
		t.Fatalf("the first page shows %d defects, want %d", len(first), handlers.DefectPageSize)
	}
	if next == "" {
		t.Fatal("no link to the next page")
	}
	rest, after := page(next)
	if len(rest) != n-handlers.DefectPageSize || after != "" {
		t.Fatalf("the next page shows %d defects and links on to %q; want %d and no link", len(rest), after, n-handlers.DefectPageSize)
	}
	all := append(first, rest...)
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.title] || r.title == "Web blocker" {
			t.Errorf("%q shown twice or past the filter", r.title)
		}
		seen[r.title] = true
	}
	rank := func(r row) int { return gonogo.Severity(r.severity).Rank() }
	if !slices.IsSortedFunc(all, func(a, b row) int { return rank(a) - rank(b) }) {
		t.Errorf("the pages are not worst first: %v", all)
	}
	if len(seen) != n {
		t.Errorf("the two pages show %d defects, want %d", len(seen), n)
	}
}

// TestDefectListRefusesABadCursor checks that a made-up ?after= is a 4xx
// with a message, never a 500 or a silent first page.
func TestDefectListRefusesABadCursor(t *testing.T) {
	s := newServer(t)
	qa := s.signIn(t, "qa")
	for _, after := range []string{"urgent.open.1", "major.open", "major.open.x", "major.open.-3"} {
		res, _ := qa.get("/defects?after=" + after)
		wantStatus(t, res, http.StatusUnprocessableEntity)
	}
}
