package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/peterhellberg/link"

	"github.com/gonogo/gonogo"
)

// walkReleases lists releases from path the way a client that knows only
// RFC 8288 would: it follows the Link header's rel="next" (read with a
// parser someone else wrote) until there is none, checking on every page
// that the body's next says the same, and returns the ids in the order
// they came and the number of pages.
func (s *testServer) walkReleases(t *testing.T, path, token string, pageMax int) ([]int64, int) {
	t.Helper()
	var ids []int64
	pages := 0
	for next := s.URL + path; next != ""; {
		pages++
		if pages > 1000 {
			t.Fatal("the pages never end")
		}
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res := s.send(t, req).want(t, http.StatusOK)
		rels, _ := res.body["releases"].([]any)
		if len(rels) > pageMax {
			t.Fatalf("%s: %d releases on a page, want at most %d", next, len(rels), pageMax)
		}
		for _, r := range rels {
			ids = append(ids, mustID(t, fmt.Sprint(int64(r.(map[string]any)["id"].(float64)))))
		}
		next = ""
		if l := link.ParseHeader(res.header)["next"]; l != nil {
			u, err := url.Parse(l.URI)
			if err != nil || !u.IsAbs() {
				t.Fatalf("Link next %q is not an absolute URL", l.URI)
			}
			next = l.URI
		}
		if body := res.str("next"); body != next {
			t.Fatalf("body next %q, Link header next %q: they should agree", body, next)
		}
		if next != "" && len(rels) != pageMax {
			t.Fatalf("a page with a next page holds %d releases, want %d", len(rels), pageMax)
		}
	}
	return ids, pages
}

// TestAPIReleasesArePaged: GET /api/v1/releases answers a page, newest
// release first, with a Link header and a next URL when more exist; a
// client that follows them gets every release exactly once, filters kept.
func TestAPIReleasesArePaged(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	var all, web []int64
	for i := range 23 {
		product := "payments"
		if i%3 == 0 {
			product = "web"
		}
		r := s.mustCreateRelease(t, product, fmt.Sprintf("1.%d.0", i))
		all = append(all, r.ID)
		if product == "web" {
			web = append(web, r.ID)
		}
	}
	newestFirst := func(ids []int64) []int64 {
		out := slices.Clone(ids)
		slices.Sort(out)
		slices.Reverse(out)
		return out
	}

	got, pages := s.walkReleases(t, "/api/v1/releases?limit=5", token, 5)
	if !slices.Equal(got, newestFirst(all)) {
		t.Fatalf("walked %v, want every release once, newest first: %v", got, newestFirst(all))
	}
	if pages != 5 {
		t.Fatalf("%d pages of 5 for 23 releases, want 5", pages)
	}
	// The filters stay on every page.
	got, _ = s.walkReleases(t, "/api/v1/releases?product=web&state=draft&limit=2", token, 2)
	if !slices.Equal(got, newestFirst(web)) {
		t.Fatalf("web in draft: walked %v, want %v", got, newestFirst(web))
	}
	got, _ = s.walkReleases(t, "/api/v1/releases?state=go&limit=2", token, 2)
	if len(got) != 0 {
		t.Fatalf("nothing is in go, walked %v", got)
	}
	// A limited token's pages stay on its product.
	got, _ = s.walkReleases(t, "/api/v1/releases?limit=4", s.mustToken(t, "web-ci", "web"), 4)
	if !slices.Equal(got, newestFirst(web)) {
		t.Fatalf("a web token walked %v, want %v", got, newestFirst(web))
	}

	// A release changed or created while a client pages neither repeats
	// nor hides another: the order is by id, which a change leaves alone.
	first := s.call(t, http.MethodGet, "/api/v1/releases?limit=10", token, "").want(t, http.StatusOK)
	s.setState(t, all[0], gonogo.Review) // the oldest, still to come
	s.mustCreateRelease(t, "web", "9.0.0")
	rest, _ := s.walkReleases(t, strings.TrimPrefix(first.str("next"), s.URL), token, 10)
	var seen []int64
	for _, r := range first.body["releases"].([]any) {
		seen = append(seen, int64(r.(map[string]any)["id"].(float64)))
	}
	if seen = append(seen, rest...); !slices.Equal(seen, newestFirst(all)) {
		t.Fatalf("paged across changes: %v, want %v", seen, newestFirst(all))
	}
}

// TestAPIReleasesDefaultLimit: without a limit a page holds 100 releases,
// as the OpenAPI document says, and the last page has no next.
func TestAPIReleasesDefaultLimit(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	for i := range 103 {
		s.mustCreateRelease(t, "payments", fmt.Sprintf("1.%d.0", i))
	}
	res := s.call(t, http.MethodGet, "/api/v1/releases", token, "").want(t, http.StatusOK)
	if n := len(res.body["releases"].([]any)); n != 100 {
		t.Fatalf("a page without a limit holds %d releases, want 100", n)
	}
	if res.str("next") == "" || link.ParseHeader(res.header)["next"] == nil {
		t.Fatalf("no next page after the first 100 of 103: %v", res.header)
	}
	got, pages := s.walkReleases(t, "/api/v1/releases", token, 100)
	if len(got) != 103 || pages != 2 {
		t.Fatalf("walked %d releases in %d pages, want 103 in 2", len(got), pages)
	}
	got, pages = s.walkReleases(t, "/api/v1/releases?limit=500", token, 500)
	if len(got) != 103 || pages != 1 {
		t.Fatalf("limit=500: %d releases in %d pages, want 103 in 1", len(got), pages)
	}
}

// TestAPIReleasesBadPaging: a limit or cursor the API does not take is a
// 400 whose error names the parameter, never a 500 or a silent default.
func TestAPIReleasesBadPaging(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	s.mustCreateRelease(t, "payments", "1.0.0")
	for _, q := range []string{
		"limit=0", "limit=-1", "limit=501", "limit=abc", "limit=", "limit=1.5", "limit=99999999999999999999",
		"cursor=abc", "cursor=0", "cursor=-3", "cursor=", "cursor=1e3", "cursor=99999999999999999999",
		"limit=5&limit=6", "cursor=4&cursor=5",
	} {
		res := s.call(t, http.MethodGet, "/api/v1/releases?"+q, token, "").want(t, http.StatusBadRequest)
		name, _, _ := strings.Cut(q, "=")
		if msg := res.str("error"); !strings.Contains(msg, name) {
			t.Errorf("%s: error %q does not name %s", q, msg, name)
		}
		if r := res.list("reasons"); len(r) != 1 || !strings.HasPrefix(r[0], name+": ") {
			t.Errorf("%s: reasons %v, want one for %s", q, r, name)
		}
	}
	// A cursor past every release is an empty last page, not an error.
	res := s.call(t, http.MethodGet, "/api/v1/releases?cursor=1", token, "").want(t, http.StatusOK)
	if len(res.body["releases"].([]any)) != 0 || res.str("next") != "" || res.header.Get("Link") != "" {
		t.Fatalf("past the end: %v %v", res.body, res.header)
	}
}
