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

// TestBrowserAdminVerifiesCheckpoint: an admin pastes a checkpoint kept
// from before into the audit page and reads the outcome there.
func TestBrowserAdminVerifiesCheckpoint(t *testing.T) {
	s := newServer(t)
	cp, err := s.store.Checkpoint(t.Context(), s.actorOf("admin"), s.key, false)
	if err != nil {
		t.Fatal(err)
	}
	s.mustCreateRelease(t, "payments", "2.4.0")
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "admin")
	must(t, ctx,
		chromedp.Navigate(s.URL+"/admin/users"),
		chromedp.Click(chromedp.CSS(`nav.tabs a[href="/admin/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verify-form]`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=verify-form] textarea[name=checkpoint]`), cp.String()),
		chromedp.Click(chromedp.CSS(`[data-testid=verify-checkpoint]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=checkpoint-ok]`)),
	)
	if got := textOf(t, ctx, `[data-testid=checkpoint-ok]`); !strings.Contains(got, "Event "+itoa(cp.Seq)+" still has the hash the checkpoint signed") {
		t.Fatalf("outcome %q", got)
	}
	screenshot(t, ctx, "audit")
}
