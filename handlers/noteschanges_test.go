package handlers_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// shipVersions ships product's versions in the order given, one day
// apart, each with published notes from in.
// prepare, when given, acts on each release before it ships.
func (s *testServer) shipVersions(t *testing.T, product string, versions []string, in func(v string) gonogo.NotesInput,
	prepare ...func(rel gonogo.Release)) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	day := time.Now().UTC().AddDate(0, 0, -len(versions))
	for i, v := range versions {
		rel := s.mustCreateRelease(t, product, v)
		for _, p := range prepare {
			p(rel)
		}
		if _, err := s.store.SaveNotes(t.Context(), s.actorOf("po"), rel.ID, in(v), true); err != nil {
			t.Fatal(err)
		}
		at := db.Time(day.AddDate(0, 0, i)).String()
		if _, err := raw.Exec(`UPDATE releases SET state = 'released', released_at = ? WHERE id = ?`, at, rel.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// changesNotes says what each version changed, in words that show up on
// the page only where they belong.
func changesNotes(v string) gonogo.NotesInput {
	return gonogo.NotesInput{Title: "Payments " + v, Highlights: "Highlight of " + v, Changes: "Change in " + v,
		Fixes: "Fix in " + v, KnownIssues: "Known issue of " + v, Internal: "internal-" + v}
}

// changesVersions are the versions a changes page shows, in order.
func changesVersions(doc *goquery.Document, group string) []string {
	var out []string
	doc.Find("[data-testid=changes-" + group + "] [data-testid=changes-note]").Each(func(_ int, n *goquery.Selection) {
		out = append(out, n.AttrOr("data-version", ""))
	})
	return out
}

// TestChangesBetweenVersions: support asks what changed for a customer on
// 2.1.0 up to 2.10.0, and gets every version after 2.1.0 up to 2.10.0 in
// semantic-version order (2.10.0 after 2.9.0, though it shipped first),
// grouped by kind, the known issues those of the newest version, as a
// page and as Markdown that a Markdown parser reads the same way.
func TestChangesBetweenVersions(t *testing.T) {
	s := newServer(t)
	s.shipVersions(t, "payments", []string{"2.0.0", "2.1.0", "2.10.0", "2.2.0", "2.9.0"}, changesNotes)
	support := s.signIn(t, "support")

	res, doc := support.get("/notes/payments/changes?from=2.1.0&to=2.10.0")
	wantStatus(t, res, http.StatusOK)
	want := []string{"2.10.0", "2.9.0", "2.2.0"}
	for _, group := range []string{"highlights", "changes", "fixes"} {
		if got := changesVersions(doc, group); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", group, got, want)
		}
	}
	if got := changesVersions(doc, "known-issues"); !slices.Equal(got, []string{"2.10.0"}) {
		t.Errorf("known issues from %v, want the newest version's", got)
	}
	text := doc.Find("[data-testid=changes-page]").Text()
	for _, word := range []string{"Highlight of 2.2.0", "Fix in 2.10.0", "Known issue of 2.10.0"} {
		if !strings.Contains(text, word) {
			t.Errorf("the page lacks %q", word)
		}
	}
	for _, word := range []string{"Fix in 2.1.0", "Change in 2.0.0", "Known issue of 2.2.0", "internal-"} {
		if strings.Contains(text, word) {
			t.Errorf("the page shows %q, outside the range or internal", word)
		}
	}
	if got := strings.TrimSpace(doc.Find("[data-testid=changes-range]").Text()); got != "after 2.1.0 up to 2.10.0" {
		t.Errorf("the range reads %q", got)
	}
	md := doc.Find("[data-testid=changes-md]").AttrOr("href", "")
	if md != "/notes/payments/changes.md?from=2.1.0&to=2.10.0" {
		t.Errorf("the Markdown link is %q", md)
	}

	res, body := support.getText(md)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
		t.Errorf("Markdown served as %q", ct)
	}
	var html bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(body), &html); err != nil {
		t.Fatal(err)
	}
	mdoc, err := goquery.NewDocumentFromReader(&html)
	if err != nil {
		t.Fatal(err)
	}
	if got := mdoc.Find("h1").Text(); got != "What changed in payments after 2.1.0 up to 2.10.0" {
		t.Errorf("the Markdown's title is %q", got)
	}
	var sections []string
	mdoc.Find("h2").Each(func(_ int, h *goquery.Selection) { sections = append(sections, h.Text()) })
	if !slices.Equal(sections, []string{"Highlights", "Changes", "Fixes", "Known issues still open in 2.10.0"}) {
		t.Errorf("the Markdown's sections are %v", sections)
	}
	fixes := mdoc.Find("h2:contains('Fixes')").NextUntil("h2").Filter("h3")
	if fixes.Length() != 3 || !strings.HasPrefix(fixes.First().Text(), "2.10.0 Payments 2.10.0") {
		t.Errorf("the Markdown's fixes are %d versions, the first %q", fixes.Length(), fixes.First().Text())
	}
	if strings.Contains(body, "internal-") || strings.Contains(body, "Fix in 2.1.0") {
		t.Error("the Markdown shows internal notes or a version outside the range")
	}

	// Each product's notes page offers the choice, the newest two by default.
	res, doc = support.get("/notes/payments")
	wantStatus(t, res, http.StatusOK)
	form := doc.Find("[data-testid=changes-compare] form[action='/notes/payments/changes']")
	from := form.Find("select[name=from] option[selected]").AttrOr("value", "")
	to := form.Find("select[name=to] option[selected]").AttrOr("value", "")
	if from != "2.9.0" || to != "2.10.0" {
		t.Errorf("the notes page offers from %q to %q, want 2.9.0 to 2.10.0", from, to)
	}
	var options []string
	form.Find("select[name=to] option").Each(func(_ int, o *goquery.Selection) { options = append(options, o.AttrOr("value", "")) })
	if !slices.Equal(options, []string{"2.10.0", "2.9.0", "2.2.0", "2.1.0", "2.0.0"}) {
		t.Errorf("the versions to pick from are %v, want newest first in version order", options)
	}
}

