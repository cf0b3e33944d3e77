package handlers_test

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/views/xsstest"
)

// atomDoc is what a feed reader reads of an Atom feed.
type atomDoc struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Author  atomPerson `xml:"author"`
	Links   []atomLink `xml:"link"`
	Entries []struct {
		ID        string     `xml:"id"`
		Title     string     `xml:"title"`
		Updated   string     `xml:"updated"`
		Published string     `xml:"published"`
		Links     []atomLink `xml:"link"`
		Content   struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
}

// getFeed fetches and parses a feed, checking what Atom requires of it
// (RFC 4287: an id, a title and an updated time on the feed and every
// entry, an author, an alternate link per entry, RFC 3339 dates) and how a
// feed reader reads it (readFeedAsReaders).
func getFeed(t *testing.T, c *client, path string) (atomDoc, string) {
	t.Helper()
	res, body := c.getText(path)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Fatalf("%s: content type %q", path, ct)
	}
	var f atomDoc
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("%s is not an Atom feed: %v", path, err)
	}
	if f.ID == "" || f.Title == "" || f.Author.Name == "" {
		t.Fatalf("%s lacks an id, a title or an author: %+v", path, f)
	}
	rfc3339(t, path+": updated", f.Updated)
	address, _, _ := strings.Cut(path, "?")
	self := false
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && strings.HasSuffix(l.Href, address))
	}
	if !self {
		t.Fatalf("%s has no self link: %+v", path, f.Links)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:") || ids[e.ID] || e.Title == "" || e.Content.Type != "html" {
			t.Fatalf("%s: entry %+v", path, e)
		}
		alternate := false
		for _, l := range e.Links {
			alternate = alternate || ((l.Rel == "alternate" || l.Rel == "") && l.Href != "")
		}
		if !alternate {
			t.Fatalf("%s: entry %s has no alternate link: %+v", path, e.ID, e.Links)
		}
		ids[e.ID] = true
		rfc3339(t, path+": entry updated", e.Updated)
		rfc3339(t, path+": entry published", e.Published)
	}
	readFeedAsReaders(t, path, body)
	return f, body
}

func TestNotesFeed(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	c := s.signIn(t, "support")

	f, body := getFeed(t, c, "/notes.atom")
	if len(f.Entries) != 2 {
		t.Fatalf("%d entries, want the two shipped releases", len(f.Entries))
	}
	if strings.Contains(body, "internal-") {
		t.Fatal("the feed carries internal notes")
	}
	if strings.Contains(body, "Apple Pay") || strings.Contains(body, "Wishlist") {
		t.Fatal("the feed carries notes of releases that did not ship")
	}
	for _, e := range f.Entries {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(e.Content.Body))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Find("h2:contains('Fixes') + p").Length() != 1 {
			t.Errorf("entry %s has no fixes: %s", e.ID, e.Content.Body)
		}
		if !strings.HasPrefix(e.Links[0].Href, s.URL+"/notes/payments/") {
			t.Errorf("entry link %q is not absolute", e.Links[0].Href)
		}
	}

	// Amending keeps the entry's id and moves its updated time, and the feed's.
	first := map[string]string{}
	for _, e := range f.Entries {
		first[e.Title] = e.ID
	}
	rel, _ := s.store.FindReleaseByName(t.Context(), "payments", "2.3.0")
	s.store.Now = func() time.Time { return time.Now().UTC().Add(time.Hour) }
	a := s.actorOf("po")
	in := gonogo.NotesInput{Title: "Hourly payouts", Fixes: "Payout emails arrive after the money.", KnownIssues: "Some banks batch transfers.", Note: "known issue"}
	if _, err := s.store.SaveNotes(t.Context(), a, rel.ID, in, false); err != nil {
		t.Fatal(err)
	}
	g, _ := getFeed(t, c, "/notes.atom")
	for _, e := range g.Entries {
		if first[e.Title] != e.ID {
			t.Fatalf("entry %q changed id from %q to %q", e.Title, first[e.Title], e.ID)
		}
		if e.Title == "payments 2.3.0: Hourly payouts" && e.Updated <= f.Updated {
			t.Fatalf("the amended entry's updated %s did not move past %s", e.Updated, f.Updated)
		}
	}
	if g.Updated <= f.Updated {
		t.Fatalf("feed updated %s did not move past %s", g.Updated, f.Updated)
	}
	again, _ := getFeed(t, c, "/notes.atom")
	if again.Updated != g.Updated {
		t.Fatal("the feed's updated time changes between fetches of the same notes")
	}

	// A product's feed has its shipped releases only; an empty one is still valid.
	p, _ := getFeed(t, c, "/notes/payments.atom")
	if len(p.Entries) != 2 || p.ID == f.ID {
		t.Fatalf("product feed %+v", p)
	}
	m, _ := getFeed(t, c, "/notes/mobile.atom")
	if len(m.Entries) != 0 {
		t.Fatalf("mobile feed %+v", m)
	}
	res, _ := c.getText("/notes/nosuch.atom")
	wantStatus(t, res, http.StatusNotFound)
}

