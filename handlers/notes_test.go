package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// fullNotes is a notes form with every field filled.
func fullNotes() url.Values {
	return url.Values{
		"title":        {"Apple Pay in checkout"},
		"highlights":   {"Pay with **Apple Pay** in the web checkout."},
		"changes":      {"- The payment sheet opens in place."},
		"fixes":        {"- Receipts show the right currency."},
		"known_issues": {"Safari 16 shows the sheet twice. *Workaround:* close one."},
		"internal":     {"Escalate refunds to payments-oncall."},
		"links":        {"Apple Pay help | https://help.example.com/apple-pay"},
	}
}

// gateKinds lists the kinds of reasons the release page's gate shows.
func gateKinds(doc *goquery.Document) []string {
	var out []string
	doc.Find("#gate [data-testid=gate-reasons] li").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-kind", ""))
	})
	return out
}

func has(kinds []string, k string) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func TestWriteAndPublishNotes(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page, editor := "/releases/"+itoa(rel.ID), "/releases/"+itoa(rel.ID)+"/notes"
	po := s.signIn(t, "po")

	_, doc := po.get(page)
	if got := text(doc, "[data-testid=notes-panel-status]"); got != "Not written" {
		t.Fatalf("panel status %q", got)
	}
	if !has(gateKinds(doc), "notes") {
		t.Fatalf("the gate does not name the missing notes: %v", gateKinds(doc))
	}
	if doc.Find(`#gate a[href="#notes"]`).Length() != 1 || doc.Find("#notes").Length() != 1 {
		t.Fatal("the gate's notes reason does not link to the notes panel")
	}
	_, doc = po.get(editor)
	if v, _ := doc.Find(`input[name=title]`).Attr("value"); v != rel.Title {
		t.Fatalf("new notes start with title %q, want the release's", v)
	}

	// A draft: saved, and the gate says it is still a draft.
	form := fullNotes()
	res := po.post(editor, form)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != editor+"?notice=notes-saved" {
		t.Fatalf("after saving a draft: %q", loc)
	}
	_, doc = po.get(editor)
	if got := text(doc, "[data-testid=notes-status]"); got != "Draft" {
		t.Fatalf("status %q", got)
	}
	if got := doc.Find(`textarea[name=internal]`).Text(); got != form.Get("internal") {
		t.Fatalf("internal notes in the form %q", got)
	}
	if doc.Find("[data-testid=notes-preview] [data-testid=md-highlights] strong").Length() != 1 {
		t.Fatal("the editor does not preview the saved draft")
	}
	_, doc = po.get(page)
	if reason := doc.Find(`#gate li[data-kind=notes]`).Text(); !strings.Contains(reason, "still a draft") {
		t.Fatalf("gate reason %q", reason)
	}

	// Publishing: the page, the checklist item, the gate, the trail.
	res = po.post(editor+"/publish", form)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/notes/payments/2.4.0?notice=published" {
		t.Fatalf("after publishing: %q", loc)
	}
	_, doc = po.get(res.Header.Get("Location"))
	for sel, want := range map[string]string{
		"[data-testid=notes-title]":   "Apple Pay in checkout",
		"[data-testid=notes-version]": "2.4.0",
		"[data-testid=notice] span":   "Release notes published.",
	} {
		if got := text(doc, sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if st, _ := doc.Find("[data-testid=notes-standing]").Attr("data-standing"); st != "upcoming" {
		t.Errorf("standing %q, want upcoming for a release in draft", st)
	}
	if doc.Find("[data-testid=notes-internal]").Length() != 1 || doc.Find("[data-testid=notes-known-issues]").Length() != 1 {
		t.Error("a signed-in reader should see the internal notes and the known issues")
	}
	if href, _ := doc.Find("[data-testid=notes-links] a").Attr("href"); href != "https://help.example.com/apple-pay" {
		t.Errorf("knowledge-base link %q", href)
	}
	// Highlights come first.
	var order []string
	doc.Find("[data-testid=notes-body] > section").Each(func(_ int, sec *goquery.Selection) {
		order = append(order, sec.AttrOr("data-testid", ""))
	})
	if len(order) == 0 || order[0] != "notes-highlights" {
		t.Errorf("sections in order %v, want the highlights first", order)
	}
	item := s.mustItem(t, rel.ID, "Release notes written")
	if item.Status != gonogo.ItemDone || item.Evidence != "/notes/payments/2.4.0" {
		t.Fatalf("release-notes item %+v", item)
	}
	_, doc = po.get(page)
	if has(gateKinds(doc), "notes") || strings.Contains(doc.Find("#gate").Text(), "Release notes written") {
		t.Fatalf("the gate still names the notes: %v", gateKinds(doc))
	}
	if got := text(doc, "[data-testid=notes-panel-status]"); got != "Published" {
		t.Fatalf("panel status %q", got)
	}
	if doc.Find(`[data-testid=event][data-action="notes.publish"]`).Length() != 1 {
		t.Fatal("the release history does not show the publication")
	}
}

func TestNotesBadInputKeepsTheForm(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	editor := "/releases/" + itoa(rel.ID) + "/notes"
	rm := s.signIn(t, "rm")
	rm.get(editor)
	tests := []struct {
		name   string
		path   string
		change url.Values
		fields []string
	}{
		{"no title", "/publish", url.Values{"title": {"  "}}, []string{"title"}},
		{"a title on two lines", "", url.Values{"title": {"one\ntwo"}}, []string{"title"}},
		{"a script link", "/publish", url.Values{"links": {"Help | javascript:alert(1)"}}, []string{"links"}},
		{"nothing customers can read", "/publish", url.Values{"highlights": {""}, "changes": {""}, "fixes": {""}}, []string{"highlights"}},
		{"a control character", "", url.Values{"fixes": {"a\x01b"}}, []string{"fixes"}},
		{"too long", "", url.Values{"changes": {strings.Repeat("x", gonogo.MaxNotesSectionLen+1)}}, []string{"changes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := fullNotes()
			for k, v := range tc.change {
				form[k] = v
			}
			res := rm.post(editor+tc.path, form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			for _, f := range tc.fields {
				if doc.Find("[data-testid=error-"+f+"]").Length() != 1 {
					t.Errorf("no message beside %s", f)
				}
			}
			if got := doc.Find(`textarea[name=internal]`).Text(); got != form.Get("internal") {
				t.Errorf("the form lost what was typed: internal %q", got)
			}
		})
	}
	if n, _ := s.store.FindNotes(t.Context(), rel.ID); n.Status != gonogo.NotesNone {
		t.Fatalf("refused input stored notes: %+v", n)
	}
	res := rm.post("/releases/9999/notes/publish", fullNotes())
	wantStatus(t, res, http.StatusNotFound)
	res = rm.post("/releases/abc/notes", fullNotes())
	wantStatus(t, res, http.StatusNotFound)
	cancelled := s.mustCreateRelease(t, "payments", "2.4.1")
	s.setState(t, cancelled.ID, gonogo.Cancelled)
	res = rm.post("/releases/"+itoa(cancelled.ID)+"/notes/publish", fullNotes())
	wantStatus(t, res, http.StatusConflict)
}

func TestAmendNotes(t *testing.T) {
	s := newServer(t, func(c *handlers.Config) { c.PublicNotes = true })
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	editor := "/releases/" + itoa(rel.ID) + "/notes"
	po := s.signIn(t, "po")
	po.get(editor)
	wantStatus(t, po.post(editor+"/publish", fullNotes()), http.StatusSeeOther)

	// Saving the same text publishes nothing new.
	res := po.post(editor, fullNotes())
	if loc := res.Header.Get("Location"); loc != editor+"?notice=unchanged" {
		t.Fatalf("an unchanged save went to %q", loc)
	}
	_, doc := po.get(editor)
	if doc.Find("[data-testid=save-amendment]").Length() != 1 || doc.Find("[data-testid=publish-notes]").Length() != 0 {
		t.Fatal("published notes should offer to publish an amendment, not to publish again")
	}
	form := fullNotes()
	form.Set("known_issues", "Fixed in 2.4.1.")
	form.Set("note", "Safari issue fixed")
	res = po.post(editor, form)
	if loc := res.Header.Get("Location"); loc != "/notes/payments/2.4.0?notice=amended" {
		t.Fatalf("an amendment went to %q", loc)
	}
	_, doc = po.get("/notes/payments/2.4.0")
	if !strings.HasPrefix(text(doc, "[data-testid=notes-updated]"), "updated") {
		t.Fatal("the page does not say it was updated")
	}
	revs := doc.Find("[data-testid=notes-revision]")
	if revs.Length() != 2 || !strings.Contains(revs.Last().Text(), "Safari issue fixed") || !strings.Contains(revs.Last().Text(), "Po Tester") {
		t.Fatalf("revisions on the page: %q", revs.Text())
	}

	// An anonymous reader of the shipped release sees "updated", not who did what.
	s.setState(t, rel.ID, gonogo.Released)
	_, doc = s.client(t).get("/notes/payments/2.4.0")
	if doc.Find("[data-testid=notes-updated]").Length() != 1 || doc.Find("[data-testid=notes-revision]").Length() != 0 {
		t.Fatal("an anonymous reader should see that the notes were updated, and not their history")
	}
}

func TestPreviewNotes(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	editor := "/releases/" + itoa(rel.ID) + "/notes"
	po := s.signIn(t, "po")
	po.get(editor)

	form := fullNotes()
	form.Set("highlights", "Now with **bold** claims <script>alert(1)</script>")
	res := po.postHX(editor+"/preview", form)
	wantStatus(t, res, http.StatusOK)
	doc := parse(t, res)
	if doc.Find("#notes-preview [data-testid=md-highlights] strong").Text() != "bold" {
		t.Fatal("the htmx preview does not render the Markdown")
	}
	if doc.Find("form").Length() != 0 || doc.Find("header.topbar").Length() != 0 {
		t.Fatal("htmx should get only the preview pane")
	}
	if doc.Find("script").Length() != 0 {
		t.Fatal("the preview kept a script")
	}

	// Without JavaScript, the same endpoint shows the whole editor, with what
	// was typed kept and its problems pointed out (422, as a refused save),
	// and stores nothing.
	form.Set("links", "not a link")
	res = po.post(editor+"/preview", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if doc.Find("[data-testid=notes-form]").Length() != 1 || doc.Find("#notes-preview strong").Text() != "bold" {
		t.Fatal("the plain preview is not the editor with its preview")
	}
	if doc.Find("[data-testid=error-links]").Length() != 1 {
		t.Fatal("the plain preview does not point out the bad link")
	}
	if got := doc.Find("textarea[name=highlights]").Text(); got != form.Get("highlights") {
		t.Fatalf("the typed text was not kept: %q", got)
	}
	if n, _ := s.store.FindNotes(t.Context(), rel.ID); n.Status != gonogo.NotesNone {
		t.Fatal("a preview stored notes")
	}
}

// notesFixture publishes notes on releases in several states.
func notesFixture(t *testing.T, s *testServer) {
	t.Helper()
	for _, r := range []struct {
		version, title, fixes string
		state                 gonogo.State
	}{
		{"2.3.0", "Hourly payouts", "Payout emails arrive after the money.", gonogo.Released},
		{"2.3.1", "Refund rounding fix", "Partial refunds in JPY no longer lose a yen (PAY-142).", gonogo.Released},
		{"2.4.0", "Apple Pay in checkout", "Refunds show the right currency.", gonogo.Review},
		{"2.2.0", "Wishlist", "Nothing to see.", gonogo.RolledBack},
	} {
		rel := s.mustCreateRelease(t, "payments", r.version)
		a := s.actorOf("po")
		in := gonogo.NotesInput{Title: r.title, Fixes: r.fixes, Internal: "internal-" + r.version}
		if _, err := s.store.SaveNotes(t.Context(), a, rel.ID, in, true); err != nil {
			t.Fatal(err)
		}
		s.setState(t, rel.ID, r.state)
	}
	s.mustCreateRelease(t, "mobile", "1.0.0") // a product with nothing published
}

func entryNames(doc *goquery.Document) []string {
	var out []string
	doc.Find("[data-testid=notes-entry]").Each(func(_ int, e *goquery.Selection) {
		out = append(out, e.AttrOr("data-release", ""))
	})
	return out
}

func TestNotesListAndSearch(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	support := s.signIn(t, "support")

	_, doc := support.get("/notes")
	if got := entryNames(doc); len(got) != 4 {
		t.Fatalf("/notes lists %v, want every published note", got)
	}
	if href, _ := doc.Find(`link[rel=alternate][type="application/atom+xml"]`).Attr("href"); href != "/notes.atom" {
		t.Fatalf("the page does not announce its feed: %q", href)
	}
	_, doc = support.get("/notes?product=mobile")
	if got := entryNames(doc); len(got) != 0 {
		t.Fatalf("filtered by product: %v", got)
	}

	_, doc = support.get("/notes?q=refun")
	got := entryNames(doc)
	if len(got) != 2 || got[0] != "payments 2.3.1" {
		t.Fatalf("a search for a word's start found %v, want the title match first", got)
	}
	if doc.Find("[data-testid=entry-title] mark").First().Text() != "Refund" {
		t.Fatalf("the matched word is not marked in the title: %q", doc.Find("[data-testid=entry-title]").First().Text())
	}
	if doc.Find("[data-testid=entry-snippet] mark").Length() == 0 {
		t.Fatal("the matched words are not marked in the excerpt")
	}
	_, doc = support.get("/notes?q=" + url.QueryEscape("internal-2.3.1"))
	if len(entryNames(doc)) != 0 {
		t.Fatal("internal notes are searchable")
	}

	// Search syntax the reader did not mean searches the words they typed,
	// for a page and for htmx alike.
	for _, q := range []string{`"refund`, `(refund`, `refund)`, `NEAR(refund`, `refund OR`, `refund:`} {
		res, doc := support.get("/notes?q=" + url.QueryEscape(q))
		wantStatus(t, res, http.StatusOK)
		if got := entryNames(doc); len(got) == 0 || got[0] != "payments 2.3.1" {
			t.Errorf("%q found %v, want the refund fix first", q, got)
		}
		if doc.Find("[data-testid=error-q]").Length() != 0 {
			t.Errorf("%q: a message beside the search: %q", q, text(doc, "[data-testid=error-q]"))
		}
		if v, _ := doc.Find("input[name=q]").Attr("value"); v != q {
			t.Errorf("%q: the search box lost the query", q)
		}
		res, doc = support.getHX("/notes?q=" + url.QueryEscape(q))
		wantStatus(t, res, http.StatusOK)
		if len(entryNames(doc)) == 0 || doc.Find("header.topbar").Length() != 0 {
			t.Errorf("%q: htmx should get the results", q)
		}
	}
	// A search too long to be typed is refused: a message beside the
	// search box and a 422, never a 500, for a page and for htmx alike.
	for _, q := range []string{strings.Repeat("a", 201)} {
		res, doc := support.get("/notes?q=" + url.QueryEscape(q))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := text(doc, "[data-testid=error-q]"); msg == "" {
			t.Errorf("%q: no message beside the search", q)
		}
		if v, _ := doc.Find("input[name=q]").Attr("value"); v != q {
			t.Errorf("%q: the search box lost the query", q)
		}
		res, doc = support.getHX("/notes?q=" + url.QueryEscape(q))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if doc.Find("#notes-results [data-testid=error-q]").Length() != 1 || doc.Find("header.topbar").Length() != 0 {
			t.Errorf("%q: htmx should get the results with the message", q)
		}
	}
	for _, q := range []string{`NEAR`, `"apple pay"`, `PAY-142`, `2.3.1`, `'; DROP TABLE notes; --`} {
		res, _ := support.get("/notes?q=" + url.QueryEscape(q))
		wantStatus(t, res, http.StatusOK)
	}
}

func TestNotesStanding(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	c := s.signIn(t, "support")
	for version, want := range map[string]string{"2.3.1": "shipped", "2.4.0": "upcoming", "2.2.0": "rolled-back"} {
		_, doc := c.get("/notes/payments/" + version)
		if got, _ := doc.Find("[data-testid=notes-standing]").Attr("data-standing"); got != want {
			t.Errorf("%s: standing %q, want %q", version, got, want)
		}
	}
	_, doc := c.get("/notes/payments/2.3.1")
	if got := text(doc, "[data-testid=notes-standing]"); !strings.HasPrefix(got, "Shipped ") || len(got) < len("Shipped 1 Jan 2026") {
		t.Fatalf("a shipped release should say when: %q", got)
	}
	for _, path := range []string{"/notes/payments/9.9.9", "/notes/nosuch/1.0", "/notes/payments/2.3.1/extra"} {
		res, _ := c.get(path)
		wantStatus(t, res, http.StatusNotFound)
	}
}

func TestProductRollup(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	c := s.signIn(t, "support")
	versions := func(doc *goquery.Document) []string {
		var out []string
		doc.Find("[data-testid=rollup-entry]").Each(func(_ int, e *goquery.Selection) { out = append(out, e.AttrOr("data-version", "")) })
		return out
	}
	_, doc := c.get("/notes/payments")
	// Only what shipped, newest shipment first: 2.3.1 was set released last.
	if got := versions(doc); strings.Join(got, " ") != "2.3.1 2.3.0" {
		t.Fatalf("rollup %v", got)
	}
	if doc.Find("[data-testid=notes-internal]").Length() != 2 {
		t.Fatal("a signed-in reader should see the internal notes in the rollup")
	}
	_, doc = c.get("/notes/payments?since=2.3.0")
	if got := versions(doc); strings.Join(got, " ") != "2.3.1" {
		t.Fatalf("since 2.3.0: %v", got)
	}
	res, doc := c.get("/notes/payments?since=2.4.0")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if doc.Find("[data-testid=error-since]").Length() != 1 {
		t.Fatal("no message beside the since choice")
	}
	_, doc = c.get("/notes/mobile")
	if doc.Find(".empty").Length() != 1 {
		t.Fatal("a product with nothing shipped should say so")
	}
	res, _ = c.get("/notes/nosuch")
	wantStatus(t, res, http.StatusNotFound)
}

func TestPublicNotes(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		s := newServer(t)
		notesFixture(t, s)
		anon := s.client(t)
		for _, path := range []string{"/notes", "/notes/payments", "/notes/payments/2.3.1"} {
			res, _ := anon.get(path)
			wantStatus(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s: redirected to %q", path, loc)
			}
		}
		// Feed readers cannot follow a sign-in page (TestFeedsRefuseWithoutCredentials).
		for _, path := range []string{"/notes.atom", "/notes/payments.atom"} {
			wantFeedRefused(t, s, anon, path)
		}
	})
	t.Run("on", func(t *testing.T) {
		s := newServer(t, func(c *handlers.Config) { c.PublicNotes = true })
		notesFixture(t, s)
		secret := s.mustCreateRelease(t, "secret", "0.1.0")
		s.publishNotes(t, secret.ID)
		anon := s.client(t)
		res, doc := anon.get("/notes")
		wantStatus(t, res, http.StatusOK)
		if doc.Find(`select[name=product] option[value=secret]`).Length() != 0 {
			t.Fatal("anonymous readers learn of a product that has shipped nothing")
		}
		if got := entryNames(doc); strings.Join(got, ", ") != "payments 2.3.1, payments 2.3.0" && strings.Join(got, ", ") != "payments 2.3.0, payments 2.3.1" {
			t.Fatalf("anonymous readers see %v, want only what shipped", got)
		}
		if doc.Find("[data-testid=sign-in-link]").Length() != 1 {
			t.Error("an anonymous reader has no way to sign in")
		}
		res, doc = anon.get("/notes/payments/2.3.1")
		wantStatus(t, res, http.StatusOK)
		body := doc.Text()
		if strings.Contains(body, "internal-2.3.1") || doc.Find("[data-testid=notes-internal]").Length() != 0 {
			t.Fatal("an anonymous reader sees internal notes")
		}
		if doc.Find("[data-testid=notes-record], [data-testid=decision-link], [data-testid=amend-notes]").Length() != 0 {
			t.Fatal("an anonymous reader sees links into the board")
		}
		// What has not shipped does not exist for anonymous readers, nor
		// does a product with nothing shipped.
		for _, path := range []string{"/notes/payments/2.4.0", "/notes/payments/2.2.0", "/notes/mobile", "/notes/mobile.atom"} {
			res, _ := anon.get(path)
			wantStatus(t, res, http.StatusNotFound)
		}
		_, doc = anon.get("/notes/payments")
		if strings.Contains(doc.Text(), "internal-") {
			t.Fatal("the rollup shows anonymous readers internal notes")
		}
		for _, path := range []string{"/notes.atom", "/notes/payments.atom"} {
			res, _ := anon.getText(path)
			wantStatus(t, res, http.StatusOK)
		}
		_, doc = anon.get("/notes?q=apple")
		if len(entryNames(doc)) != 0 {
			t.Fatal("an anonymous search finds notes of a release that has not shipped")
		}
		// Everything else still needs a sign-in.
		for _, path := range []string{"/", "/releases/1", "/releases/1/notes", "/defects"} {
			res, _ := anon.get(path)
			wantStatus(t, res, http.StatusSeeOther)
		}
		res = anon.post("/releases/1/notes/publish", fullNotes())
		if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
			t.Fatalf("an anonymous publish: %d", res.StatusCode)
		}
	})
}