// TestChangesRefusesABadRange: a version that never shipped, or a range
// that runs backwards, is a 422 with the reason next to its field (or as
// text, for Markdown), and no half answer.
func TestChangesRefusesABadRange(t *testing.T) {
	s := newServer(t)
	s.shipVersions(t, "payments", []string{"2.1.0", "2.2.0", "2.3.0"}, changesNotes)
	unshipped := s.mustCreateRelease(t, "payments", "2.4.0")
	s.publishNotes(t, unshipped.ID)
	support := s.signIn(t, "support")
	for _, tc := range []struct{ query, field, says string }{
		{"from=2.3.0&to=2.1.0", "to", "2.1.0 is not later than 2.3.0"},
		{"from=2.2.0&to=2.2.0", "to", "2.2.0 is not later than 2.2.0"},
		{"from=1.0.0&to=2.3.0", "from", "1.0.0 has not shipped with published notes"},
		{"from=2.1.0&to=2.4.0", "to", "2.4.0 has not shipped with published notes"},
	} {
		res, doc := support.get("/notes/payments/changes?" + tc.query)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		msg := doc.Find("[data-testid=changes-page] [data-testid=error-" + tc.field + "]").Text()
		if !strings.Contains(msg, tc.says) {
			t.Errorf("%s: the message reads %q, want %q", tc.query, msg, tc.says)
		}
		if doc.Find("[data-testid=changes-note]").Length() != 0 {
			t.Errorf("%s: a refused range still shows notes", tc.query)
		}
		if got := doc.Find("select[name="+tc.field+"]").AttrOr("aria-invalid", ""); got != "true" {
			t.Errorf("%s: the %s field is not marked invalid", tc.query, tc.field)
		}
		res, body := support.getText("/notes/payments/changes.md?" + tc.query)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(body, tc.says) {
			t.Errorf("%s: the Markdown refusal reads %q", tc.query, body)
		}
	}
	// A product with nothing shipped has no changes to show.
	s.mustCreateRelease(t, "mobile", "1.0.0")
	res, _ := support.get("/notes/mobile/changes.md")
	wantStatus(t, res, http.StatusNotFound)
}

// TestChangesForAnonymousReaders: with public notes on, anyone reads what
// changed between shipped versions, never internal notes, and never of a
// product that has shipped nothing.
func TestChangesForAnonymousReaders(t *testing.T) {
	s := newServer(t, func(c *handlers.Config) { c.PublicNotes = true })
	s.shipVersions(t, "payments", []string{"2.1.0", "2.2.0"}, changesNotes)
	secret := s.mustCreateRelease(t, "secret", "0.1.0")
	s.publishNotes(t, secret.ID)
	anon := s.client(t)
	res, doc := anon.get("/notes/payments/changes?" + url.Values{"from": {"2.1.0"}, "to": {"2.2.0"}}.Encode())
	wantStatus(t, res, http.StatusOK)
	if got := changesVersions(doc, "fixes"); !slices.Equal(got, []string{"2.2.0"}) {
		t.Errorf("anonymous readers see fixes of %v", got)
	}
	if strings.Contains(doc.Text(), "internal-") {
		t.Error("anonymous readers see internal notes")
	}
	res, _ = anon.get("/notes/secret/changes")
	wantStatus(t, res, http.StatusNotFound)
}

