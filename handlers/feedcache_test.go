package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// stopClock holds the store's clock at one moment, so that every read of a
// test falls in the same minute (the calendar is kept per minute).
func stopClock(s *testServer) {
	now := time.Now().UTC()
	s.store.Now = func() time.Time { return now }
}

// getWith fetches path with the given request headers.
func getWith(c *client, path string, headers map[string]string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res := c.do(req)
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// TestCalendarIsKeptUntilACommit: the calendar is built once between two
// commits, whoever reads it, each reader still on their own page, and a
// commit that moves a window shows at the next read.
func TestCalendarIsKeptUntilACommit(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	start := future(10, 20)
	s.scheduleWindow(t, rel.ID, gonogo.Window{Start: start, End: start.Add(2 * time.Hour)})
	rm, qa := s.signIn(t, "rm"), s.signIn(t, "qa")
	stopClock(s)
	month := "/calendar?month=" + start.Format("2006-01")
	day := func(t time.Time) string {
		return `[data-testid=cal-day][data-date="` + t.Format("2006-01-02") + `"] [data-testid=cal-window]`
	}

	before := s.h.Builds("calendar")
	for _, c := range []*client{rm, qa, rm} {
		res, doc := c.get(month)
		wantStatus(t, res, http.StatusOK)
		if doc.Find(day(start)).Length() != 1 {
			t.Fatal("the window is not on its day")
		}
		if got, _ := doc.Find(`form[action="/logout"] input[name=_csrf]`).Attr("value"); got != c.csrf {
			t.Error("the page carries another reader's CSRF token")
		}
	}
	if _, doc := qa.getHX(month); doc.Find(day(start)).Length() != 1 {
		t.Fatal("the htmx swap lacks the window")
	}
	if got := s.h.Builds("calendar") - before; got != 1 {
		t.Fatalf("the calendar was built %d times for four reads without a commit, want once", got)
	}

	moved := start.AddDate(0, 0, 1)
	s.scheduleWindow(t, rel.ID, gonogo.Window{Start: moved, End: moved.Add(2 * time.Hour)})
	_, doc := rm.get(month)
	if doc.Find(day(moved)).Length() != 1 || doc.Find(day(start)).Length() != 0 {
		t.Fatal("the moved window is not shown on its new day after the commit")
	}
	if got := s.h.Builds("calendar") - before; got != 2 {
		t.Fatalf("the calendar was built %d times, want again after the commit", got)
	}
}

// TestFeedsAreKeptAndAnswer304: the notes feeds and the calendar feed are
// built once between two commits, carry an ETag, answer a reader who has
// the current copy 304 with no body, and a commit that changes what they
// show gives a new body and a new ETag.
func TestFeedsAreKeptAndAnswer304(t *testing.T) {
	s := newServer(t)
	notesFixture(t, s)
	rel := s.mustCreateRelease(t, "payments", "2.5.0")
	start := future(10, 20)
	s.scheduleWindow(t, rel.ID, gonogo.Window{Start: start, End: start.Add(2 * time.Hour)})
	rm := s.signIn(t, "rm")
	stopClock(s)
	for _, tc := range []struct{ kind, path string }{
		{"atom", "/notes.atom"},
		{"atom", "/notes/payments.atom"},
		{"ics", "/calendar.ics"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			before := s.h.Builds(tc.kind)
			res, body := getWith(rm, tc.path, nil)
			wantStatus(t, res, http.StatusOK)
			etag := res.Header.Get("ETag")
			if etag == "" || !strings.HasPrefix(etag, `"`) {
				t.Fatalf("ETag %q", etag)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "private, no-cache" {
				t.Errorf("Cache-Control %q: a feed reader should keep it, and no one else", cc)
			}
			again, body2 := getWith(rm, tc.path, nil)
			if again.Header.Get("ETag") != etag || body2 != body {
				t.Fatal("a second read without a commit differs")
			}
			res, body = getWith(rm, tc.path, map[string]string{"If-None-Match": etag})
			if res.StatusCode != http.StatusNotModified || body != "" {
				t.Fatalf("If-None-Match the current ETag: %d with %d bytes, want 304 and nothing", res.StatusCode, len(body))
			}
			res, _ = getWith(rm, tc.path, map[string]string{"If-None-Match": `"something-older"`})
			wantStatus(t, res, http.StatusOK)
			if got := s.h.Builds(tc.kind) - before; got != 1 {
				t.Fatalf("%s built %d times for four reads without a commit, want once", tc.path, got)
			}
			if tc.kind == "atom" {
				if _, err := time.Parse(http.TimeFormat, again.Header.Get("Last-Modified")); err != nil {
					t.Errorf("Last-Modified %q: %v", again.Header.Get("Last-Modified"), err)
				}
			}
		})
	}

	// Moving 2.5.0's window, and shipping it with notes, changes every feed.
	etags := map[string]string{}
	for _, p := range []string{"/notes.atom", "/notes/payments.atom", "/calendar.ics"} {
		res, _ := getWith(rm, p, nil)
		etags[p] = res.Header.Get("ETag")
	}
	moved := start.AddDate(0, 0, 2)
	s.scheduleWindow(t, rel.ID, gonogo.Window{Start: moved, End: moved.Add(time.Hour)})
	in := gonogo.NotesInput{Title: "Instant payouts", Fixes: "Payouts arrive in seconds."}
	if _, err := s.store.SaveNotes(t.Context(), s.actorOf("po"), rel.ID, in, true); err != nil {
		t.Fatal(err)
	}
	s.setState(t, rel.ID, gonogo.Released)
	for p, old := range etags {
		res, body := getWith(rm, p, map[string]string{"If-None-Match": old})
		wantStatus(t, res, http.StatusOK)
		if res.Header.Get("ETag") == old {
			t.Errorf("%s: the ETag did not change with what it shows", p)
		}
		if strings.HasSuffix(p, ".atom") && !strings.Contains(body, "Instant payouts") {
			t.Errorf("%s does not carry the release shipped since", p)
		}
		if strings.HasSuffix(p, ".ics") {
			cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range cal.Events() {
				at, err := e.DateTimeStart(time.UTC)
				found = found || (err == nil && at.Equal(moved))
			}
			if !found {
				t.Errorf("%s does not carry the moved window", p)
			}
		}
	}
}

// TestKeptFeedsStillAskForTheToken: a feed kept after a reader with a
// personal token read it is never given to a reader without a valid one,
// nor answered 304 to them, and a revoked token stops working at once.
func TestKeptFeedsStillAskForTheToken(t *testing.T) {
	s := newServer(t, func(cfg *handlers.Config) { cfg.PublicNotes = false })
	notesFixture(t, s)
	rm := s.signIn(t, "rm")
	rm.get("/profile")
	res := rm.post("/profile/feed-token", nil)
	wantStatus(t, res, http.StatusOK)
	addresses := feedAddresses(t, parse(t, res))
	tok := feedToken(t, addresses["calendar"])
	stopClock(s)

	anon := s.client(t)
	for _, p := range []string{"/calendar.ics", "/notes.atom", "/notes/payments.atom"} {
		res, _ := getWith(anon, p+"?token="+url.QueryEscape(tok), nil)
		wantStatus(t, res, http.StatusOK)
		etag := res.Header.Get("ETag")
		wantFeedRefused(t, s, anon, p)
		wantFeedRefused(t, s, anon, p+"?token=guess")
		if res, _ := getWith(anon, p, map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a token but with the kept ETag: %d, want 401", p, res.StatusCode)
		}
	}
	res = rm.post("/profile/feed-token/delete", url.Values{"confirm": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	for _, p := range []string{"/calendar.ics", "/notes.atom"} {
		wantFeedRefused(t, s, anon, p+"?token="+url.QueryEscape(tok))
	}
}

// TestNotesSearchIsKeptUntilACommit: a search read twice without a commit
// is answered once from the store, page and htmx swap alike; anonymous
// readers, who see only what shipped, never get the signed-in list; and
// notes published since show at the next read.
func TestNotesSearchIsKeptUntilACommit(t *testing.T) {
	s := newServer(t, func(cfg *handlers.Config) { cfg.PublicNotes = true })
	notesFixture(t, s)
	support := s.signIn(t, "support")
	anon := s.client(t)
	stopClock(s)
	search := "/notes?q=refund"

	before := s.h.Builds("notes")
	for range 2 {
		_, doc := support.get(search)
		if got := entryNames(doc); len(got) != 2 {
			t.Fatalf("signed in, the search finds %v, want the shipped 2.3.1 and 2.4.0 in review", got)
		}
		_, doc = support.getHX(search)
		if got := entryNames(doc); len(got) != 2 {
			t.Fatalf("the htmx swap finds %v", got)
		}
		_, doc = anon.get(search)
		if got := entryNames(doc); len(got) != 1 || got[0] != "payments 2.3.1" {
			t.Fatalf("anonymous, the search finds %v, want only what shipped", got)
		}
	}
	if got := s.h.Builds("notes") - before; got != 2 {
		t.Fatalf("the search was built %d times for six reads by two kinds of reader, want twice", got)
	}

	rel := s.mustCreateRelease(t, "payments", "2.5.0")
	in := gonogo.NotesInput{Title: "Refunds by the hour", Fixes: "Refunds arrive in an hour."}
	if _, err := s.store.SaveNotes(t.Context(), s.actorOf("po"), rel.ID, in, true); err != nil {
		t.Fatal(err)
	}
	_, doc := support.get(search)
	if got := entryNames(doc); len(got) != 3 {
		t.Fatalf("after the notes of 2.5.0 were published the search finds %v", got)
	}
}
