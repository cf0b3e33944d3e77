package handlers_test

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
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

// getFeed fetches and parses a feed, checking what Atom requires of it.
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
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Fatalf("%s: updated %q: %v", path, f.Updated, err)
	}
	self := false
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && strings.HasSuffix(l.Href, path))
	}
	if !self {
		t.Fatalf("%s has no self link: %+v", path, f.Links)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:") || ids[e.ID] || e.Title == "" || len(e.Links) == 0 || e.Content.Type != "html" {
			t.Fatalf("%s: entry %+v", path, e)
		}
		ids[e.ID] = true
		for _, ts := range []string{e.Updated, e.Published} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Fatalf("%s: entry time %q: %v", path, ts, err)
			}
		}
	}
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
		if doc.Find("[data-testid=notes-fixes]").Length() != 1 {
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
	if _, err := s.store.SaveNotes(t.Context(), a, rel.ID, func(sn gonogo.Snapshot, cur gonogo.Notes) (gonogo.NotesChange, error) {
		return gonogo.EditNotes(a, sn, cur, in, false, s.store.Now())
	}); err != nil {
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
