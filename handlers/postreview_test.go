package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/yuin/goldmark/ast"
	gmtext "github.com/yuin/goldmark/text"

	"github.com/gonogo/gonogo"
)

// TestPostReviewThroughTheForm records the review of a hotfix still
// verifying through the page, as the release manager: asked to confirm
// first, refused with the form kept when a link is bad, refused to others,
// then recorded, its condition item closed, its follow-ups on the
// product's next release, audited, and shown as a record and as minutes.
func TestPostReviewThroughTheForm(t *testing.T) {
	s := newServer(t)
	ctx := t.Context()
	rel := s.mustCreateRelease(t, "payments", "3.0.1")
	next := s.mustCreateRelease(t, "payments", "3.1.0")
	s.setState(t, rel.ID, gonogo.Verifying)
	if _, err := s.store.AddItem(ctx, s.rmActor(), rel.ID, gonogo.ItemInput{Phase: gonogo.Verification, Title: "Post-release review within 3 days",
		OwnerRole: gonogo.ReleaseManager, Required: true, CheckKey: gonogo.PostReleaseReviewKey}); err != nil {
		t.Fatal(err)
	}
	path := "/releases/" + itoa(rel.ID) + "/post-release-review"
	rm, qa := s.signIn(t, "rm"), s.signIn(t, "qa")

	_, doc := rm.get("/releases/" + itoa(rel.ID))
	if got := text(doc, "[data-testid=post-review-panel-link]"); got != "Record the post-release review" {
		t.Fatalf("release page link = %q", got)
	}
	res, doc := rm.get(path)
	wantStatus(t, res, http.StatusOK)
	if doc.Find("[data-testid=post-review-form]").Length() != 1 {
		t.Fatal("no form for the release manager")
	}
	if got := text(doc, "[data-testid=followups-go] a"); got != "payments 3.1.0" {
		t.Fatalf("follow-ups go to %q", got)
	}
	if got := text(doc, "[data-testid=review-closes]"); !strings.Contains(got, "Post-release review within 3 days") {
		t.Fatalf("closes = %q", got)
	}
	_, doc = qa.get(path)
	if doc.Find("[data-testid=post-review-form]").Length() != 0 || doc.Find("[data-testid=post-review-pending]").Length() != 1 {
		t.Fatal("the QA lead is offered the form")
	}

	form := url.Values{"outcome": {"incident"}, "summary": {"Checkout slowed for **20 minutes** after the deploy."},
		"links": {"https://tracker.example.com/INC-42"}, "follow_ups": {"ops: alert on checkout latency\nWrite the cache runbook"}}
	// Unconfirmed: the question, nothing recorded.
	res = rm.post(path, form)
	wantStatus(t, res, http.StatusOK)
	if parse(t, res).Find("[data-testid=confirm-page]").Length() != 1 {
		t.Fatal("not asked to confirm")
	}
	// A bad link: 422, the message at the field, the summary kept.
	bad := url.Values{"confirm": {"1"}}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("links", "javascript:alert(1)")
	res = rm.post(path, bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if msg := text(doc, "[data-testid=error-links]"); !strings.Contains(msg, "not an http or https link") {
		t.Fatalf("links error = %q", msg)
	}
	if got := doc.Find("textarea[name=summary]").Text(); got != form.Get("summary") {
		t.Fatalf("summary kept = %q", got)
	}
	// Others may not.
	form.Set("confirm", "1")
	wantStatus(t, qa.post(path, form), http.StatusForbidden)
	if _, ok, _ := s.store.FindPostReview(ctx, rel.ID); ok {
		t.Fatal("a review was stored before one was recorded")
	}

	res = rm.post(path, form)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != path {
		t.Fatalf("redirect to %q", loc)
	}
	// The hotfix's condition is closed, with the review as its evidence.
	if it := s.mustItem(t, rel.ID, "Post-release review within 3 days"); it.Status != gonogo.ItemDone || it.Evidence != path {
		t.Fatalf("review item = %+v", it)
	}
	// Audited.
	events, err := s.store.FindEvents(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	var audited bool
	for _, e := range events {
		audited = audited || e.Action == string(gonogo.ActionPostReview) && e.ReleaseID == rel.ID && strings.Contains(e.Detail, "Incident")
	}
	if !audited {
		t.Fatal("the review was not audited")
	}

	// The record.
	res, doc = qa.get(path)
	wantStatus(t, res, http.StatusOK)
	if got := text(doc, "[data-testid=post-review-outcome]"); got != "Incident" {
		t.Fatalf("outcome = %q", got)
	}
	if got := text(doc, "[data-testid=post-review-summary] strong"); got != "20 minutes" {
		t.Fatalf("summary's Markdown = %q", got)
	}
	if href, _ := doc.Find("[data-testid=post-review-link]").Attr("href"); href != "https://tracker.example.com/INC-42" {
		t.Fatalf("link = %q", href)
	}
	rows := doc.Find("[data-testid=followup]")
	if rows.Length() != 2 {
		t.Fatalf("%d follow-ups shown", rows.Length())
	}
	rows.Each(func(_ int, row *goquery.Selection) {
		href, _ := row.Find("[data-testid=followup-where] a").Attr("href")
		if !strings.HasPrefix(href, "/releases/"+itoa(next.ID)+"#item-") || strings.TrimSpace(row.Find("[data-testid=followup-status]").Text()) != "Open" {
			t.Errorf("follow-up row: where %q, status %q", href, row.Find("[data-testid=followup-status]").Text())
		}
	})
	if s.mustItem(t, next.ID, "alert on checkout latency").OwnerRole != gonogo.Ops {
		t.Fatal("the follow-up's owner is not ops")
	}
	_, doc = qa.get("/releases/" + itoa(rel.ID))
	if got := text(doc, "[data-testid=post-review-panel-link]"); got != "Post-release review: incident" {
		t.Fatalf("release page link = %q", got)
	}

	// The minutes, read as a Markdown renderer reads them.
	res, md := qa.getText(path + ".md")
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
		t.Fatalf("content type %q", ct)
	}
	src := []byte(md)
	var headings []string
	var links []string
	ast.Walk(minutesRenderer(false).Parser().Parse(gmtext.NewReader(src)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			headings = append(headings, string(n.Lines().Value(src)))
		case *ast.Link:
			links = append(links, string(n.Destination))
		}
		return ast.WalkContinue, nil
	})
	want := []string{"Post-release review: payments 3.0.1 — Release 3.0.1", "What happened", "Links", "Follow-ups"}
	if strings.Join(headings, "|") != strings.Join(want, "|") {
		t.Fatalf("headings = %q", headings)
	}
	if len(links) != 1 || links[0] != "https://tracker.example.com/INC-42" {
		t.Fatalf("links = %q", links)
	}
	var html bytes.Buffer
	if err := minutesRenderer(false).Convert(src, &html); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<strong>Outcome:</strong> Incident", "<strong>20 minutes</strong>", "alert on checkout latency — Ops; payments 3.1.0 (Open)"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("minutes lack %q:\n%s", want, html.String())
		}
	}

	// Never edited: a second review is refused where it was tried.
	res = rm.post(path, form)
	wantStatus(t, res, http.StatusConflict)
	if msg := text(parse(t, res), "[data-testid=error-summary]"); !strings.Contains(msg, "already has its post-release review") {
		t.Fatalf("second review refused with %q", msg)
	}
}

