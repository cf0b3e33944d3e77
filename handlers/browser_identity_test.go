package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// providerSignIn walks the provider's sign-in in Chromium from a page of
// gonogo that shows the "Sign in with" button: the button, the provider's
// page, the person's username and password. It returns once the provider
// was asked; where the browser lands then is the caller's to wait for.
func providerSignIn(t *testing.T, ctx context.Context, u opUser) {
	t.Helper()
	must(t, ctx,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-sign-in]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=provider-sign-in]`)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), u.username),
		chromedp.SendKeys(chromedp.CSS(`#password`), u.password),
		chromedp.Click(chromedp.CSS(`#submit`)),
	)
}

// shoot saves what a laptop and a phone show with the element wait
// scrolled to the top of the screen, and puts the browser back on a laptop.
func shoot(t *testing.T, ctx context.Context, name, wait string) {
	t.Helper()
	show := chromedp.Evaluate[chromedp.Void](`document.querySelector('` + wait + `').scrollIntoView({block: "start"})`)
	must(t, ctx, laptop(), chromedp.WaitVisible(chromedp.CSS(wait)), show)
	look(t, ctx, name)
	must(t, ctx, phone(), chromedp.WaitVisible(chromedp.CSS(wait)), show)
	look(t, ctx, name+"-phone")
	if _, across := pageScroll(t, ctx); across > 0.5 {
		t.Errorf("%s on a phone scrolls %.0f px sideways", name, across)
	}
	must(t, ctx, laptop())
}

// signerNote is what the sign-off panel tells the reader about their
// roles, on one line.
func signerNote(t *testing.T, ctx context.Context) string {
	t.Helper()
	return strings.Join(strings.Fields(textOf(t, ctx, `[data-testid=signer-note]`)), " ")
}

