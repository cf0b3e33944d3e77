package handlers_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// exportFixture reads an export as a tracker writes it, from the domain's
// testdata/exports (its README cites each tracker's documentation).
func exportFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "exports", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func rowsOf(doc *goquery.Document, testid string) []string {
	return doc.Find(`[data-testid="` + testid + `"]`).Map(func(_ int, s *goquery.Selection) string {
		return strings.Join(s.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) }), " ")
	})
}

func TestBackfillFromAJiraExport(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "payments", "2.3.0")
	s.mustScopeTracker(t, "payments", gonogo.Jira, "")
	qa := s.signIn(t, "qa")
	path := "/products/payments/trackers/jira/import"

	res, doc := qa.get(path)
	wantStatus(t, res, http.StatusOK)
	if doc.Find(`textarea[name="csv"]`).Length() != 1 {
		t.Fatal("the import page has no place to paste the export")
	}

	csv := exportFixture(t, "jira.csv")
	res = qa.post(path, url.Values{"csv": {csv}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	adds := rowsOf(doc, "import-add")
	wantAdds := []string{
		"2 PAY-142 Checkout fails on Safari Blocker In progress 2.4.0",
		"7 PAY-150 Refund total off by one cent Major Fixed 2.4.0",
		"8 PAY-151 Old export button Minor Won't fix 2.4.0",
		"10 PAY-170 Crash on receipts page Critical Verified 2.4.0",
	}
	if strings.Join(adds, "\n") != strings.Join(wantAdds, "\n") {
		t.Errorf("the preview adds:\n%s\nwant:\n%s", strings.Join(adds, "\n"), strings.Join(wantAdds, "\n"))
	}
	skips := rowsOf(doc, "import-skip")
	wantSkips := []string{
		"9 PAY-160 Refund webhook a Story is not a defect here (Bug)",
		"11 PAY-180 Next quarter's bug payments has no release 3.0.0",
		"12 PAY-181 Unscheduled bug it names no release (no fix version)",
	}
	if strings.Join(skips, "\n") != strings.Join(wantSkips, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(skips, "\n"), strings.Join(wantSkips, "\n"))
	}
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatalf("the preview stored %d defects", len(ds))
	}

	res = qa.post(path, url.Values{"csv": {csv}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	ds, err := s.store.FindDefects(t.Context(), rel.ID)
	if err != nil || len(ds) != 4 {
		t.Fatalf("imported %d defects (%v), want 4", len(ds), err)
	}
	for _, d := range ds {
		if !d.Synced() || d.Source.Kind != gonogo.Jira {
			t.Errorf("defect %s is not kept by Jira: %+v", d.Key, d.Source)
		}
	}
	events, _ := s.store.FindEventPage(t.Context(), rel.ID, 0, 1)
	if len(events) != 1 || events[0].Detail != "imported 4 issues from a Jira export into 2.4.0" || events[0].Actor != s.users["qa"].Name {
		t.Errorf("the import's audit: %+v", events)
	}

	// The same export again changes nothing: the tracker told all of it already.
	res = qa.post(path, url.Values{"csv": {csv}})
	doc = parse(t, res)
	if n := len(rowsOf(doc, "import-add")); n != 0 {
		t.Errorf("importing the same export again would add %d", n)
	}
}

func TestBackfillFromAGitHubProjectFile(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustScopeTracker(t, "payments", gonogo.GitHub, "")
	qa := s.signIn(t, "qa")
	path := "/products/payments/trackers/github/import"

	// The file itself, uploaded as a browser sends a chosen file.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", qa.csrf)
	w.WriteField("confirm", "1")
	fw, _ := w.CreateFormFile("file", "payments-view.tsv")
	fw.Write([]byte(exportFixture(t, "github-project.tsv")))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res := qa.do(req)
	wantStatus(t, res, http.StatusSeeOther)
	ds, _ := s.store.FindDefects(t.Context(), rel.ID)
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%s %s %s", d.Key, d.Severity, d.Status))
	}
	if len(got) != 2 {
		t.Fatalf("imported %v, want #318 and #319", got)
	}
}

func TestBackfillRefusesWhatItCannotRead(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustScopeTracker(t, "payments", gonogo.GitHub, "")
	qa := s.signIn(t, "qa")
	path := "/products/payments/trackers/github/import"

	res := qa.post(path, url.Values{"csv": {exportFixture(t, "github-issues.csv")}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	errs := doc.Find(`[data-testid="import-error"]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-line", "") })
	if strings.Join(errs, ",") != "4,5,6" {
		t.Errorf("line errors on lines %v, want 4, 5 and 6", errs)
	}
	if doc.Find(`[data-testid="import-confirm"]`).Length() != 0 {
		t.Error("an export with wrong lines can be confirmed")
	}
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatalf("a refused import stored %d defects", len(ds))
	}

	big := "Title,Number\n" + strings.Repeat("x", gonogo.MaxImportBytes)
	res = qa.post(path, url.Values{"csv": {big}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), `[data-testid="import-error"]`); !strings.Contains(got, "at most 512 KB") {
		t.Errorf("too big an export: %q", got)
	}

	// Unknown trackers and products, people who may not, and forms without their token.
	wantStatus(t, qa.post("/products/payments/trackers/jira/import", url.Values{"csv": {"x"}}), http.StatusNotFound)
	wantStatus(t, qa.post("/products/payments/trackers/svn/import", url.Values{"csv": {"x"}}), http.StatusNotFound)
	wantStatus(t, qa.post("/products/nope/trackers/github/import", url.Values{"csv": {"x"}}), http.StatusNotFound)
	wantStatus(t, s.signIn(t, "ops").post(path, url.Values{"csv": {"x"}}), http.StatusForbidden)
	wantStatus(t, qa.postRaw(path, url.Values{"csv": {"x"}}, nil), http.StatusForbidden)
}
