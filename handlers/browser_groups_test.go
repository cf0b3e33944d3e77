package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// TestBrowserOIDCGroupRole signs in through the provider in Chromium as a
// person whose group is mapped to QA lead for payments, and finds the
// sign-off form on a payments release: the role came from the group at
// the first sign-in. Another group makes her an admin, and she sees the
// Sign-in page with the mappings, and her own page saying where her
// roles came from.
func TestBrowserOIDCGroupRole(t *testing.T) {
	p := newTestProvider(t, opMember("payments-qa", "gonogo-admins"))
	s := newOIDCServer(t, p)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	admin := s.signIn(t, "admin")
	mapGroup(t, admin, "payments-qa", "qa-lead", "payments")
	mapGroup(t, admin, "gonogo-admins", "admin", "")

	ctx := newBrowser(t)
	page := s.URL + "/releases/" + itoa(rel.ID)
	must(t, ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-sign-in]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=provider-sign-in]`)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), opAna.username),
		chromedp.SendKeys(chromedp.CSS(`#password`), opAna.password),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#role-qa-lead form[action$="/votes"]`)),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != page {
		t.Errorf("after sign-in the browser is at %q, want the release", loc)
	}
	if who := textOf(t, ctx, `[data-testid=whoami]`); who != "Ana Payments" {
		t.Fatalf("signed in as %q", who)
	}
	screenshot(t, ctx, "groups-signoff")

	ana, _ := userByEmail(t, s, "ana@example.com")
	for _, shot := range []struct{ name, path, wait string }{
		{"groups-admin", "/admin/sign-in", `[data-testid=mappings]`},
		{"groups-person", "/admin/users/" + itoa(ana.ID), `[data-testid=group-roles]`},
	} {
		must(t, ctx, laptop(), chromedp.Navigate(s.URL+shot.path), chromedp.WaitVisible(chromedp.CSS(shot.wait)))
		screenshot(t, ctx, shot.name)
		must(t, ctx, phone(), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(shot.wait)))
		screenshot(t, ctx, shot.name+"-phone")
	}
	if got := textOf(t, ctx, `[data-testid=group-admin]`); !strings.Contains(got, "from group gonogo-admins") {
		t.Errorf("Ana's page says of her admin flag: %q", got)
	}
}