// TestNotesXSS feeds every known payload through every notes field and
// checks, on every page that shows notes and in the feed, that none survives.
func TestNotesXSS(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	po := s.signIn(t, "po")
	check := func(where string, doc *goquery.Document) {
		t.Helper()
		if bad := xsstest.Page(doc); len(bad) > 0 {
			t.Errorf("%s: %v", where, bad)
		}
	}
	published := 0
	for i, p := range xsstest.Payloads {
		rel := s.mustCreateRelease(t, "xss", "1.0."+itoa(int64(i)))
		editor := "/releases/" + itoa(rel.ID) + "/notes"
		po.get(editor)
		form := map[string][]string{
			"title": {p}, "highlights": {p}, "changes": {p}, "fixes": {p}, "known_issues": {p}, "internal": {p},
			"links": {strings.ReplaceAll(p, "\n", " ") + " | https://help.example.com/" + itoa(int64(i))},
		}
		if strings.Contains(p, "\n") {
			form["title"] = []string{"Payload " + itoa(int64(i))} // titles are one line
		}
		res := po.post(editor+"/publish", form)
		check("preview of "+p, parse(t, po.postHX(editor+"/preview", form)))
		if res.StatusCode != http.StatusSeeOther {
			// Refused input comes back in the form, which must be as safe.
			wantStatus(t, res, http.StatusUnprocessableEntity)
			check("refused "+p, parse(t, res))
			continue
		}
		published++
		s.setState(t, rel.ID, gonogo.Released)
		_, doc := po.get("/notes/xss/" + rel.Version)
		check("page of "+p, doc)
		if doc.Find(".markdown").Length() < 5 {
			t.Errorf("%q: the page shows %d Markdown sections, want every field", p, doc.Find(".markdown").Length())
		}
		_, doc = po.get(editor)
		check("editor of "+p, doc)
		_, doc = po.get("/releases/" + itoa(rel.ID))
		check("release page of "+p, doc)
	}
	if published < len(xsstest.Payloads)*3/4 {
		t.Fatalf("only %d of %d payloads were published; the test would prove little", published, len(xsstest.Payloads))
	}
	for _, path := range []string{"/notes", "/notes/xss", "/notes?q=alert", "/notes?q=script", "/notes?q=onerror"} {
		res, doc := po.get(path)
		wantStatus(t, res, http.StatusOK)
		check(path, doc)
	}
	f, _ := getFeed(t, po, "/notes/xss.atom")
	for _, e := range f.Entries {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader("<html><body>" + e.Content.Body + "</body></html>"))
		if err != nil {
			t.Fatal(err)
		}
		check("feed entry "+e.Title, doc)
	}
}

// TestEmptyFeedUpdated: a feed without entries says when the product (or,
// for the feed of every product, the board) last changed, never the epoch,
// and says the same at every fetch until something changes.
func TestEmptyFeedUpdated(t *testing.T) {
	s := newServer(t)
	support := s.signIn(t, "support")

	// A board without releases: its feed dates from the board's start.
	all, _ := getFeed(t, support, "/notes.atom")
	if got := rfc3339(t, "empty board", all.Updated); got.Year() < 2000 || got.After(time.Now().Add(time.Minute)) {
		t.Fatalf("the feed of an empty board says updated %s", all.Updated)
	}

	rel := s.mustCreateRelease(t, "mobile", "1.0.0")
	first, _ := getFeed(t, support, "/notes/mobile.atom")
	if len(first.Entries) != 0 {
		t.Fatalf("mobile has shipped nothing, yet its feed has %d entries", len(first.Entries))
	}
	want := rel.UpdatedAt.UTC().Truncate(time.Second)
	if got := rfc3339(t, "mobile", first.Updated); !got.Equal(want) {
		t.Fatalf("the empty feed says updated %s, want %s, when the product last changed", first.Updated, want.Format(time.RFC3339))
	}
	again, _ := getFeed(t, support, "/notes/mobile.atom")
	if again.Updated != first.Updated {
		t.Fatalf("the empty feed's updated moved from %s to %s with nothing changed", first.Updated, again.Updated)
	}

	// A change to the product moves it.
	s.store.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Hour) }
	s.move(t, rel.ID, gonogo.OpenReview)
	later, _ := getFeed(t, support, "/notes/mobile.atom")
	if later.Updated <= first.Updated {
		t.Fatalf("the product changed, yet its empty feed's updated stays %s (was %s)", later.Updated, first.Updated)
	}
	all, _ = getFeed(t, support, "/notes.atom")
	if all.Updated != later.Updated {
		t.Fatalf("the feed of every product says updated %s, want the latest change, %s", all.Updated, later.Updated)
	}
}

