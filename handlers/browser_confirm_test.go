package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
)

// scriptsOff is a browser whose person turned JavaScript off.
var scriptsOff = chromedp.Flag("blink-settings", "scriptEnabled=false")

// phone is the size of a phone held upright.
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
}

// laptop is a laptop's screen.
func laptop() chromedp.Action[chromedp.Void] { return chromedp.EmulateViewport(1280, 800) }

// evalTrue waits until expr is true in the page.
func evalTrue(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// focused is the data-testid of the element that has the focus.
func focused(t *testing.T, ctx context.Context) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.dataset.testid || ""`))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestBrowserFinalStepsAskInADialog: by keyboard, as the release manager
// would: Cancel release opens a dialog that says what cannot be undone,
// with the focus on Back; Escape closes it and nothing happens, the focus
// back on the button; Tab and Enter on its Confirm cancel the release. On a
// phone the dialog fits the screen.
func TestBrowserFinalStepsAskInADialog(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "billing", "1.0.0")
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	page := s.URL + "/releases/" + itoa(rel.ID)
	cancel := chromedp.CSS(`[data-testid=transition-cancel]`)
	must(t, ctx, laptop(), chromedp.Navigate(page), chromedp.WaitVisible(cancel),
		chromedp.Focus(cancel), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-cancel`)))
	if got := textOf(t, ctx, `#confirm-cancel`); !strings.Contains(got, "Cancel billing 1.0.0?") || !strings.Contains(got, "This cannot be undone:") {
		t.Fatalf("the dialog says %q", got)
	}
	if got := focused(t, ctx); got != "confirm-back" {
		t.Fatalf("the focus is on %q, not on Back", got)
	}
	screenshot(t, ctx, "confirm-dialog-laptop")

	must(t, ctx, chromedp.KeyEvent(kb.Escape))
	evalTrue(t, ctx, `!document.querySelector("#confirm-cancel").open`)
	if got := focused(t, ctx); got != "transition-cancel" {
		t.Fatalf("after Escape the focus is on %q, not back on the button", got)
	}
	if st := s.mustState(t, rel.ID); st != gonogo.Draft {
		t.Fatalf("the release is %s after the dialog was closed", st)
	}

	must(t, ctx, phone(), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`#confirm-cancel`)))
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector("#confirm-cancel").getBoundingClientRect();
		return r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight })()`))
	if err != nil || !fits {
		t.Fatalf("the dialog does not fit a phone's screen: %v", err)
	}
	screenshot(t, ctx, "confirm-dialog-phone")
	must(t, ctx, chromedp.KeyEvent(kb.Tab))
	if got := focused(t, ctx); got != "confirm-ok" {
		t.Fatalf("Tab from Back went to %q, not to Confirm", got)
	}
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-state].state-cancelled`)))
	if st := s.mustState(t, rel.ID); st != gonogo.Cancelled {
		t.Fatalf("confirmed, and the release is %s", st)
	}
}

