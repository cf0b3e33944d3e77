package handlers_test

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo/handlers"
)

// feedAddresses reads the addresses the profile shows right after a feed
// token is made: the feed kind ("notes", "calendar", or "product:KEY") to
// the address.
func feedAddresses(t *testing.T, doc *goquery.Document) map[string]string {
	t.Helper()
	out := map[string]string{}
	doc.Find("[data-testid=feed-url]").Each(func(_ int, s *goquery.Selection) {
		kind := s.AttrOr("data-feed", "")
		if p := s.AttrOr("data-product", ""); p != "" {
			kind += ":" + p
		}
		out[kind] = s.AttrOr("value", "")
	})
	return out
}

// feedToken is the token in a feed address.
func feedToken(t *testing.T, address string) string {
	t.Helper()
	u, err := url.Parse(address)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("feed address %q has no token", address)
	}
	return u.Query().Get("token")
}

// wantFeedRefused checks that a feed request got what a feed reader can
// show: a 401 in plain words that says where to get an address, never a
// redirect to the sign-in page.
func wantFeedRefused(t *testing.T, s *testServer, c *client, path string) {
	t.Helper()
	res, body := c.getText(path)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("%s: status %d, want 401 (Location %q)", path, res.StatusCode, res.Header.Get("Location"))
	}
	if mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type")); err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("%s: content type %q, want plain text in UTF-8", path, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("Location") != "" || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s: headers %v", path, res.Header)
	}
	if !strings.Contains(body, s.URL+"/profile") || strings.Contains(body, "<") {
		t.Errorf("%s: body %q does not point, in plain words, to the profile", path, body)
	}
}

// TestFeedsRefuseWithoutCredentials: a feed reader without a personal
// address gets a 401 it can show, for every feed, known product or not.
func TestFeedsRefuseWithoutCredentials(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	anon := s.client(t)
	for _, path := range []string{"/notes.atom", "/notes/payments.atom", "/notes/nosuch.atom", "/calendar.ics",
		"/notes.atom?token=guess", "/notes/payments.atom?token=", "/calendar.ics?token=guess"} {
		wantFeedRefused(t, s, anon, path)
	}
	// The pages themselves still send a browser to sign in.
	res, _ := anon.get("/notes/payments")
	wantStatus(t, res, http.StatusSeeOther)

	t.Run("public notes", func(t *testing.T) {
		s := newServer(t, func(c *handlers.Config) { c.PublicNotes = true })
		notesFixture(t, s)
		anon := s.client(t)
		getFeed(t, anon, "/notes.atom")
		getFeed(t, anon, "/notes/payments.atom")
		wantFeedRefused(t, s, anon, "/calendar.ics")
		wantFeedRefused(t, s, anon, "/notes.atom?token=guess") // a dead address says so
	})
}

