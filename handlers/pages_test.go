package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// signers are the test users who sign for each role.
var signers = []struct {
	name string
	role gonogo.Role
}{{"po", gonogo.ProductOwner}, {"eng", gonogo.EngineeringLead}, {"qa", gonogo.QALead},
	{"ops", gonogo.Ops}, {"support", gonogo.SupportLead}, {"rm", gonogo.ReleaseManager}}

// longRelease makes a release in its second review cycle with a long past:
// votes1 votes in the first cycle, a No-Go, votes2 in the second, and
// comments in it, every fifth a reply to the very first. Each leaves its
// event in the history.
func (s *testServer) longRelease(t *testing.T, version string, votes1, votes2, comments int) gonogo.Release {
	t.Helper()
	rel := s.mustCreateRelease(t, "payments", version)
	s.move(t, rel.ID, gonogo.OpenReview)
	castVotes := func(n int) {
		for i := range n {
			sg := signers[i%len(signers)]
			s.vote(t, rel.ID, sg.name, sg.role, gonogo.VoteGo, fmt.Sprintf("vote %d", i))
		}
	}
	castVotes(votes1)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "Not yet."})
	s.move(t, rel.ID, gonogo.Reopen)
	castVotes(votes2)
	var first int64
	for i := range comments {
		a := s.actorOf(signers[i%len(signers)].name)
		in := gonogo.CommentInput{Body: fmt.Sprintf("Comment %d: the smoke run looks fine on [the dashboard](https://grafana.example.com/d/%d).", i, i)}
		parent := int64(0)
		if i%5 == 4 {
			parent = first
		}
		in.ParentID = parent
		c, err := s.store.AddComment(t.Context(), a, rel.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = c.ID
		}
	}
	return rel
}

// pageIDs follows a list's older links from the first page to its last,
// and returns the ids of the items the pages showed, page by page.
func pageIDs(t *testing.T, c *client, first, list, item, attr string) [][]string {
	t.Helper()
	var pages [][]string
	for next := first; next != ""; {
		_, doc := c.get(next)
		var ids []string
		doc.Find(list + " " + item).Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr(attr)
			ids = append(ids, id)
		})
		pages = append(pages, ids)
		if len(pages) > 100 {
			t.Fatalf("%s: more than 100 pages: the older links go round", list)
		}
		next, _ = doc.Find(list + " [data-testid=older-link]").Attr("href")
	}
	return pages
}

