package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// A release manager makes a hotfix in the browser: its page says so, its
// sign-offs ask the hotfix policy's roles alone, and the board marks it.
func TestBrowserCreateHotfix(t *testing.T) {
	s := newServer(t)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`a[href="/releases/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-form]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=product]`), "payments"),
		chromedp.SendKeys(chromedp.CSS(`input[name=version]`), "2.4.1"),
		chromedp.Click(chromedp.CSS(`[data-testid=kind-hotfix]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "Fix refunds"),
	)
	screenshot(t, ctx, "hotfix-form")
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=save-release]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-head]`)),
	)
	if got := textOf(t, ctx, `[data-testid=release-kind] [data-testid=kind-chip]`); got != "Hotfix" {
		t.Fatalf("the release page shows the kind %q", got)
	}
	if got := textOf(t, ctx, `[data-role=product-owner] [data-testid=waived]`); got != "Not required" {
		t.Fatalf("the product owner's sign-off reads %q on a hotfix", got)
	}
	screenshot(t, ctx, "hotfix-page")
	rels, err := s.store.FindReleases(t.Context(), gonogo.ReleaseFilter{Product: "payments"})
	if err != nil || len(rels) != 1 || rels[0].Kind != gonogo.KindHotfix {
		t.Fatalf("stored %+v, %v", rels, err)
	}
	must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)), chromedp.Sleep(100*time.Millisecond))
	if got := textOf(t, ctx, `[data-release="payments 2.4.1"] [data-testid=kind-chip]`); !strings.EqualFold(got, "hotfix") {
		t.Fatalf("the board card's kind chip reads %q", got)
	}
}