// TestFeedToken: one personal token opens the notes feeds and the
// calendar to a feed reader; replacing it ends the old one at once,
// revoking asks first, and a disabled person's token stops working. It opens
// nothing but feeds.
func TestFeedToken(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	support := s.signIn(t, "support")
	anon := s.client(t)

	_, doc := support.get("/profile")
	if doc.Find("[data-testid=new-feed-token]").Length() != 1 || doc.Find("[data-testid=revoke-feed-token]").Length() != 0 {
		t.Fatal("the profile does not offer a feed address to someone without one")
	}
	res := support.post("/profile/feed-token", nil)
	wantStatus(t, res, http.StatusOK)
	addrs := feedAddresses(t, parse(t, res))
	for kind, path := range map[string]string{"notes": "/notes.atom", "calendar": "/calendar.ics", "product:payments": "/notes/payments.atom", "product:mobile": "/notes/mobile.atom"} {
		if !strings.HasPrefix(addrs[kind], s.URL+path+"?token=") {
			t.Fatalf("the profile lists %q for %s, want %s%s?token=…; all: %v", addrs[kind], kind, s.URL, path, addrs)
		}
	}
	token := feedToken(t, addrs["notes"])
	for _, a := range addrs {
		if feedToken(t, a) != token {
			t.Fatalf("the addresses carry different tokens: %v", addrs)
		}
	}

	// A feed reader reads what the person reads signed in.
	path := func(a string) string { return strings.TrimPrefix(a, s.URL) }
	f, _ := getFeed(t, anon, path(addrs["notes"]))
	signedIn, _ := getFeed(t, support, "/notes.atom")
	if len(f.Entries) != 2 || len(signedIn.Entries) != len(f.Entries) {
		t.Fatalf("the token's feed has %d entries, signed in %d; want the two shipped", len(f.Entries), len(signedIn.Entries))
	}
	getFeed(t, anon, path(addrs["product:payments"]))
	if m, _ := getFeed(t, anon, path(addrs["product:mobile"])); len(m.Entries) != 0 {
		t.Fatalf("mobile has shipped nothing: %+v", m.Entries)
	}
	res, _ = anon.getText(path(addrs["calendar"]))
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("calendar content type %q", ct)
	}

	// The token opens no page and changes nothing.
	for _, p := range []string{"/", "/notes", "/notes/payments", "/notes/payments/2.3.1", "/profile", "/calendar", "/defects", "/calendar?view=list"} {
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		res, _ := anon.get(p + sep + "token=" + token)
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") || strings.Contains(loc, token) {
			t.Errorf("%s with a feed token: redirected to %q", p, loc)
		}
	}
	anon.get("/login")
	res = anon.post("/profile/feed-token?token="+token, nil)
	wantStatus(t, res, http.StatusUnauthorized)

	// Replacing makes a new token and ends the old one at once.
	_, doc = support.get("/profile")
	if doc.Find("[data-testid=feed-token-active]").Length() != 1 || doc.Find("[data-testid=feed-url]").Length() != 0 {
		t.Fatal("the profile should say an address exists, without showing it again")
	}
	res = support.post("/profile/feed-token", nil)
	wantStatus(t, res, http.StatusOK)
	renewed := feedToken(t, feedAddresses(t, parse(t, res))["calendar"])
	if renewed == token {
		t.Fatal("replacing gave the same token")
	}
	wantFeedRefused(t, s, anon, "/notes.atom?token="+token)
	wantFeedRefused(t, s, anon, "/calendar.ics?token="+token)
	getFeed(t, anon, "/notes.atom?token="+renewed)

	// Revoking asks first, and says it cannot be undone.
	_, doc = support.get("/profile")
	if !strings.Contains(doc.Find("[data-testid=revoke-feed-token]").Text(), "cannot be undone") {
		t.Errorf("the revoke form does not say it cannot be undone: %q", doc.Find("[data-testid=revoke-feed-token]").Text())
	}
	res = support.post("/profile/feed-token/delete", nil)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(text(parse(t, res), "[data-testid=confirm-page]"), "cannot be undone") {
		t.Error("an unconfirmed revoke does not ask first")
	}
	getFeed(t, anon, "/notes.atom?token="+renewed)
	res = support.post("/profile/feed-token/delete", url.Values{"confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantFeedRefused(t, s, anon, "/notes.atom?token="+renewed)
	wantFeedRefused(t, s, anon, "/calendar.ics?token="+renewed)

	// Each step is on the record.
	events, err := s.store.FindEvents(t.Context(), 20)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Action == "feed.token" && e.ActorID == s.users["support"].ID {
			got = append(got, e.Detail)
		}
	}
	if len(got) != 3 || !strings.Contains(got[0], "revoked") || !strings.Contains(got[1], "replaced") || !strings.Contains(got[2], "made") {
		t.Fatalf("audit trail of the feed token: %q", got)
	}

	// A disabled person's token stops working.
	qa := s.signIn(t, "qa")
	res = qa.post("/profile/feed-token", nil)
	wantStatus(t, res, http.StatusOK)
	qaToken := feedToken(t, feedAddresses(t, parse(t, res))["notes"])
	getFeed(t, anon, "/notes.atom?token="+qaToken)
	admin := s.signIn(t, "admin")
	res = admin.post("/admin/users/"+itoa(s.users["qa"].ID)+"/status", url.Values{"disabled": {"1"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantFeedRefused(t, s, anon, "/notes.atom?token="+qaToken)
	wantFeedRefused(t, s, anon, "/calendar.ics?token="+qaToken)
}