// TestPostReviewRefusedOnADraft refuses the review of a release not yet
// in production, saying why, and stores nothing.
func TestPostReviewRefusedOnADraft(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "4.0.0")
	path := "/releases/" + itoa(rel.ID) + "/post-release-review"
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	if doc.Find("[data-testid=post-review-panel]").Length() != 0 {
		t.Fatal("a draft offers its post-release review")
	}
	res, doc := rm.get(path)
	wantStatus(t, res, http.StatusOK)
	if doc.Find("[data-testid=post-review-form]").Length() != 0 {
		t.Fatal("a draft offers the form")
	}
	res = rm.post(path, url.Values{"outcome": {"clean"}, "summary": {"Fine."}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusConflict)
	if msg := text(parse(t, res), "[data-testid=error-summary]"); !strings.Contains(msg, "once the release is verifying, released or rolled back") {
		t.Fatalf("refusal = %q", msg)
	}
	if _, ok, _ := s.store.FindPostReview(t.Context(), rel.ID); ok {
		t.Fatal("stored a review of a draft")
	}
	res, _ = rm.getText(path + ".md")
	wantStatus(t, res, http.StatusNotFound)
}

// TestPostReviewOutcomesInInsights: a released release reviewed as an
// incident and one released without a review show in the decision
// quality part of /insights, its CSV and the API.
func TestPostReviewOutcomesInInsights(t *testing.T) {
	s := newServer(t)
	ctx := t.Context()
	reviewed := s.mustCreateRelease(t, "payments", "5.0.0")
	unreviewed := s.mustCreateRelease(t, "payments", "5.0.1")
	s.setState(t, reviewed.ID, gonogo.Deploying)
	s.setState(t, reviewed.ID, gonogo.Released)
	if _, err := s.store.RecordPostReview(ctx, s.rmActor(), reviewed.ID, gonogo.PostReviewInput{Outcome: gonogo.ReviewIncident, Summary: "Queue backed up."}); err != nil {
		t.Fatal(err)
	}
	// The other rolls back, and nobody reviews it.
	s.setState(t, unreviewed.ID, gonogo.Deploying)
	s.move(t, unreviewed.ID, gonogo.RollBack)
	c := s.signIn(t, "qa")
	res, doc := c.get("/insights?product=payments&last=30")
	wantStatus(t, res, http.StatusOK)
	table := doc.Find("#quality table[data-table=post-release]")
	if table.Length() != 1 {
		t.Fatalf("%d post-release tables in decision quality", table.Length())
	}
	got := map[string]string{}
	table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		got[strings.TrimSpace(tr.Find("th, td").Eq(0).Text())] = strings.TrimSpace(tr.Find("td").Eq(0).Text())
	})
	if got["Incident"] != "1" || got["No review yet"] != "1" || got["Clean"] != "0" {
		t.Fatalf("post-release rows = %v", got)
	}
	res, csvText := c.getText("/insights?product=payments&last=30&format=csv&table=post-release")
	wantStatus(t, res, http.StatusOK)
	for _, line := range []string{"outcome,releases,previous", "incident,1,0", "missing,1,0"} {
		if !strings.Contains(csvText, line+"\n") {
			t.Errorf("CSV lacks %q:\n%s", line, csvText)
		}
	}
	in, _ := s.getInsights(t, s.mustToken(t, "charts", ""), "product=payments&last=30")
	if in.PostRelease.Current.Incident != 1 || in.PostRelease.Current.Missing != 1 || in.PostRelease.Current.Clean != 0 {
		t.Fatalf("API post_release = %+v", in.PostRelease)
	}
}

