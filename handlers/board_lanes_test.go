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

// mustReleases creates n drafts of product, oldest first.
func (s *testServer) mustReleases(t *testing.T, product string, n int) []gonogo.Release {
	t.Helper()
	out := make([]gonogo.Release, n)
	for i := range n {
		out[i] = s.mustCreateRelease(t, product, fmt.Sprintf("1.%d.0", i))
	}
	return out
}

// laneNames are the releases of the cards under sel, in page order.
func laneNames(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel + ` [data-testid=release-card]`).Each(func(_ int, c *goquery.Selection) {
		out = append(out, c.AttrOr("data-release", ""))
	})
	return out
}

// boardLink parses a board address a link gives, failing unless it is one.
func boardLink(t *testing.T, s *goquery.Selection, what string) url.Values {
	t.Helper()
	if s.Length() != 1 {
		t.Fatalf("the page has %d %s links, want 1", s.Length(), what)
	}
	u, err := url.Parse(s.AttrOr("href", ""))
	if err != nil || u.Path != "/" {
		t.Fatalf("the %s link goes to %q, want the board", what, s.AttrOr("href", ""))
	}
	return u.Query()
}

// wantQuery checks that a board address says exactly want.
func wantQuery(t *testing.T, what string, got url.Values, want map[string]string) {
	t.Helper()
	for k := range got {
		if _, ok := want[k]; !ok && got.Get(k) != "" {
			t.Errorf("the %s link says %s=%q, which the board did not", what, k, got.Get(k))
		}
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("the %s link says %s=%q, want %q", what, k, got.Get(k), v)
		}
	}
}

