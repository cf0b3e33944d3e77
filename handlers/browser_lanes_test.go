package handlers_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// TestBrowserBoardLanes: a live board with more releases in a state than
// its column shows takes a change to a release it hides without trouble
// (no card appears, the counts stay, the next change still arrives), and
// a reader follows the column's link to the state's lane and pages it by
// keyboard, the board swapped in place.
func TestBrowserBoardLanes(t *testing.T) {
	s := newServer(t)
	s.mustReleases(t, "payments", handlers.LanePageSize+3)
	reviews := s.mustReleases(t, "mobile", handlers.LaneCap+1)
	for _, r := range reviews {
		s.move(t, r.ID, gonogo.OpenReview)
	}
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "support")
	must(t, ctx, laptop(), chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=lane-more-review]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	screenshot(t, ctx, "lanes-board-laptop")
	shown := func() int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=column-review] [data-testid=release-card]").length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := shown(); n != handlers.LaneCap {
		t.Fatalf("the review column shows %d cards, want %d", n, handlers.LaneCap)
	}
	hidden, visible := reviews[0], reviews[len(reviews)-1]
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById("card-%d") === null && document.getElementById("card-%d") !== null`, hidden.ID, visible.ID))); !ok {
		t.Fatalf("the column does not show the newest review and hide the oldest")
	}
	waitStreams(t, s, 1)

	s.vote(t, hidden.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	badge := fmt.Sprintf(`#card-%d [data-testid=gate-badge]`, visible.ID)
	before := textOf(t, ctx, badge)
	s.vote(t, visible.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	js := fmt.Sprintf(`document.querySelector(%q).textContent.trim() !== %q`, badge, before)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("after a change to a hidden release, a shown card no longer updates: it still says %q", before)
	}
	if n := shown(); n != handlers.LaneCap {
		t.Errorf("after the changes the review column shows %d cards, want %d", n, handlers.LaneCap)
	}
	if got := textOf(t, ctx, `[data-testid=column-review] h2 .count`); got != strconv.Itoa(len(reviews)) {
		t.Errorf("after the changes the review column counts %s, want %d", got, len(reviews))
	}
	if same, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`)); !same {
		t.Fatal("the board reloaded")
	}
	must(t, ctx, phone())
	screenshot(t, ctx, "lanes-board-phone")

	// To the draft lane by its link, then to its second page by keyboard;
	// the notices of the votes go first, not to stand over the link.
	evalTrue(t, ctx, `document.querySelectorAll("#live > *").length === 0`)
	must(t, ctx, laptop(), chromedp.Click(chromedp.CSS(`[data-testid=lane-more-draft]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=lane-later]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	if got := textOf(t, ctx, `[data-testid=lane-nav]`); !strings.Contains(got, "Page 1 of 2") {
		t.Errorf("the draft lane's pages say %q", got)
	}
	must(t, ctx, chromedp.Focus(chromedp.CSS(`[data-testid=lane-later]`)), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=lane-earlier]`)))
	settled(t, ctx)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search + " " + document.querySelectorAll("[data-testid=column-draft] [data-testid=release-card]").length + " " + (window.__sameDocument === true) + " " + document.querySelector("[data-testid=filter-state]").value`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "?page=2&state=draft 3 true draft"; got != want {
		t.Errorf("the second page is %q (address, cards, swapped in place, state filter), want %q", got, want)
	}
	screenshot(t, ctx, "lanes-page-2-laptop")
	must(t, ctx, phone())
	screenshot(t, ctx, "lanes-page-2-phone")
}
