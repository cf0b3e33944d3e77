package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// weakTag is the shape of a page's validator: weak, 64 bits in hex.
var weakTag = regexp.MustCompile(`^W/"[0-9a-f]{16}"$`)

// ask sends method to path with headers, as c, and returns the answer
// and its body.
func ask(c *client, method, path string, headers map[string]string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.srv.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res := c.do(req)
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// validated fetches path as c and returns its ETag, failing unless the
// answer is a 200 the browser may keep for its viewer and must validate.
func validated(t *testing.T, c *client, path string, headers map[string]string) (string, string) {
	t.Helper()
	res, body := ask(c, http.MethodGet, path, headers)
	wantStatus(t, res, http.StatusOK)
	etag := res.Header.Get("ETag")
	if !weakTag.MatchString(etag) {
		t.Fatalf("%s: ETag %q, want a weak tag of 16 hex digits", path, etag)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Fatalf("%s: Cache-Control %q, want private, no-cache", path, cc)
	}
	if !varies(res, "HX-Request") {
		t.Fatalf("%s: Vary %q lacks HX-Request", path, res.Header.Values("Vary"))
	}
	return etag, body
}

func varies(res *http.Response, name string) bool {
	for _, v := range res.Header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// wantNotModified fails unless res is a 304 with no body that still says
// how it may be kept.
func wantNotModified(t *testing.T, res *http.Response, body, etag string) {
	t.Helper()
	if res.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("%d with %d bytes, want 304 and no body", res.StatusCode, len(body))
	}
	if got := res.Header.Get("ETag"); got != etag {
		t.Errorf("304 ETag %q, want %q", got, etag)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("304 Cache-Control %q, want private, no-cache", cc)
	}
	if !varies(res, "HX-Request") {
		t.Errorf("304 Vary %q lacks HX-Request", res.Header.Values("Vary"))
	}
}

// TestPageETagRevalidates: a signed-in page carries the hash of what it
// shows; asked again with it, and nothing changed, the answer is a 304
// without a body, to a GET and to a HEAD.
func TestPageETagRevalidates(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	stopClock(s)
	rm := s.signIn(t, "rm")
	for _, path := range []string{"/", "/releases/" + itoa(rel.ID), "/defects", "/profile"} {
		t.Run(path, func(t *testing.T) {
			etag, body := validated(t, rm, path, nil)
			again, body2 := validated(t, rm, path, nil)
			if again != etag || body2 != body {
				t.Fatalf("the same page twice: %s then %s", etag, again)
			}
			res, b := ask(rm, http.MethodGet, path, map[string]string{"If-None-Match": etag})
			wantNotModified(t, res, b, etag)
			res, b = ask(rm, http.MethodHead, path, map[string]string{"If-None-Match": etag})
			wantNotModified(t, res, b, etag)
			res, b = ask(rm, http.MethodGet, path, map[string]string{"If-None-Match": `W/"0123456789abcdef"`})
			if res.StatusCode != http.StatusOK || b != body {
				t.Fatalf("another tag: %d, want 200 and the page", res.StatusCode)
			}
		})
	}
}

// TestETagWeakComparison: If-None-Match is compared weakly and may list
// tags (RFC 9110 13.1.2, 13.1.2): the page's tag matches in any place of
// a list, with or without W/, and * matches any page there is.
func TestETagWeakComparison(t *testing.T) {
	s := newServer(t)
	stopClock(s)
	rm := s.signIn(t, "rm")
	etag, _ := validated(t, rm, "/", nil)
	opaque := strings.TrimPrefix(etag, "W/")
	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{"the tag", etag, http.StatusNotModified},
		{"the tag, strong", opaque, http.StatusNotModified},
		{"last of a list", `"a", W/"b",` + etag, http.StatusNotModified},
		{"first of a list", etag + `, "a"`, http.StatusNotModified},
		{"after a tag holding a comma", `"a,b", ` + opaque, http.StatusNotModified},
		{"any", "*", http.StatusNotModified},
		{"another", `W/"0000000000000000"`, http.StatusOK},
		{"the tag's digits unquoted", strings.Trim(opaque, `"`), http.StatusOK},
		{"inside another tag", `"x` + strings.Trim(opaque, `"`) + `"`, http.StatusOK},
		{"after a malformed tag", `W/x, ` + etag, http.StatusOK},
		{"empty", "", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.header != "" {
				h["If-None-Match"] = tc.header
			}
			res, body := ask(rm, http.MethodGet, "/", h)
			if res.StatusCode != tc.want {
				t.Fatalf("If-None-Match %q: %d, want %d", tc.header, res.StatusCode, tc.want)
			}
			if tc.want == http.StatusOK && !strings.Contains(body, `data-testid="board"`) {
				t.Fatalf("If-None-Match %q: 200 without the board", tc.header)
			}
		})
	}
}