// A group taken away at the provider takes its role away at the next
// sign-in, in Chromium: Ana signs in with payments-qa mapped to QA lead
// for payments and finds the sign-off form; an admin gives her QA lead for
// storefront by hand; she signs out, the provider drops the group, she
// signs in again: the payments form is gone and the panel says why, while
// the role given by hand still signs storefront's release.
func TestBrowserOIDCGroupRemovedAtProvider(t *testing.T) {
	p := newTestProvider(t, opMember("payments-qa"))
	s := newOIDCServer(t, p)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	shop := s.mustCreateRelease(t, "storefront", "5.0.0")
	s.move(t, pay.ID, gonogo.OpenReview)
	s.move(t, shop.ID, gonogo.OpenReview)
	mapGroup(t, s.signIn(t, "admin"), "payments-qa", "qa-lead", "payments")
	payPage, shopPage := s.URL+"/releases/"+itoa(pay.ID), s.URL+"/releases/"+itoa(shop.ID)
	qaForm := `#role-qa-lead form[action$="/votes"]`

	ctx := newBrowser(t)
	must(t, ctx, laptop(), chromedp.Navigate(payPage))
	providerSignIn(t, ctx, opAna)
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS(qaForm)))
	if got := signerNote(t, ctx); got != "You sign here as QA lead." {
		t.Errorf("with the group, the panel says %q", got)
	}
	shoot(t, ctx, "oidc-group-signoff", `[data-testid=signoffs]`)

	ana, _ := userByEmail(t, s, "ana@example.com")
	byHand := gonogo.Grants{{Role: gonogo.QALead, Product: "storefront"}}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), ana.ID, db.UserUpdate{Products: &byHand}); err != nil {
		t.Fatal(err)
	}
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-sign-in]`)),
	)
	setGroups(p, opAna.username) // the provider drops payments-qa

	must(t, ctx, chromedp.Navigate(payPage))
	providerSignIn(t, ctx, opAna)
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=signoffs]`)))
	if who := textOf(t, ctx, `[data-testid=whoami]`); who != "Ana Payments" {
		t.Fatalf("signed in again as %q", who)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('`+qaForm+`').length`); n != 0 {
		t.Fatal("the group is gone at the provider, yet Ana may still sign payments as QA lead")
	}
	const why = "You hold QA lead for storefront only: on payments, someone who holds it for payments signs."
	if got := signerNote(t, ctx); got != why {
		t.Errorf("without the group, the panel says %q, want %q", got, why)
	}
	shoot(t, ctx, "oidc-group-removed", `[data-testid=signoffs]`)

	// The role given by hand stayed.
	must(t, ctx, chromedp.Navigate(shopPage), chromedp.WaitVisible(chromedp.CSS(qaForm)))
	if got, _ := grantsOf(t, s, "ana@example.com"); got != "qa-lead@storefront" {
		t.Errorf("after the second sign-in Ana holds %q", got)
	}
}

// Each refused sign-in shows Chromium the refusal page with its reason,
// and leaves the browser signed out: a forged state, a wrong nonce, an
// expired ID token, an ID token signed with another key, an unverified
// email. The HTTP answers (status, nothing stored) are TestOIDCRefusals';
// this is what a person sees.
func TestBrowserOIDCRefusals(t *testing.T) {
	root := newBrowser(t)
	must(t, root, chromedp.Navigate("about:blank")) // starts the browser
	for _, tc := range []struct {
		name, shot string
		user       opUser
		before     func(t *testing.T, p *testProvider)
		forge      bool // the browser comes back with state=forged
		says       string
	}{
		{name: "forged state", shot: "state", user: opAna, forge: true, says: "its state differs"},
		{name: "wrong nonce", shot: "nonce", user: opAna, says: "its nonce differs",
			before: func(t *testing.T, p *testProvider) {
				p.set(func(p *testProvider) { p.nonceLie = "a nonce of another sign-in" })
			}},
		{name: "expired ID token", shot: "expired", user: opAna, says: "had expired",
			before: func(t *testing.T, p *testProvider) { p.set(func(p *testProvider) { p.lifetime = -time.Minute }) }},
		{name: "ID token signed with another key", shot: "rogue-key", user: opAna, says: "could not be verified",
			before: func(t *testing.T, p *testProvider) { p.signsWithRogueKey(t) }},
		{name: "unverified email", shot: "unverified", user: opUnverified, says: "has not verified your email address admin@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestProvider(t, tc.user)
			s := newOIDCServer(t, p)
			if tc.before != nil {
				tc.before(t, p)
			}
			ctx := otherBrowser(t, root)
			expectConsole(t, ctx, "status of 4", "the refusal page is answered with a 4xx, as the test means it to be")
			if tc.forge {
				forgeCallbackState(t, ctx, s.URL)
			}
			must(t, ctx, laptop(), chromedp.Navigate(s.URL+"/"))
			providerSignIn(t, ctx, tc.user)
			// Back at gonogo: refused, or (were the check missing) signed in.
			must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=sign-in-refused-reason], [data-testid=whoami]`)))
			if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid=whoami]').length`); n != 0 {
				t.Fatalf("the sign-in was not refused: signed in as %q", textOf(t, ctx, `[data-testid=whoami]`))
			}
			if got := textOf(t, ctx, `[data-testid=sign-in-refused-reason]`); !strings.Contains(got, tc.says) {
				t.Errorf("the refusal says %q, want it to say %q", got, tc.says)
			}
			shoot(t, ctx, "oidc-refused-"+tc.shot, `[data-testid=sign-in-refused-reason]`)
			must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-sign-in]`)))
			if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, s.URL+"/login") {
				t.Errorf("after the refusal the board sent the browser to %q, want the sign-in page", loc)
			}
		})
	}
}

// forgeCallbackState makes the browser of ctx come back from the provider
// with state=forged: its request to gonogo's callback is paused on the
// way out and sent on with the state changed, the rest of it as it was,
// as someone who planted a link would have it.
func forgeCallbackState(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	paused := make(chan *fetch.EventRequestPaused, 1)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case paused <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: base + "/auth/callback*"}},
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		select {
		case e := <-paused:
			u, err := url.Parse(e.Request.URL)
			if err != nil {
				t.Errorf("the callback's address: %v", err)
				return
			}
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
			if _, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID, URL: u.String()}); err != nil {
				t.Errorf("sending the forged callback on: %v", err)
			}
		case <-ctx.Done():
		}
	}()
}
