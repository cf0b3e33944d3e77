package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFreezeException: the QA lead asks for an exception in the
// window panel; the engineering lead and the release manager each approve
// it with a comment, and the gate turns from the freeze to its warning;
// the release manager revokes it after the page asks, and the freeze is
// back on the gate.
func TestBrowserFreezeException(t *testing.T) {
	s := newServer(t)
	rel, _ := s.frozenRelease(t, "shop")
	page := s.URL + "/releases/" + itoa(rel.ID)
	ctx := newBrowser(t)
	signOut := func() {
		must(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)))
	}

	browserSignIn(t, ctx, s, "qa")
	must(t, ctx, chromedp.Navigate(page),
		chromedp.Click(chromedp.CSS(`[data-testid=request-exception]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=exception-form] textarea[name=reason]`), "The tax rate changes on the 1st"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-exception]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=exception]`)))
	settled(t, ctx)
	if got := textOf(t, ctx, `[data-testid=gate-reasons]`); !strings.Contains(got, "exception requested by Qa Tester, waiting on two approvals") {
		t.Fatalf("asked for, the gate says %q", got)
	}
	signOut()

	for _, who := range []string{"eng", "rm"} {
		browserSignIn(t, ctx, s, who)
		must(t, ctx, chromedp.Navigate(page),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=approve-exception-form] textarea[name=comment]`), "Looked at it, "+who),
			chromedp.Click(chromedp.CSS(`[data-testid=approve-exception]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=exception-approval]`)))
		settled(t, ctx)
		if who == "eng" {
			if got := textOf(t, ctx, `[data-testid=exception-status]`); got != "waiting on one more approval" {
				t.Fatalf("after one approval the exception says %q", got)
			}
			signOut()
		}
	}
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=gate-ready]`)))
	if got := textOf(t, ctx, `[data-testid=gate-warnings]`); !strings.Contains(got, "overridden by Eng Tester and Rm Tester") {
		t.Fatalf("approved, the gate warns %q", got)
	}
	screenshot(t, ctx, "freeze-exception-approved")

	must(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid=revoke-exception-form] input[name=reason]`), "The tax change moved"),
		chromedp.Click(chromedp.CSS(`[data-testid=revoke-exception]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] [data-testid=confirm-ok]`)))
	if got := textOf(t, ctx, `dialog[open]`); !strings.Contains(got, "the freeze blocks the release's gate again at once") {
		t.Fatalf("the dialog says %q", got)
	}
	screenshot(t, ctx, "freeze-exception-revoke-dialog")
	must(t, ctx, chromedp.Click(chromedp.CSS(`dialog[open] [data-testid=confirm-ok]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=exception-revoked]`)))
	settled(t, ctx)
	if got := textOf(t, ctx, `[data-testid=gate-reasons]`); !strings.Contains(got, "Year end shop") || strings.Contains(got, "exception") {
		t.Fatalf("revoked, the gate says %q", got)
	}
}
