package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Ops sees the promote button waiting with its reasons, then promotes
// once the canary's item is done and its soak over; the board card shows
// the stage, and the admin edits the product's stages in the browser.
func TestBrowserRollout(t *testing.T) {
	s := newStagedServer(t)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s.testServer, "ops")
	page := s.URL + "/releases/" + itoa(s.rel.ID)
	must(t, ctx, chromedp.Navigate(page+"#rollout"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=rollout]`)))
	if why := textOf(t, ctx, `[data-testid=why-promote]`); !strings.Contains(why, "is still open") || !strings.Contains(why, "The soak of “1%” ends at 10:30") {
		t.Fatalf("reasons beside the button: %q", why)
	}
	shotOf(t, ctx, `[data-testid=rollout]`, "rollout-waiting")
	s.settle(t, "Error rate under 1% for the canary")
	s.at(31 * time.Minute)
	must(t, ctx, chromedp.Navigate(page+"#rollout"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=promote]:not([disabled])`)))
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid=promote]`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-promote`)))
	if got := textOf(t, ctx, `#confirm-promote`); !strings.Contains(got, "Promote shop 2.0 to 10%?") {
		t.Fatalf("the dialog says %q", got)
	}
	shotOf(t, ctx, `#confirm-promote`, "rollout-confirm")
	must(t, ctx, chromedp.Click(chromedp.CSS(`#confirm-promote [data-testid=confirm-ok]`)))
	// The form posts and the page comes back: poll again if the poll
	// began on the page that was leaving.
	var err error
	for range 5 {
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("[data-testid=rollout-stage]")?.textContent.trim() === "10% (2 of 4)"`)); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("after promoting: %v", err)
	}
	settled(t, ctx)
	shotOf(t, ctx, `[data-testid=rollout]`, "rollout-promoted")
	must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=card-rollout]`)))
	if got := textOf(t, ctx, `[data-testid=card-rollout]`); got != "Rollout: 10% (2 of 4)" {
		t.Fatalf("card: %q", got)
	}
	shotOf(t, ctx, `[data-testid=card-rollout]`, "rollout-board")
	screenshot(t, ctx, "rollout-board-page")

	admin := newBrowser(t)
	browserSignIn(t, admin, s.testServer, "admin")
	expectConsole(t, admin, "status of 422", "the refused form comes back with 422, as every refused form does")
	must(t, admin, chromedp.Navigate(s.URL+"/products/shop#rollout-template"),
		chromedp.Click(chromedp.CSS(`[data-testid=rollout-template] summary`)),
		chromedp.SetValue(chromedp.CSS(`input[name=stage-4-name]`), "10%"),
		chromedp.SetValue(chromedp.CSS(`input[name=stage-4-soak]`), "45"),
		chromedp.Click(chromedp.CSS(`[data-testid=rollout-template-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-summary]`)))
	shotOf(t, admin, `[data-testid=rollout-template]`, "rollout-template-refused")
	if got := textOf(t, admin, `[data-testid=error-stage-4-name]`); !strings.Contains(got, "stages are called") {
		t.Fatalf("refusal beside the name: %q", got)
	}
	must(t, admin, chromedp.SetValue(chromedp.CSS(`input[name=stage-4-name]`), "eu-west"),
		chromedp.Click(chromedp.CSS(`[data-testid=rollout-template-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=rollout-template-saved]`)))
	if got := textOf(t, admin, `[data-testid=rollout-template-stages]`); !strings.Contains(got, "eu-west") {
		t.Fatalf("stages after saving: %q", got)
	}
	shotOf(t, admin, `[data-testid=rollout-template]`, "rollout-template")
}

// shotOf saves the element matching css (its card, for a line of a
// card) when GONOGO_SCREENSHOTS names a folder, as screenshot does for
// the page.
func shotOf(t *testing.T, ctx context.Context, css, name string) {
	dir := os.Getenv("GONOGO_SCREENSHOTS")
	if dir == "" {
		return
	}
	if strings.Contains(css, "card-") {
		css = `[data-testid=release-card]:has(` + css + `)`
	}
	buf, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(css)))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}