// TestChangesIsNotAVersion: a release cannot be called "changes", which
// would hide its notes behind the page of what changed.
func TestChangesIsNotAVersion(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	res := rm.post("/releases", url.Values{"product": {"payments"}, "version": {"changes"}, "title": {"Changes"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if msg := doc.Find(".field-error").Text(); !strings.Contains(msg, "names the page of what changed") {
		t.Errorf("the refusal reads %q", msg)
	}
}

// TestChangesListKnownIssues: what changed names the known issues a
// version in the range fixed, and those still open at its newest version
// (with their workarounds), wherever in the history they shipped.
func TestChangesListKnownIssues(t *testing.T) {
	s := newServer(t)
	qa := s.signIn(t, "qa")
	s.shipVersions(t, "payments", []string{"2.1.0", "2.2.0", "2.3.0", "2.4.0"}, changesNotes, func(rel gonogo.Release) {
		switch rel.Version {
		case "2.1.0":
			s.deferredCritical(t, qa, rel, "Receipts miss the VAT line", "PAY-3")
		case "2.2.0":
			s.deferredCritical(t, qa, rel, "Refund crashes on zero amount", "PAY-7")
		case "2.3.0":
			ids, err := s.store.CreateDefects(t.Context(), s.actorOf("qa"), rel.ID, []gonogo.DefectInput{{Title: "VAT line", Severity: gonogo.Major, Key: "PAY-3"}})
			if err != nil {
				t.Fatal(err)
			}
			qa.get(fmt.Sprintf("/releases/%d", rel.ID))
			wantStatus(t, qa.post(fmt.Sprintf("/releases/%d/defects/%d/status", rel.ID, ids[0]), url.Values{"status": {"verified"}}), http.StatusSeeOther)
		}
	})
	support := s.signIn(t, "support")
	issues := func(doc *goquery.Document, group string) []string {
		var out []string
		doc.Find("[data-testid=changes-" + group + "] [data-testid=changes-issue]").Each(func(_ int, li *goquery.Selection) {
			out = append(out, li.AttrOr("data-key", ""))
		})
		return out
	}

	// On 2.1.0 up to 2.4.0: PAY-3 was fixed in 2.3.0; PAY-7 is still open.
	res, doc := support.get("/notes/payments/changes?from=2.1.0&to=2.4.0")
	wantStatus(t, res, http.StatusOK)
	if got := issues(doc, "fixes"); !slices.Equal(got, []string{"PAY-3"}) {
		t.Errorf("fixed known issues %v, want PAY-3", got)
	}
	if got := doc.Find("[data-testid=changes-fixes] [data-testid=changes-issue]").Text(); !strings.Contains(got, "fixed in 2.3.0") {
		t.Errorf("the fix reads %q", got)
	}
	if got := issues(doc, "known-issues"); !slices.Equal(got, []string{"PAY-7"}) {
		t.Errorf("open known issues %v, want PAY-7", got)
	}
	// Up to 2.2.0, both are open and none is fixed.
	_, doc = support.get("/notes/payments/changes?from=2.1.0&to=2.2.0")
	if got := issues(doc, "known-issues"); !slices.Equal(got, []string{"PAY-7", "PAY-3"}) {
		t.Errorf("open known issues at 2.2.0: %v, want PAY-7 and PAY-3", got)
	}
	if got := issues(doc, "fixes"); len(got) != 0 {
		t.Errorf("fixed known issues at 2.2.0: %v, want none", got)
	}
	// The Markdown says the same, with the tracker's links.
	_, body := support.getText("/notes/payments/changes.md?from=2.1.0&to=2.4.0")
	var html bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(body), &html); err != nil {
		t.Fatal(err)
	}
	mdoc, err := goquery.NewDocumentFromReader(&html)
	if err != nil {
		t.Fatal(err)
	}
	fixed := mdoc.Find("h2:contains('Fixes') + ul li")
	if !strings.Contains(fixed.Text(), "PAY-3 Receipts miss the VAT line: fixed in 2.3.0") ||
		fixed.Find("a").AttrOr("href", "") != "https://acme.atlassian.net/browse/PAY-3" {
		t.Errorf("the Markdown's fixes: %q", fixed.Text())
	}
	if open := mdoc.Find("h2:contains('Known issues') + ul li").Text(); !strings.Contains(open, "PAY-7 Refund crashes on zero amount (since 2.2.0)") {
		t.Errorf("the Markdown's open known issues: %q", open)
	}
}