// The board shows each column's first cards only, a fixed number of them,
// counting every card in the column's header and linking to the rest: a
// board of ten years of releases, or of two hundred on their way, stays a
// page a browser shows at once. One state's lane shows all its cards, a
// page at a time.
func TestBoardLanes(t *testing.T) {
	s := newServer(t)
	drafts := s.mustReleases(t, "payments", handlers.LanePageSize+5)
	for _, r := range drafts[len(drafts)-handlers.LaneCap-1:] {
		if _, err := s.store.CreateDefects(t.Context(), gonogo.SystemActor, r.ID, []gonogo.DefectInput{{Title: "Refunds fail", Severity: gonogo.Blocker}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range s.mustReleases(t, "mobile", 2) {
		s.setState(t, r.ID, gonogo.Review)
	}
	shipped := s.mustReleases(t, "storefront", handlers.LaneCap+2)
	for _, r := range shipped {
		s.setState(t, r.ID, gonogo.Released)
	}
	s.mustScopedUser(t, "paula", gonogo.Grant{Role: gonogo.QALead, Product: "payments"})
	po := s.signIn(t, "po")

	// Every draft, in the order the lane shows them, page after page.
	_, first := po.get("/?state=draft")
	lane := laneNames(first, `[data-testid=column-draft]`)

	t.Run("a column shows the cap and links to the rest", func(t *testing.T) {
		res, doc := po.get("/")
		wantStatus(t, res, http.StatusOK)
		col := doc.Find(`[data-testid=column-draft]`)
		got := laneNames(doc, `[data-testid=column-draft]`)
		if len(got) != handlers.LaneCap {
			t.Fatalf("the draft column shows %d cards, want %d", len(got), handlers.LaneCap)
		}
		if len(lane) >= handlers.LaneCap && !slices.Equal(got, lane[:handlers.LaneCap]) {
			t.Errorf("the draft column shows %v, want the lane's first %d: %v", got, handlers.LaneCap, lane[:handlers.LaneCap])
		}
		if n := strings.TrimSpace(col.Find(`h2 .count`).Text()); n != itoa(int64(len(drafts))) {
			t.Errorf("the draft column's header counts %s, want every draft: %d", n, len(drafts))
		}
		more := col.Find(`[data-testid=lane-more-draft]`)
		if want := fmt.Sprintf("%d more in Draft", len(drafts)-handlers.LaneCap); strings.Join(strings.Fields(more.Text()), " ") != want {
			t.Errorf("the draft column's link says %q, want %q", more.Text(), want)
		}
		wantQuery(t, "more drafts", boardLink(t, more, "more drafts"), map[string]string{"state": "draft"})
		// A hidden card is not on the page, and nothing on it waits for
		// its live updates: a change to it redraws nothing.
		hidden := drafts[0]
		if doc.Find(fmt.Sprintf(`#card-%d, [data-sse-swap="card-%d"]`, hidden.ID, hidden.ID)).Length() != 0 {
			t.Errorf("the board carries the card of %s, which the cap hides", hidden.Name())
		}
		review := doc.Find(`[data-testid=column-review]`)
		if n := review.Find(`[data-testid=release-card]`).Length(); n != 2 {
			t.Errorf("the review column shows %d cards, want 2", n)
		}
		if review.Find(`[data-testid=lane-more-review]`).Length() != 0 {
			t.Errorf("the review column, under its cap, links to more")
		}
	})

	t.Run("the link keeps the board's filters", func(t *testing.T) {
		tests := []struct {
			name, who, path string
			want            map[string]string
			more            int
		}{
			{"product", "po", "/?product=payments", map[string]string{"product": "payments", "state": "draft"}, len(drafts) - handlers.LaneCap},
			{"blocking defects", "po", "/?blocking=1", map[string]string{"blocking": "1", "state": "draft"}, 1},
			{"my products", "paula", "/", map[string]string{"mine": "1", "state": "draft"}, len(drafts) - handlers.LaneCap},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, doc := s.signIn(t, tc.who).get(tc.path)
				if n := doc.Find(`[data-testid=column-draft] [data-testid=release-card]`).Length(); n != handlers.LaneCap {
					t.Errorf("the draft column shows %d cards, want %d", n, handlers.LaneCap)
				}
				more := doc.Find(`[data-testid=lane-more-draft]`)
				if !strings.HasPrefix(strings.TrimSpace(more.Text()), fmt.Sprintf("%d more", tc.more)) {
					t.Errorf("the link says %q, want %d more", more.Text(), tc.more)
				}
				wantQuery(t, "more drafts", boardLink(t, more, "more drafts"), tc.want)
			})
		}
	})

	t.Run("one state's lane is paged", func(t *testing.T) {
		if len(lane) != handlers.LanePageSize {
			t.Fatalf("the draft lane's first page shows %d cards, want %d", len(lane), handlers.LanePageSize)
		}
		if n := strings.TrimSpace(first.Find(`[data-testid=column-draft] h2 .count`).Text()); n != itoa(int64(len(drafts))) {
			t.Errorf("the draft lane's header counts %s, want %d", n, len(drafts))
		}
		if first.Find(`[data-testid=lane-earlier]`).Length() != 0 {
			t.Errorf("the first page links to an earlier one")
		}
		later := boardLink(t, first.Find(`[data-testid=lane-later]`), "later")
		wantQuery(t, "later", later, map[string]string{"state": "draft", "page": "2"})
		res, second := po.get("/?" + later.Encode())
		wantStatus(t, res, http.StatusOK)
		rest := laneNames(second, `[data-testid=column-draft]`)
		if len(rest) != len(drafts)-handlers.LanePageSize {
			t.Errorf("the second page shows %d cards, want %d", len(rest), len(drafts)-handlers.LanePageSize)
		}
		var want []string
		for _, r := range drafts {
			want = append(want, r.Name())
		}
		all := append(slices.Clone(lane), rest...)
		slices.Sort(all)
		slices.Sort(want)
		if !slices.Equal(all, want) {
			t.Errorf("the two pages show %v, want every draft once: %v", all, want)
		}
		if second.Find(`[data-testid=lane-later]`).Length() != 0 {
			t.Errorf("the last page links to a later one")
		}
		wantQuery(t, "earlier", boardLink(t, second.Find(`[data-testid=lane-earlier]`), "earlier"), map[string]string{"state": "draft"})
		// The live board redraws the page it shows.
		live, err := url.Parse(second.Find(`#board`).AttrOr("data-hx-get", ""))
		if err != nil || live.Query().Get("page") != "2" || live.Query().Get("state") != "draft" {
			t.Errorf("the second page redraws itself from %q, want its own address", second.Find(`#board`).AttrOr("data-hx-get", ""))
		}
	})

	t.Run("the closed lane is capped too", func(t *testing.T) {
		_, doc := po.get("/")
		closed := doc.Find(`[data-testid=closed-lane]`)
		if n := closed.Find(`[data-testid=release-card]`).Length(); n != handlers.LaneCap {
			t.Errorf("the closed lane shows %d cards, want %d", n, handlers.LaneCap)
		}
		if n := strings.TrimSpace(closed.Find(`summary .count`).Text()); n != itoa(int64(len(shipped))) {
			t.Errorf("the closed lane counts %s, want %d", n, len(shipped))
		}
		more := closed.Find(`[data-testid=lane-more-released]`)
		if !strings.HasPrefix(strings.TrimSpace(more.Text()), "2 more") {
			t.Errorf("the closed lane's link says %q, want 2 more", more.Text())
		}
		wantQuery(t, "more released", boardLink(t, more, "more released"), map[string]string{"state": "released"})
		res, doc := po.get("/?state=released")
		wantStatus(t, res, http.StatusOK)
		lane := doc.Find(`[data-testid=closed-lane]`)
		if n := lane.Find(`[data-testid=release-card]`).Length(); n != len(shipped) {
			t.Errorf("the released lane shows %d cards, want %d", n, len(shipped))
		}
		if _, open := lane.Attr("open"); !open {
			t.Errorf("the released lane, asked for by state, is folded")
		}
	})
}

// A page of a lane is a number from 1: anything else is refused with a
// message, a page past the lane's end is its last one, and the whole board
// has no pages.
func TestBoardLanePageInput(t *testing.T) {
	s := newServer(t)
	s.mustReleases(t, "payments", 3)
	c := s.signIn(t, "po")
	for _, page := range []string{"abc", "-1", "0", "1.5", "99999999999999999999999", ""} {
		t.Run("page="+page, func(t *testing.T) {
			res, doc := c.get("/?state=draft&page=" + url.QueryEscape(page))
			if page == "" {
				wantStatus(t, res, http.StatusOK)
				return
			}
			if res.StatusCode < 400 || res.StatusCode >= 500 {
				t.Fatalf("page=%s answers %d, want a 4xx", page, res.StatusCode)
			}
			if msg := text(doc, `[data-testid=error-message]`); !strings.Contains(msg, "page") {
				t.Errorf("page=%s is refused with %q, which does not say what is wrong", page, msg)
			}
		})
	}
	t.Run("a page of the whole board", func(t *testing.T) {
		res, doc := c.get("/?page=2")
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Fatalf("/?page=2 answers %d, want a 4xx", res.StatusCode)
		}
		if msg := text(doc, `[data-testid=error-message]`); !strings.Contains(msg, "state") {
			t.Errorf("/?page=2 is refused with %q, which does not say to choose a state", msg)
		}
	})
	t.Run("past the end", func(t *testing.T) {
		for _, path := range []string{"/?state=draft&page=2", "/?state=draft&page=9000"} {
			res, _ := c.get(path)
			wantStatus(t, res, http.StatusSeeOther)
			u, err := url.Parse(res.Header.Get("Location"))
			if err != nil || u.Path != "/" {
				t.Fatalf("%s sends to %q, want the board", path, res.Header.Get("Location"))
			}
			wantQuery(t, "last page", u.Query(), map[string]string{"state": "draft"})
		}
	})
	t.Run("page 1 is the lane", func(t *testing.T) {
		res, doc := c.get("/?state=draft&page=1")
		wantStatus(t, res, http.StatusOK)
		if n := doc.Find(`[data-testid=column-draft] [data-testid=release-card]`).Length(); n != 3 {
			t.Errorf("page 1 shows %d cards, want 3", n)
		}
	})
}
