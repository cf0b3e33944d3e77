package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOIDCSignIn walks the whole redirect dance in Chromium: the
// board's "Sign in with" button, the provider's sign-in page, back to the
// board signed in, with the account made on the way; then the sign-out,
// through the provider's end_session, back to the sign-in page.
func TestBrowserOIDCSignIn(t *testing.T) {
	p := newTestProvider(t, opAna)
	s := newOIDCServer(t, p)
	ctx := newBrowser(t)
	must(t, ctx,
		chromedp.Navigate(s.URL+"/defects"), // signed out: to the sign-in page, to come back here
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-sign-in]`)),
	)
	screenshot(t, ctx, "oidc-login")
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=provider-sign-in]`)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasPrefix(loc, p.URL+"/login") {
		t.Fatalf("the button led to %q (%v), want the provider's sign-in page", loc, err)
	}
	must(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), opAna.username),
		chromedp.SendKeys(chromedp.CSS(`#password`), opAna.password),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=whoami]`)),
	)
	if who := textOf(t, ctx, `[data-testid=whoami]`); who != "Ana Payments" {
		t.Fatalf("signed in as %q", who)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != s.URL+"/defects" {
		t.Errorf("after sign-in the board shows %q, want the page asked for", loc)
	}
	if _, ok := userByEmail(t, s, "ana@example.com"); !ok {
		t.Fatal("no account was made for Ana")
	}
	screenshot(t, ctx, "oidc-signed-in")

	must(t, ctx,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-sign-in]`)),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != s.URL+"/login" {
		t.Errorf("after sign-out the browser is at %q, want the sign-in page", loc)
	}
	p.set(func(p *testProvider) {
		if len(p.ended) != 1 {
			t.Errorf("the provider ended %d sessions, want 1", len(p.ended))
		}
	})
}