// TestBrowserPostReviewAsksThenRecords: in Chromium, the release manager
// goes from the release page to the form, fills it in, is asked in a
// dialog, confirms, and reads the record.
func TestBrowserPostReviewAsksThenRecords(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "billing", "1.0.0")
	next := s.mustCreateRelease(t, "billing", "1.1.0")
	s.setState(t, rel.ID, gonogo.Released)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, laptop(), chromedp.Navigate(s.URL+"/releases/"+itoa(rel.ID)),
		chromedp.Click(chromedp.CSS(`[data-testid=post-review-panel-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=post-review-form]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=outcome-degraded]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=summary]`), "Invoices were *slow* for an hour."),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=links]`), "https://grafana.example.com/d/billing"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=follow_ups]`), "ops: alert on invoice latency"),
		chromedp.Click(chromedp.CSS(`[data-testid=record-post-review]`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-post-review`)))
	if got := textOf(t, ctx, `#confirm-post-review`); !strings.Contains(got, "This cannot be undone:") || !strings.Contains(got, "never edited") {
		t.Fatalf("the dialog says %q", got)
	}
	if _, ok, _ := s.store.FindPostReview(t.Context(), rel.ID); ok {
		t.Fatal("recorded before it was confirmed")
	}
	must(t, ctx, chromedp.Click(chromedp.CSS(`#confirm-post-review [data-testid=confirm-ok]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=post-review-outcome]`)))
	screenshot(t, ctx, "post-release-review")
	if got := textOf(t, ctx, `[data-testid=post-review-outcome]`); got != "Degraded" {
		t.Fatalf("outcome shown %q", got)
	}
	if got := textOf(t, ctx, `[data-testid=post-review-summary] em`); got != "slow" {
		t.Fatalf("summary's emphasis = %q", got)
	}
	if got := textOf(t, ctx, `[data-testid=followup-where]`); got != "billing 1.1.0" {
		t.Fatalf("follow-up went to %q", got)
	}
	if it := s.mustItem(t, next.ID, "alert on invoice latency"); it.OwnerRole != gonogo.Ops {
		t.Fatalf("follow-up item = %+v", it)
	}
}