// TestNoStoreWhereNothingIsValidated: what no one signed in reads, errors,
// redirects, answers to changes and the API are never kept, and never
// answered 304, whatever the request says it holds.
func TestNoStoreWhereNothingIsValidated(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	token := s.mustToken(t, "ci", "")
	anon := s.client(t)
	qa := s.signIn(t, "qa")
	anyTag := map[string]string{"If-None-Match": "*"}
	check := func(t *testing.T, what string, res *http.Response, status int) {
		t.Helper()
		wantStatus(t, res, status)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
		}
		if tag := res.Header.Get("ETag"); tag != "" {
			t.Errorf("%s: ETag %q, want none", what, tag)
		}
	}
	res, _ := ask(anon, http.MethodGet, "/login", anyTag)
	check(t, "the sign-in page", res, http.StatusOK)
	res, _ = ask(anon, http.MethodGet, "/", anyTag)
	check(t, "the board, signed out", res, http.StatusSeeOther)
	res, _ = ask(qa, http.MethodGet, "/releases/999999", anyTag)
	check(t, "a missing release", res, http.StatusNotFound)
	res, _ = ask(qa, http.MethodGet, "/releases/999999", map[string]string{"If-None-Match": "*", "HX-Request": "true"})
	check(t, "a missing release's fragment", res, http.StatusNotFound)
	res = qa.postRaw("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}},
		map[string]string{"HX-Request": "true", "X-CSRF-Token": qa.csrf, "If-None-Match": "*"})
	check(t, "the answer to a change", res, http.StatusOK)
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/releases", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("If-None-Match", "*")
	api := s.send(t, req)
	if api.status != http.StatusOK || api.header.Get("Cache-Control") != "no-store" || api.header.Get("ETag") != "" {
		t.Errorf("the API: %d, Cache-Control %q, ETag %q; want 200, no-store and none",
			api.status, api.header.Get("Cache-Control"), api.header.Get("ETag"))
	}
}

// TestETagFollowsTheViewer: the tag is of what the viewer is shown, so
// two people with different abilities get different tags for one address,
// the one's tag earns the other no 304, and a person whose role is taken
// away mid-session is shown the page without its buttons.
func TestETagFollowsTheViewer(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	stopClock(s)
	path := "/releases/" + itoa(rel.ID)
	rm, qa := s.signIn(t, "rm"), s.signIn(t, "qa")
	rmTag, rmBody := validated(t, rm, path, nil)
	qaTag, qaBody := validated(t, qa, path, nil)
	edit := func(body string) int {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return doc.Find(`[data-testid=edit-release]`).Length()
	}
	if edit(rmBody) != 1 || edit(qaBody) != 0 {
		t.Fatalf("edit buttons: release manager %d, QA lead %d; want 1 and 0", edit(rmBody), edit(qaBody))
	}
	if rmTag == qaTag {
		t.Fatalf("both viewers got %s for different pages", rmTag)
	}
	res, body := ask(qa, http.MethodGet, path, map[string]string{"If-None-Match": rmTag})
	if res.StatusCode != http.StatusOK || edit(body) != 0 {
		t.Fatalf("the QA lead with the release manager's tag: %d, %d edit buttons; want 200 and none", res.StatusCode, edit(body))
	}

	none := gonogo.RoleSet{}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["rm"].ID, db.UserUpdate{Roles: &none}); err != nil {
		t.Fatal(err)
	}
	res, body = ask(rm, http.MethodGet, path, map[string]string{"If-None-Match": rmTag})
	if res.StatusCode != http.StatusOK || edit(body) != 0 {
		t.Fatalf("after losing the role, with the old tag: %d, %d edit buttons; want 200 and none", res.StatusCode, edit(body))
	}
	if res.Header.Get("ETag") == rmTag {
		t.Fatal("the tag did not change with the viewer's abilities")
	}
}