// trackedNotes are notes with what a feed must not pass on as it is: images
// on other sites, an image inside a link, a code block (which goldmark marks
// with a class) and a table.
var trackedNotes = gonogo.NotesInput{
	Title:      "Tracked",
	Highlights: "New checkout.\n\n![Screenshot of the checkout](https://tracker.example.com/pixel.png?who=reader)\n\nMore in ![](https://cdn.example.com/spacer.gif) the guide.",
	Changes:    "[![build passing](https://ci.example.com/badge.svg)](https://ci.example.com/builds/42)\n\n```go\nfmt.Println(\"hi\")\n```\n\n| a | b |\n|:--|--:|\n| 1 | 2 |",
	Fixes:      "See <https://help.example.com/fix>.",
	Internal:   "internal-tracked",
	Links:      "Guide | https://help.example.com/guide",
}

// TestFeedContentIsClean: entries carry plain HTML, with none of the app's
// own attributes, and remote images become links a reader may follow: a
// feed reader would load an image by itself, telling its owner who read the
// notes.
func TestFeedContentIsClean(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	rel := s.mustCreateRelease(t, "payments", "3.0.0")
	po := s.signIn(t, "po")
	po.get("/releases/" + itoa(rel.ID) + "/notes")
	form := map[string][]string{"title": {trackedNotes.Title}, "highlights": {trackedNotes.Highlights}, "changes": {trackedNotes.Changes},
		"fixes": {trackedNotes.Fixes}, "internal": {trackedNotes.Internal}, "links": {trackedNotes.Links}}
	wantStatus(t, po.post("/releases/"+itoa(rel.ID)+"/notes/publish", form), http.StatusSeeOther)
	s.setState(t, rel.ID, gonogo.Released)

	f, body := getFeed(t, po, "/notes/payments.atom") // getFeed checks every entry is clean
	if strings.Contains(body, "internal-") {
		t.Fatal("the feed carries internal notes")
	}
	var content string
	for _, e := range f.Entries {
		if strings.HasSuffix(e.Title, ": Tracked") {
			content = e.Content.Body
		}
	}
	if content == "" {
		t.Fatalf("no entry for the tracked notes in %+v", f.Entries)
	}
	if bad := cleanHTMLProblems(t, content); len(bad) > 0 {
		t.Fatalf("the entry is not clean: %v\n%s", bad, content)
	}
	links := entryLinks(t, content)
	for href, text := range map[string]string{
		"https://tracker.example.com/pixel.png?who=reader": "Screenshot of the checkout",
		"https://cdn.example.com/spacer.gif":               "image",
		"https://ci.example.com/builds/42":                 "build passing",
		"https://help.example.com/fix":                     "https://help.example.com/fix",
		"https://help.example.com/guide":                   "Guide",
	} {
		if got, ok := links[href]; !ok || !strings.Contains(got, text) {
			t.Errorf("no link to %s saying %q; links %v", href, text, links)
		}
	}
	if _, ok := links["https://ci.example.com/badge.svg"]; ok {
		t.Error("an image inside a link became a link inside a link")
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find("pre code").Length() != 1 || doc.Find("table td").Length() != 2 {
		t.Errorf("the code block or the table is lost:\n%s", content)
	}

	// The page itself still shows the app's Markdown container.
	_, page := po.get("/notes/payments/3.0.0")
	if page.Find("[data-testid=md-highlights]").Length() != 1 {
		t.Error("the notes page lost its Markdown container")
	}
}

// TestFeedsMatchRFC4287Schema validates every kind of feed against the
// RELAX NG schema of RFC 4287 with jing: with entries, empty, with content
// that goldmark and bluemonday had work to do on, for a person and for the
// public.
func TestFeedsMatchRFC4287Schema(t *testing.T) {
	s := newServer(t, func(c *handlers.Config) { c.PublicNotes = true })
	notesFixture(t, s)
	rel := s.mustCreateRelease(t, "payments", "3.0.0")
	a := s.actorOf("po")
	if _, err := s.store.SaveNotes(t.Context(), a, rel.ID, trackedNotes, true); err != nil {
		t.Fatal(err)
	}
	s.setState(t, rel.ID, gonogo.Released)
	support, anon := s.signIn(t, "support"), s.client(t)
	feeds := map[string]string{}
	for _, c := range []struct {
		who    string
		client *client
		path   string
	}{
		{"support", support, "/notes.atom"}, {"support", support, "/notes/payments.atom"}, {"support", support, "/notes/mobile.atom"},
		{"the public", anon, "/notes.atom"}, {"the public", anon, "/notes/payments.atom"},
	} {
		_, body := getFeed(t, c.client, c.path)
		feeds[c.path+" for "+c.who] = body
	}
	validateAtomSchema(t, feeds)
}
