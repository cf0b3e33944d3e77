package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
)

// TestBrowserTrackersByKeyboardOnAPhone: the QA lead, on a phone and by
// keyboard alone, connects GitHub to payments, reads what to paste where,
// is asked before a new secret (and goes back), and disconnects it after
// the question; the page and a release page with a synced defect fit the
// phone without scrolling sideways.
func TestBrowserTrackersByKeyboardOnAPhone(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "qa")
	project := `[data-kind=github] input[name=project]`
	must(t, ctx, viewport(phoneW, phoneH), chromedp.Navigate(s.URL+"/products/payments"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=product-trackers-link]`)))
	tabTo(t, ctx, `[data-testid=product-trackers-link]`)
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(project)))
	tabTo(t, ctx, project)
	must(t, ctx, chromedp.KeyEvent("acme/payments"))
	tabTo(t, ctx, `[data-kind=github] [data-testid=tracker-connect]`)
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[data-kind=github] [data-testid=tracker-secret]`)))
	tr, err := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub)
	if err != nil || tr.Project != "acme/payments" {
		t.Fatalf("stored %+v, %v", tr, err)
	}
	if got := textOf(t, ctx, `[data-kind=github] [data-testid=tracker-payload-url]`); got != s.URL+"/hooks/github/payments" {
		t.Fatalf("payload URL %q", got)
	}
	screenshot(t, ctx, "trackers-phone")
	if _, across := pageScroll(t, ctx); across > 0.5 {
		t.Errorf("the trackers page on a phone scrolls %.0f px sideways", across)
	}

	// New secret asks first; Back (where the focus is) leaves it be.
	tabTo(t, ctx, `[data-kind=github] [data-testid=tracker-new-secret] button`)
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`#confirm-secret-github`)))
	if got := textOf(t, ctx, `#confirm-secret-github`); !strings.Contains(got, "refused until you paste the new secret there") {
		t.Fatalf("the question: %q", got)
	}
	screenshot(t, ctx, "trackers-new-secret-phone")
	if f := focused(t, ctx); f != "confirm-back" {
		t.Fatalf("the focus is on %q, want Back", f)
	}
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitNotVisible(chromedp.CSS(`#confirm-secret-github`)))
	if again, _ := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub); again.Secret != tr.Secret {
		t.Fatal("the secret changed after Back")
	}

	// A synced blocker on the release page, on the phone.
	s.deliverIssue(t, tr, "d1", "#318", "2.4.0", time.Now().Add(-time.Minute))
	must(t, ctx, chromedp.Navigate(s.URL+"/releases/"+itoa(rel.ID)+"#defects"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=defect-source]`)))
	screenshot(t, ctx, "synced-defect-phone")
	if _, across := pageScroll(t, ctx); across > 0.5 {
		t.Errorf("the release page with a synced defect scrolls %.0f px sideways on a phone", across)
	}

	// Disconnect asks first; Confirm disconnects, and the defect stays.
	must(t, ctx, chromedp.Navigate(s.URL+"/products/payments/trackers"), chromedp.WaitVisible(chromedp.CSS(project)))
	tabTo(t, ctx, `[data-kind=github] [data-testid=tracker-disconnect] button`)
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`#confirm-disconnect-github`)))
	if got := textOf(t, ctx, `#confirm-disconnect-github`); !strings.Contains(got, "kept by hand") {
		t.Fatalf("the question: %q", got)
	}
	tabTo(t, ctx, `#confirm-disconnect-github [data-testid=confirm-ok]`)
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[data-kind=github][data-connected=false]`)))
	if _, err := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Fatalf("still connected: %v", err)
	}
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 1 || ds[0].Synced() {
		t.Fatalf("defects after disconnecting: %+v", ds)
	}
}