// TestFragmentAndPageETagsDiffer: htmx's fragment and the whole page share
// an address; they have different tags, so the one's tag earns the other
// no 304.
func TestFragmentAndPageETagsDiffer(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	stopClock(s)
	rm := s.signIn(t, "rm")
	hx := map[string]string{"HX-Request": "true"}
	page, _ := validated(t, rm, "/", nil)
	frag, fragBody := validated(t, rm, "/", hx)
	if page == frag {
		t.Fatalf("page and fragment share the tag %s", page)
	}
	if strings.Contains(fragBody, "<html") {
		t.Fatal("the fragment is a whole page")
	}
	res, body := ask(rm, http.MethodGet, "/", map[string]string{"HX-Request": "true", "If-None-Match": page})
	if res.StatusCode != http.StatusOK || body != fragBody {
		t.Fatalf("the fragment with the page's tag: %d, want 200 and the fragment", res.StatusCode)
	}
	res, body = ask(rm, http.MethodGet, "/", map[string]string{"If-None-Match": frag})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
		t.Fatalf("the page with the fragment's tag: %d, want 200 and the page", res.StatusCode)
	}
}

// TestLiveRefetchByETag: what the live layer fetches again when its
// stream says something changed (the board's body, a card, a release
// page's parts) is answered 304 while it is the same, and with the new
// content once a change shows in it.
func TestLiveRefetchByETag(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	item := s.mustItem(t, rel.ID, "Static analysis clean")
	stopClock(s)
	rm := s.signIn(t, "rm")
	hx := map[string]string{"HX-Request": "true"}
	cards := "/releases/" + itoa(rel.ID) + "/card"
	for _, tc := range []struct {
		name, path string
		change     func(t *testing.T)
		shows      func(doc *goquery.Document) string
	}{
		{"board after a tick", "/?state=review", func(t *testing.T) {
			res := rm.postHX("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}})
			wantStatus(t, res, http.StatusOK)
		}, func(doc *goquery.Document) string {
			return text(doc, `[data-release="payments 2.4.0"] [data-testid=pillar-technical] [data-testid=pillar-count]`)
		}},
		{"card after a vote", cards, func(t *testing.T) {
			s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
		}, func(doc *goquery.Document) string { return text(doc, `[data-testid=release-card]`) }},
		{"release parts after a vote", "/releases/" + itoa(rel.ID) + "/sync?kind=vote", func(t *testing.T) {
			s.vote(t, rel.ID, "eng", gonogo.EngineeringLead, gonogo.VoteNoGo, "flaky smoke test")
		}, func(doc *goquery.Document) string { return text(doc, `body`) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			etag, body := validated(t, rm, tc.path, hx)
			before := tc.shows(parseText(t, body))
			res, b := ask(rm, http.MethodGet, tc.path, map[string]string{"HX-Request": "true", "If-None-Match": etag})
			wantNotModified(t, res, b, etag)
			tc.change(t)
			res, b = ask(rm, http.MethodGet, tc.path, map[string]string{"HX-Request": "true", "If-None-Match": etag})
			wantStatus(t, res, http.StatusOK)
			if now := res.Header.Get("ETag"); now == etag || !weakTag.MatchString(now) {
				t.Fatalf("after the change: ETag %q, was %q", now, etag)
			}
			if after := tc.shows(parseText(t, b)); after == before {
				t.Fatalf("after the change it still shows %q", after)
			}
		})
	}
}

func parseText(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSignOutClearsTheCache: signing out tells the browser to drop what
// it kept of this site, by a form and by htmx alike.
func TestSignOutClearsTheCache(t *testing.T) {
	s := newServer(t)
	for _, hx := range []bool{false, true} {
		qa := s.signIn(t, "qa")
		h := map[string]string{}
		if hx {
			h = map[string]string{"HX-Request": "true", "X-CSRF-Token": qa.csrf}
		}
		res := qa.postRaw("/logout", url.Values{"_csrf": {qa.csrf}}, h)
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusNoContent {
			t.Fatalf("sign out (htmx %t): %d", hx, res.StatusCode)
		}
		if got := res.Header.Get("Clear-Site-Data"); got != `"cache"` {
			t.Errorf("sign out (htmx %t): Clear-Site-Data %q, want \"cache\"", hx, got)
		}
		if res, _ := ask(qa, http.MethodGet, "/", map[string]string{"If-None-Match": "*"}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("the board after sign-out, claiming to hold it: %d, want 303 to sign in", res.StatusCode)
		}
	}
}