// TestBrowserFinalStepsWithoutJavaScript: with JavaScript off, Roll back
// brings a confirmation page that says what cannot be undone; Back returns
// to the release untouched, and its Confirm rolls back. The admin's Revoke
// asks the same way.
func TestBrowserFinalStepsWithoutJavaScript(t *testing.T) {
	s := newServer(t)
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.StartDeploy)
	ctx := newBrowser(t, scriptsOff)
	browserSignIn(t, ctx, s, "rm")
	page := s.URL + "/releases/" + itoa(rel.ID)
	rollBack := chromedp.CSS(`[data-testid=transition-roll-back]`)
	must(t, ctx, laptop(), chromedp.Navigate(page), chromedp.WaitVisible(rollBack))
	if ran, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.htmx !== "undefined"`)); ran {
		t.Fatal("the page's scripts ran: this browser was to have JavaScript off")
	}
	must(t, ctx, chromedp.Click(rollBack), chromedp.WaitVisible(chromedp.CSS(`[data-testid=confirm-page]`)))
	if got := textOf(t, ctx, `[data-testid=confirm-page]`); !strings.Contains(got, "Roll back payments 2.4.0?") || !strings.Contains(got, "This cannot be undone:") {
		t.Fatalf("the confirmation page says %q", got)
	}
	screenshot(t, ctx, "confirm-page-laptop")
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid=confirm-back]`)), chromedp.WaitVisible(rollBack))
	if st := s.mustState(t, rel.ID); st != gonogo.Deploying {
		t.Fatalf("after Back the release is %s", st)
	}
	must(t, ctx, phone(), chromedp.Click(rollBack), chromedp.WaitVisible(chromedp.CSS(`[data-testid=confirm-page]`)))
	screenshot(t, ctx, "confirm-page-phone")
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid=confirm-ok]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-state].state-rolled-back`)))
	if st := s.mustState(t, rel.ID); st != gonogo.RolledBack {
		t.Fatalf("confirmed, and the release is %s", st)
	}
}

// TestBrowserStateButtonsSayWhyNot: Mark released is disabled while
// verification is open, its reasons beside it on a laptop and a phone. A
// page that went stale (the button enabled, an item reopened since) is
// refused at the buttons, in place, with every reason.
func TestBrowserStateButtonsSayWhyNot(t *testing.T) {
	s := newServer(t)
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.StartDeploy)
	s.move(t, rel.ID, gonogo.FinishDeploy)
	ctx := newBrowser(t)
	expectConsole(t, ctx, "status of 409", "Mark released is refused while verification is open, as the test means it to be")
	browserSignIn(t, ctx, s, "rm")
	page := s.URL + "/releases/" + itoa(rel.ID)
	must(t, ctx, laptop(), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=why-mark-released]`)))
	if disabled, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("[data-testid=transition-mark-released]").disabled`)); !disabled {
		t.Fatal("Mark released is clickable while verification is open")
	}
	open, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=why-mark-released] li").length`))
	// The template's five post-deploy checks (the pilot's among them)
	// and the Go's condition.
	if open != 6 {
		t.Fatalf("%d reasons beside Mark released, want the 6 open verification items", open)
	}
	screenshot(t, ctx, "state-buttons-laptop")
	must(t, ctx, phone())
	visible, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector("[data-testid=why-mark-released]").getBoundingClientRect();
		return r.width > 0 && r.right <= innerWidth })()`))
	if !visible {
		t.Fatal("the reasons do not fit a phone's screen")
	}
	screenshot(t, ctx, "state-buttons-phone")

	// Stale: every item settled as the page loads, one reopened after.
	s.settleVerification(t, rel.ID)
	must(t, ctx, laptop(), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=transition-mark-released]:enabled`)))
	settled(t, ctx)
	item := s.mustItem(t, rel.ID, "Smoke test passes in production")
	a := s.rmActor()
	if _, err := s.store.UpdateItem(t.Context(), a, rel.ID, item.ID, gonogo.ItemChange{Status: gonogo.ItemFailed, Evidence: "500s on checkout"}); err != nil {
		t.Fatal(err)
	}
	// The live update disables the button; a page that missed it would
	// still offer it, as this one is made to.
	evalTrue(t, ctx, `document.querySelector("[data-testid=transition-mark-released]").disabled`)
	must(t, ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-testid=transition-mark-released]").disabled = false; window.__samePage = true`),
		chromedp.Click(chromedp.CSS(`[data-testid=transition-mark-released]`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-mark-released`)),
		chromedp.Click(chromedp.CSS(`#confirm-mark-released [data-testid=confirm-ok]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lifecycle [data-testid=transition-refused]`)))
	got := textOf(t, ctx, `#lifecycle [data-testid=transition-refused]`)
	if !strings.Contains(got, "“Smoke test passes in production” failed") || strings.Contains(got, "more") {
		t.Fatalf("the refusal says %q", got)
	}
	same, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage === true && location.pathname === `+fmt.Sprintf("%q", "/releases/"+itoa(rel.ID))))
	if !same {
		t.Fatal("the refusal replaced the page instead of the buttons")
	}
	// htmx moves the focus once the swap settles, a moment after the
	// refusal shows: wait for it, within a bound.
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err := chromedp.Run(wait, chromedp.Poll[bool](`document.activeElement && document.activeElement.dataset.testid === "transition-refused"`))
	cancel()
	if err != nil {
		t.Errorf("after the refusal the focus is on %q, not on the refusal", focused(t, ctx))
	}
	screenshot(t, ctx, "state-refused")
	if st := s.mustState(t, rel.ID); st != gonogo.Verifying {
		t.Fatalf("a refused Mark released left the release %s", st)
	}
}
