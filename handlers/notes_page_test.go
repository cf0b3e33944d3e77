package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// shipWithNotes makes n releases of product that shipped, oldest first,
// each with published notes in, and returns their versions newest first.
func (s *testServer) shipWithNotes(t *testing.T, product string, n int, in func(i int) gonogo.NotesInput) []string {
	t.Helper()
	var versions []string
	for i := range n {
		v := fmt.Sprintf("3.%d.0", i)
		rel := s.mustCreateRelease(t, product, v)
		if _, err := s.store.SaveNotes(t.Context(), s.actorOf("po"), rel.ID, in(i), true); err != nil {
			t.Fatal(err)
		}
		s.setState(t, rel.ID, gonogo.Released)
		versions = append(versions, v)
	}
	slices.Reverse(versions)
	return versions
}

// rollupPage reads a page of /notes/{product}: the versions it shows and
// its links to the older page and back to the newest.
func rollupPage(t *testing.T, c *client, path string) (versions []string, older, newest string, size int) {
	t.Helper()
	res, body := c.getText(path)
	wantStatus(t, res, http.StatusOK)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	doc.Find("[data-testid=rollup-entry]").Each(func(_ int, e *goquery.Selection) {
		versions = append(versions, e.AttrOr("data-version", ""))
	})
	nav := doc.Find("[data-testid=product-notes] [data-testid=list-nav]")
	return versions, nav.Find("[data-testid=older-link]").AttrOr("href", ""), nav.Find("[data-testid=newest-link]").AttrOr("href", ""), len(body)
}

// walkRollup follows the "Older notes" links from path to the oldest page
// and returns every version shown, in order, and the number of pages.
func walkRollup(t *testing.T, c *client, path string, pageMax int) ([]string, int) {
	t.Helper()
	var all []string
	pages := 0
	for next := path; next != ""; pages++ {
		if pages > 100 {
			t.Fatal("the pages never end")
		}
		got, older, newest, _ := rollupPage(t, c, next)
		if len(got) > pageMax || len(got) == 0 {
			t.Fatalf("%s shows %d notes, want 1 to %d", next, len(got), pageMax)
		}
		if (pages > 0) != (newest != "") {
			t.Fatalf("%s: link back to the newest %q on page %d", next, newest, pages+1)
		}
		all, next = append(all, got...), older
	}
	return all, pages
}

// TestProductNotesArePaged: /notes/{product} shows the newest notes at its
// own address, and "Older notes" leads page by page to the oldest, with no
// note shown twice or left out, the "since" choice kept.
func TestProductNotesArePaged(t *testing.T) {
	s := newServer(t)
	n := 2*handlers.NotesPageSize + 5
	versions := s.shipWithNotes(t, "payments", n, func(i int) gonogo.NotesInput {
		return gonogo.NotesInput{Title: fmt.Sprintf("Notes %d", i), Highlights: "Something new.", Internal: "on-call"}
	})
	c := s.signIn(t, "support")

	first, older, newest, _ := rollupPage(t, c, "/notes/payments")
	if !slices.Equal(first, versions[:handlers.NotesPageSize]) {
		t.Fatalf("the first page shows %v, want the newest %d: %v", first, handlers.NotesPageSize, versions[:handlers.NotesPageSize])
	}
	if older == "" || newest != "" {
		t.Fatalf("the first page links to older %q and newest %q, want only older", older, newest)
	}
	all, pages := walkRollup(t, c, "/notes/payments", handlers.NotesPageSize)
	if !slices.Equal(all, versions) || pages != 3 {
		t.Fatalf("the pages show %v in %d pages, want every note once, newest first: %v", all, pages, versions)
	}

	// "Since" pages the same way and keeps its choice on every page.
	since := versions[n-3] // the third oldest: every note after it
	all, _ = walkRollup(t, c, "/notes/payments?since="+url.QueryEscape(since), handlers.NotesPageSize)
	if !slices.Equal(all, versions[:n-3]) {
		t.Fatalf("since %s: %v, want %v", since, all, versions[:n-3])
	}
	_, older, _, _ = rollupPage(t, c, "/notes/payments?since="+url.QueryEscape(since))
	_, doc := c.get(older)
	if got := doc.Find("[data-testid=since-form] select[name=since] option[selected]").AttrOr("value", ""); got != since {
		t.Fatalf("the older page forgot since=%s: %q", since, got)
	}
	// Every shipped version but the newest can still be chosen, on any page.
	if got := doc.Find("[data-testid=since-form] select[name=since] option[value!='']").Length(); got != n-1 {
		t.Fatalf("the since choice offers %d versions, want %d", got, n-1)
	}
}

// TestProductNotesPageStaysSmall: notes written near their limits fill a
// page by their text, not by their number, so no page of the rollup
// passes 300 KB however long its notes, and the pages still show them all.
func TestProductNotesPageStaysSmall(t *testing.T) {
	s := newServer(t)
	long := func(word string) string {
		var b strings.Builder
		for b.Len() < gonogo.MaxNotesSectionLen-200 {
			fmt.Fprintf(&b, "The %s now keeps up with busy days, and the export no longer stops at a thousand rows.\n\n", word)
		}
		return b.String()
	}
	versions := s.shipWithNotes(t, "payments", 4, func(i int) gonogo.NotesInput {
		return gonogo.NotesInput{Title: fmt.Sprintf("Long notes %d", i), Highlights: long("checkout"), Changes: long("payout"),
			Fixes: long("refund"), KnownIssues: long("receipt"), Internal: long("ledger")}
	})
	c := s.signIn(t, "support")
	var all []string
	for next := "/notes/payments"; next != ""; {
		got, older, _, size := rollupPage(t, c, next)
		if size > 300<<10 {
			t.Fatalf("%s weighs %d KB, want at most 300 KB", next, size>>10)
		}
		all, next = append(all, got...), older
	}
	if !slices.Equal(all, versions) {
		t.Fatalf("the pages show %v, want %v", all, versions)
	}
}

// TestProductNotesRefusesABadCursor: an "Older notes" address that names
// no shipped version is a 4xx that says so, never a 500 or a first page.
func TestProductNotesRefusesABadCursor(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	c := s.signIn(t, "support")
	for _, before := range []string{"9.9.9", "2.4.0", "", "2.3.1&before=2.3.0"} {
		res, doc := c.get("/notes/payments?before=" + before)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := text(doc, "[data-testid=error-message]"); !strings.Contains(msg, "before") {
			t.Errorf("before=%s: message %q does not say what is wrong", before, msg)
		}
	}
}
