package handlers_test

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// axeSource is axe-core, the accessibility checker, as published on the npm
// registry (npm pack axe-core@4.14.1, its axe.min.js). It is used by tests
// only and never served.
//
//go:embed testdata/axe-core-4.14.1.min.js
var axeSource string

// axeSRI is the file's hash as axe-core publishes it in sri-history.json,
// so a vendored file that was altered is noticed.
const axeSRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="

// axeViolation is what axe-core reports of a broken rule.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun runs axe-core on the page and returns its serious and critical
// violations. The page's CSP forbids inline scripts; DevTools evaluation is
// not a page script, so axe is injected that way.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary.replace(/\s+/g, " "))})))`

// checkAccessible fails the test for every serious or critical violation
// axe-core finds on the page the browser shows.
func checkAccessible(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	settled(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", page, err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", page, err)
	}
	for _, v := range found {
		t.Errorf("%s: %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

func TestAxeCoreIsAsPublished(t *testing.T) {
	sum := sha256.Sum256([]byte(axeSource))
	if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != axeSRI {
		t.Fatalf("testdata/axe-core-4.14.1.min.js hashes to %s, not to what axe-core published", got)
	}
}

// TestBrowserAccessibility reads the pages people spend their day on, with
// a release in the middle of its review, and lets axe-core judge them.
func TestBrowserAccessibility(t *testing.T) {
	s := newServer(t)
	ctx := t.Context()
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	start := future(5, 20)
	if err := s.store.SetWindow(ctx, s.rmActor(), rel.ID, gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s.publishNotes(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails on Safari", Severity: gonogo.Blocker,
		TrackerURL: "https://acme.atlassian.net/browse/PAY-142"})
	s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Typo in the footer", Severity: gonogo.Minor})
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteNoGo, "Safari checkout still fails")
	s.vote(t, rel.ID, "eng", gonogo.EngineeringLead, gonogo.VoteGo, "")
	rm := s.rmActor()
	if _, err := s.store.AddComment(ctx, rm, rel.ID, gonogo.CommentInput{Body: "@qa-lead is the Safari fix in?"}); err != nil {
		t.Fatal(err)
	}
	shipped := s.mustGoRelease(t, "payments", "2.3.0")
	s.setState(t, shipped.ID, gonogo.Released)
	s.mustCreateRelease(t, "storefront", "5.12.0")
	if _, err := s.store.CreateFreeze(ctx, rm, gonogo.FreezeInput{Name: "Winter sale",
		Once: gonogo.Window{Start: start.Add(-48 * time.Hour), End: start.Add(-24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}

	pages := []struct{ path, ready string }{
		{"/", `[data-testid=board]`},
		{fmt.Sprintf("/releases/%d", rel.ID), `[data-testid=release-head]`},
		{"/calendar?month=" + start.Format("2006-01"), `[data-testid=month]`},
		{"/calendar?view=list", `main`},
		{"/notes/payments/2.3.0", `[data-testid=notes-page]`},
		{"/notes", `main`},
		{"/defects", `main`},
		{"/insights", `[data-testid=insights]`},
		{"/products/payments", `[data-testid=product-page]`},
		{"/releases/new", `[data-testid=release-form]`},
		{fmt.Sprintf("/releases/%d/decisions/1", shipped.ID), `[data-testid=decision-record]`},
		{fmt.Sprintf("/releases/%d/notes", rel.ID), `[data-testid=notes-form]`},
		{"/freezes", `main`},
		{"/profile", `main`},
	}
	// Meeting mode is read on the big screen of the review meeting. Its
	// page joins the list as soon as the router serves it.
	for _, r := range s.h.Routes() {
		if r.Method == http.MethodGet && r.Path == "/releases/:id/meeting" {
			pages = append(pages, struct{ path, ready string }{fmt.Sprintf("/releases/%d/meeting", rel.ID), `main`})
		}
	}
	if !slices.ContainsFunc(pages, func(p struct{ path, ready string }) bool { return strings.HasSuffix(p.path, "/meeting") }) {
		t.Log("meeting mode is not served yet, so it is not checked")
	}

	b := newBrowser(t)
	must(t, b, chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	checkAccessible(t, b, "/login")
	browserSignIn(t, b, s, "rm")
	for _, p := range pages {
		must(t, b, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
		checkAccessible(t, b, p.path)
	}

	// The same release as the QA lead sees it, and the admin's pages.
	for _, who := range []struct {
		name  string
		paths []string
	}{
		{"qa", []string{fmt.Sprintf("/releases/%d", rel.ID), "/inbox"}},
		{"admin", []string{"/admin/users", fmt.Sprintf("/admin/users/%d", s.users["qa"].ID), "/admin/template",
			"/admin/audit", "/admin/tokens", "/admin/webhooks", "/admin/settings"}},
	} {
		// Sign out from the board: meeting mode has no top bar.
		must(t, b, chromedp.Navigate(s.URL+"/"), chromedp.Click(chromedp.CSS(`.account button`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
		browserSignIn(t, b, s, who.name)
		for _, path := range who.paths {
			must(t, b, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
			checkAccessible(t, b, path+" as "+who.name)
		}
	}
}
