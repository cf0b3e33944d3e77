package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// TestBrowserAdminCreatesToken: an admin finds the API tokens page from the
// admin menu, makes a token, sees it once, and a pipeline can use it.
func TestBrowserAdminCreatesToken(t *testing.T) {
	s := newServer(t)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "admin")
	must(t, ctx,
		chromedp.Navigate(s.URL+"/admin/users"),
		chromedp.Click(chromedp.CSS(`nav.tabs a[href="/admin/tokens"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=new-token-form]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=new-token-form] input[name=name]`), "payments-deploy"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=new-token-form] input[name=product]`), "payments"),
		chromedp.Click(chromedp.CSS(`[data-testid=new-token-form] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=new-token-secret]`)),
	)
	secret := textOf(t, ctx, `[data-testid=new-token-secret]`)
	if !strings.HasPrefix(secret, gonogo.TokenPrefix) {
		t.Fatalf("secret %q", secret)
	}
	screenshot(t, ctx, "tokens")
	tok, err := s.store.FindTokenBySecret(t.Context(), secret)
	if err != nil || tok.Name != "payments-deploy" || tok.Product != "payments" {
		t.Fatalf("token %+v, %v", tok, err)
	}
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`nav.tabs a[href="/admin/webhooks"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=new-webhook-form]`)),
	)
	screenshot(t, ctx, "webhooks")
}
