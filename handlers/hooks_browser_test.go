package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// TestBrowserTrackerBlockerReachesTheGate: a QA lead has the release page
// open; GitHub delivers an issue opened with the blocker label in the
// release's milestone, and the page's gate names it without a reload.
// GitHub then closes it (the gate says it is fixed, not verified) and
// labels it verified, and it leaves the gate.
func TestBrowserTrackerBlockerReachesTheGate(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.mustTracker(t, "payments", gonogo.GitHub, "acme/payments")
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "qa")
	must(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=gate-panel]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`), recordSSE)
	waitStreams(t, s, 1)

	reasons := `Array.from(document.querySelectorAll("[data-testid=gate-reasons] li[data-kind=defect]")).map(li => li.textContent)`
	waitGate := func(what, cond string) time.Duration {
		t.Helper()
		start := time.Now()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const rs = `+reasons+`; return `+cond+`; })()`,
			chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](reasons))
			t.Fatalf("the gate never %s; its defect reasons: %q (%v)", what, got, err)
		}
		return time.Since(start)
	}

	opened := ghIssue(t, "opened", "10:00:00", nil)
	s.mustDeliver(t, delivery{kind: gonogo.GitHub, event: "issues", id: "b-open", secret: trackerSecret, body: opened}, http.StatusOK, "applied")
	took := waitGate("named the blocker opened in GitHub", `rs.some(r => r.includes("#318") && r.includes("Refund fails on retry") && r.includes("open"))`)
	t.Logf("the blocker reached the open page's gate %v after GitHub's delivery was answered", took.Round(time.Millisecond))

	closed := ghIssue(t, "closed", "10:05:00", map[string]any{"issue.state": "closed", "issue.state_reason": "completed"})
	s.mustDeliver(t, delivery{kind: gonogo.GitHub, event: "issues", id: "b-close", secret: trackerSecret, body: closed}, http.StatusOK, "applied")
	waitGate("said the closed blocker is fixed", `rs.some(r => r.includes("#318") && r.includes("fixed"))`)

	verified := ghIssue(t, "labeled", "10:06:00", map[string]any{"issue.state": "closed", "issue.state_reason": "completed",
		"issue.labels": ghLabels("blocker", "verified")})
	s.mustDeliver(t, delivery{kind: gonogo.GitHub, event: "issues", id: "b-verify", secret: trackerSecret, body: verified}, http.StatusOK, "applied")
	waitGate("let the verified blocker go", `!rs.some(r => r.includes("#318"))`)

	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatal("the page reloaded to show the tracker's changes")
	}
	screenshot(t, ctx, "tracker-gate")
}