// TestPostReviewMinutesAreSafeMarkdown: what happened keeps its
// Markdown in the minutes, below the minutes' headings, and no HTML of
// the person who wrote it renders, raw HTML on or off.
func TestPostReviewMinutesAreSafeMarkdown(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "6.0.0")
	s.setState(t, rel.ID, gonogo.Released)
	summary := "# Timeline\n\nIt went **wrong**. [x](JavaScript:alert(4)) [y]\n\n[y]: javascript:alert(5)\n\n" + hostileA + "\n\n- " + hostileB + "\n\n    <b>indented</b>\n\n```\n<kept>\n```\n" + hostileLines
	if _, err := s.store.RecordPostReview(t.Context(), s.rmActor(), rel.ID, gonogo.PostReviewInput{Outcome: gonogo.ReviewIncident,
		Summary: summary, FollowUps: "follow " + hostileA}); err != nil {
		t.Fatal(err)
	}
	res, md := s.signIn(t, "qa").getText("/releases/" + itoa(rel.ID) + "/post-release-review.md")
	wantStatus(t, res, http.StatusOK)
	for _, unsafe := range []bool{false, true} {
		var out bytes.Buffer
		if err := minutesRenderer(unsafe).Convert([]byte(md), &out); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&out)
		if err != nil {
			t.Fatal(err)
		}
		// Markdown's own links and images stay; HTML and script links do not.
		if n := doc.Find("script, b, i, div, kept, [href^=javascript], [href^=JavaScript]").Length(); n != 0 {
			h, _ := doc.Find("script, b, i, div, kept, [href^=javascript], [href^=JavaScript]").First().Parent().Html()
			t.Errorf("unsafe=%v: %d elements of the writer HTML rendered: %s", unsafe, n, h)
		}
		if got := doc.Find("h1").Length(); got != 1 {
			t.Errorf("unsafe=%v: %d top headings", unsafe, got)
		}
		if got := strings.TrimSpace(doc.Find("h3").First().Text()); got != "Timeline" {
			t.Errorf("unsafe=%v: the summary's heading is %q, not below the minutes'", unsafe, got)
		}
		if got := doc.Find("strong").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "wrong" }).Length(); got != 1 {
			t.Errorf("unsafe=%v: the summary's emphasis is lost", unsafe)
		}
		if !strings.Contains(doc.Find("pre code").Text(), "<kept>") {
			t.Errorf("unsafe=%v: the code block lost its text", unsafe)
		}
	}
}