func TestReleasePageIsBounded(t *testing.T) {
	s := newServer(t)
	small := s.longRelease(t, "1.0.0", 6, 14, 20)
	big := s.longRelease(t, "2.0.0", 100, 200, 300)
	events, _ := s.store.FindReleaseEvents(t.Context(), big.ID, 10000)
	if len(events) < 500 {
		t.Fatalf("the big release has only %d events", len(events))
	}
	rm := s.signIn(t, "rm")

	res, smallBody := rm.getText("/releases/" + itoa(small.ID))
	wantStatus(t, res, http.StatusOK)
	page := "/releases/" + itoa(big.ID)
	res, bigBody := rm.getText(page)
	wantStatus(t, res, http.StatusOK)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(bigBody))
	for _, tc := range []struct {
		what string
		sel  string
		max  int
	}{
		{"events", "#history [data-testid=event]", 50},
		{"comments", "#discussion [data-testid=comment]", 30},
		{"earlier votes", "#signoffs [data-testid=earlier-vote]", 6 * 10},
	} {
		if n := doc.Find(tc.sel).Length(); n == 0 || n > tc.max {
			t.Errorf("the page shows %d %s, want 1 to %d", n, tc.what, tc.max)
		}
	}
	doc.Find("#signoffs [data-testid=signoff]").Each(func(_ int, row *goquery.Selection) {
		if n := row.Find("[data-testid=earlier-vote]").Length(); n > 10 {
			t.Errorf("%s shows %d earlier votes", row.AttrOr("data-role", "?"), n)
		}
	})
	t.Logf("release page: %d bytes with 20 comments and 20 votes, %d bytes with 300 and 300 and %d events", len(smallBody), len(bigBody), len(events))
	if len(bigBody) > len(smallBody)*3/2 {
		t.Errorf("the page weighs %d bytes after a long review, %d after a short one", len(bigBody), len(smallBody))
	}

	// The older pages, followed as plain links, show every event and
	// every comment of the cycle once, newest page first.
	evPages := pageIDs(t, rm, page, "#history", "[data-testid=event]", "data-id")
	seen := map[string]bool{}
	for _, p := range evPages {
		if len(p) > 50 {
			t.Errorf("a page of history shows %d events", len(p))
		}
		for _, id := range p {
			if seen[id] {
				t.Errorf("event %s is on two pages", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != len(events) {
		t.Errorf("the history's pages show %d events of %d", len(seen), len(events))
	}

	comments, _ := s.store.FindComments(t.Context(), big.ID, 2)
	cmPages := pageIDs(t, rm, page, "#discussion", "[data-testid=comment]", "id")
	seen = map[string]bool{}
	for _, p := range cmPages {
		if len(p) > 30 {
			t.Errorf("a page of the discussion shows %d comments", len(p))
		}
		for _, id := range p {
			if seen[id] {
				t.Errorf("%s is on two pages", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != len(comments) || len(cmPages) != 10 {
		t.Errorf("the discussion's %d pages show %d comments of %d", len(cmPages), len(seen), len(comments))
	}
	// The newest page holds the newest comment, and the oldest starts with
	// the first: each page reads oldest first, like the discussion.
	if !slices.Contains(cmPages[0], "comment-"+itoa(comments[len(comments)-1].ID)) {
		t.Errorf("the newest page lacks the newest comment")
	}
	oldest := cmPages[len(cmPages)-1]
	if oldest[0] != "comment-"+itoa(comments[0].ID) {
		t.Errorf("the oldest page starts with %s", oldest[0])
	}
	// Replies to the first comment on later pages are shown under a link
	// to the page where their thread starts.
	_, doc = rm.get(page)
	start, _ := doc.Find("#discussion [data-testid=thread-start]").Attr("href")
	if !strings.HasSuffix(start, "#comment-"+itoa(comments[0].ID)) {
		t.Fatalf("the replies' thread starts at %q", start)
	}
	_, doc = rm.get(start)
	if doc.Find("#comment-"+itoa(comments[0].ID)).Length() != 1 {
		t.Errorf("%s does not show the thread's first comment", start)
	}

	// The QA lead voted 33 times in this cycle: 32 earlier votes, on four pages.
	qaVotes := 0
	for next := page; next != ""; {
		_, d := rm.get(next)
		row := d.Find("#role-qa-lead")
		qaVotes += row.Find("[data-testid=earlier-vote]").Length()
		next, _ = row.Find("[data-testid=older-link]").Attr("href")
	}
	if qaVotes != 32 {
		t.Errorf("the QA lead's pages show %d earlier votes, want 32", qaVotes)
	}
}

func TestReleasePageListsPageWithHTMX(t *testing.T) {
	s := newServer(t)
	rel := s.longRelease(t, "2.0.0", 0, 90, 70)
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	_, doc := rm.get(page)

	for _, tc := range []struct{ list, in, item string }{
		{"history", "#history", "[data-testid=event]"},
		{"discussion", "#discussion", "[data-testid=comment]"},
		{"signoffs", "#role-qa-lead", "[data-testid=earlier-vote]"},
	} {
		link := doc.Find(tc.in + " [data-testid=older-link]").First()
		href, _ := link.Attr("href")
		get, _ := link.Attr("data-hx-get")
		if href == "" || !strings.HasPrefix(href, get+"#") || link.AttrOr("data-hx-target", "") != "#"+tc.list ||
			link.AttrOr("data-hx-push-url", "") != "true" {
			t.Fatalf("%s: the older link is %q, data-hx-get %q, data-hx-target %q", tc.list, href, get, link.AttrOr("data-hx-target", ""))
		}
		// The plain page and the htmx fragment show the same older page.
		_, full := rm.get(href)
		req, _ := http.NewRequest(http.MethodGet, s.URL+get, nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", tc.list)
		req.Header.Set("HX-Current-URL", s.URL+page)
		res := rm.do(req)
		wantStatus(t, res, http.StatusOK)
		frag := parse(t, res)
		if frag.Find("#"+tc.list).Length() != 1 || frag.Find("#gate").Length() != 0 || frag.Find("title").Length() != 0 {
			t.Fatalf("%s: the answer to htmx is not the list alone", tc.list)
		}
		want, got := itemTexts(full.Find(tc.in+" "+tc.item)), itemTexts(frag.Find(tc.in+" "+tc.item))
		if len(want) == 0 || strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("%s: the fragment shows %d items, the page %d, or others", tc.list, len(got), len(want))
		}
		newest := itemTexts(doc.Find(tc.in + " " + tc.item))
		if newest[0] == want[0] {
			t.Errorf("%s: the older page starts like the newest", tc.list)
		}
		// From the older page, htmx follows the link back to the newest.
		back, _ := frag.Find(tc.in + " [data-testid=newest-link]").Attr("data-hx-get")
		req, _ = http.NewRequest(http.MethodGet, s.URL+back, nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", tc.list)
		req.Header.Set("HX-Current-URL", s.URL+get)
		res = rm.do(req)
		wantStatus(t, res, http.StatusOK)
		if got := itemTexts(parse(t, res).Find(tc.in + " " + tc.item)); strings.Join(got, "\n") != strings.Join(newest, "\n") {
			t.Errorf("%s: the link back to the newest (%q) shows %d other items", tc.list, back, len(got))
		}
	}

	// A live update of a page the reader moved to an older discussion
	// page keeps that page.
	_, doc = rm.get(page)
	older, _ := doc.Find("#discussion [data-testid=older-link]").Attr("href")
	older, _, _ = strings.Cut(older, "#")
	_, want := rm.get(older)
	req, _ := http.NewRequest(http.MethodGet, s.URL+page+"/sync?kind=comment", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", s.URL+older)
	res := rm.do(req)
	wantStatus(t, res, http.StatusOK)
	sync := parse(t, res)
	if w, g := itemTexts(want.Find("#discussion [data-testid=comment]")), itemTexts(sync.Find("#discussion [data-testid=comment]")); len(g) == 0 || strings.Join(w, "") != strings.Join(g, "") {
		t.Errorf("the live update shows %d comments, not the reader's older page of %d", len(g), len(w))
	}
}

func TestReleasePageRefusesABadPage(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	rm := s.signIn(t, "rm")
	for _, q := range []string{"comments=abc", "history=-3", "votes=1x", "role=chief&votes=4"} {
		res, doc := rm.get("/releases/" + itoa(rel.ID) + "?" + q)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if text(doc, "[data-testid=error-message]") == "" {
			t.Errorf("?%s: no message", q)
		}
	}
}

// TestDecisionRecordKeepsEveryVoteAndComment checks that paging the
// release page took nothing from the record: a decision freezes every
// vote and comment of its cycle, however many, and its page and minutes
// show them all.
func TestDecisionRecordKeepsEveryVoteAndComment(t *testing.T) {
	s := newServer(t)
	rel := s.longRelease(t, "2.0.0", 0, 90, 45)
	d := s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "Not this week."})
	if len(d.Record.History) != 90 || len(d.Record.Comments) != 45 || len(d.Record.Votes) != 6 {
		t.Fatalf("the record holds %d votes of the cycle (%d counting) and %d comments", len(d.Record.History), len(d.Record.Votes), len(d.Record.Comments))
	}
	rm := s.signIn(t, "rm")
	_, doc := rm.get(fmt.Sprintf("/releases/%d/decisions/%d", rel.ID, d.Number))
	if n := doc.Find("[data-testid=record-discussion] .comment").Length(); n != 45 {
		t.Errorf("the decision page shows %d comments of 45", n)
	}
	_, md := rm.getText(fmt.Sprintf("/releases/%d/decisions/%d.md", rel.ID, d.Number))
	if n := strings.Count(md, ": Comment "); n != 45 {
		t.Errorf("the minutes hold %d comments of 45", n)
	}
	// The release page itself shows a page of them.
	_, doc = rm.get("/releases/" + itoa(rel.ID))
	if n := doc.Find("#discussion [data-testid=comment]").Length(); n != 30 {
		t.Errorf("the release page shows %d comments, want a page of 30", n)
	}
}

// itemTexts is the text of each element of sel.
func itemTexts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}

// TestBrowserPagesTheDiscussionInPlace follows the discussion's older link
// in Chromium: htmx swaps the list alone, without reloading the page, and
// puts the older page's address in the location bar.
func TestBrowserPagesTheDiscussionInPlace(t *testing.T) {
	s := newServer(t)
	rel := s.longRelease(t, "2.0.0", 0, 12, 70)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	firstComment := `document.querySelector("#discussion [data-testid=comment]").id`
	must(t, ctx,
		chromedp.Navigate(s.URL+"/releases/"+itoa(rel.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#discussion [data-testid=older-link]`)),
		chromedp.Evaluate[chromedp.Void](`window.stayed = true`),
	)
	newest, err := chromedp.Run(ctx, chromedp.Evaluate[string](firstComment))
	if err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.Click(chromedp.CSS(`#discussion [data-testid=older-link]`)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](firstComment+` !== "`+newest+`"`)); err != nil {
		t.Fatalf("the older page never came: %v", err)
	}
	settled(t, ctx)
	type state struct {
		Stayed   bool   `json:"stayed"`
		Search   string `json:"search"`
		Comments int    `json:"comments"`
		Gate     bool   `json:"gate"`
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`({stayed: window.stayed === true, search: location.search,
		comments: document.querySelectorAll("#discussion [data-testid=comment]").length, gate: !!document.querySelector("#gate")})`))
	if err != nil {
		t.Fatal(err)
	}
	if !st.Stayed || !strings.Contains(st.Search, "comments=") || st.Comments == 0 || st.Comments > 30 || !st.Gate {
		t.Fatalf("after following the older link: %+v", st)
	}
	screenshot(t, ctx, "discussion-older-page")
	must(t, ctx, chromedp.Click(chromedp.CSS(`#discussion [data-testid=newest-link]`)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](firstComment+` === "`+newest+`"`)); err != nil {
		t.Fatalf("the latest comments never came back: %v", err)
	}
}
