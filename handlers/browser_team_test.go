package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
)

// signOut signs the browser out through the header's button.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)),
	)
}

// setLocal sets a datetime-local field as its picker would: the keys a
// person types into one differ by the browser's locale.
func setLocal(css string, at time.Time) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector('` + css + `').value = '` + local(at) + `'`)
}

// Oskar, who holds ops for every product, names Ana his deputy on his
// profile, by keyboard; Ana signs payments' release, and the panel, the
// release page and the decision record say she signs as Oskar's deputy.
// After the week she has no form for ops, and the panel says why.
func TestBrowserDeputySignsForTheHolder(t *testing.T) {
	e := newDeputyEnv(t)
	rel := e.mustCreateRelease(t, "payments", "3.0.0")
	e.testServer.move(t, rel.ID, gonogo.OpenReview)
	page := e.URL + "/releases/" + itoa(rel.ID)
	const signer = "Ana Ops (deputy for Oskar Ops)"

	ctx := newBrowser(t)
	browserSignIn(t, ctx, e.testServer, "oskar")
	form := `[data-testid=deputies-form]`
	must(t, ctx, laptop(), chromedp.Navigate(e.URL+"/profile"), chromedp.WaitVisible(chromedp.CSS(form)),
		// Oskar holds one role: Ops is chosen. He picks Ana by typing her name.
		chromedp.Focus(chromedp.CSS(form+` select[name=deputy]`)),
		chromedp.KeyEvent("Ana"),
		setLocal(form+` input[name=from]`, e.now()),
		setLocal(form+` input[name=until]`, e.now().Add(7*24*time.Hour)),
	)
	if got := eval[string](t, ctx, `document.querySelector('`+form+` select[name=deputy]').value`); got != itoa(e.ana.ID) {
		t.Fatalf("typing Ana chose the person of id %q, want Ana's %d", got, e.ana.ID)
	}
	shoot(t, ctx, "deputy-form", `#deputies`)
	must(t, ctx,
		chromedp.Focus(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=deputyship][data-active=true]`)),
	)
	if got := textOf(t, ctx, `[data-testid=deputyship]`); !strings.Contains(got, "Ana Ops") || !strings.Contains(got, "every product") {
		t.Errorf("the profile lists the deputyship as %q", got)
	}
	shoot(t, ctx, "deputy-named", `#deputies`)
	signOut(t, ctx)

	browserSignIn(t, ctx, e.testServer, "ana")
	must(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=sign-ops]`)))
	if got := signerNote(t, ctx); !strings.Contains(got, "You sign here as Ops (deputy for Oskar Ops).") {
		t.Errorf("the panel tells the deputy %q", got)
	}
	shoot(t, ctx, "deputy-panel", `[data-testid=signoffs]`)
	must(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid=sign-ops] input[name=comment]`), "Runbook checked."),
		chromedp.Click(chromedp.CSS(`[data-testid=sign-ops] [data-testid=sign-go]`)),
		chromedp.WaitVisible(chromedp.CSS(`#role-ops[data-vote=go]`)),
	)
	settled(t, ctx)
	if got := textOf(t, ctx, `#role-ops .signoff-head`); !strings.Contains(got, signer) {
		t.Errorf("the ops sign-off reads %q, want it to name %q", got, signer)
	}
	shoot(t, ctx, "deputy-signed", `#role-ops`)

	d := e.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "Not this week."})
	must(t, ctx, chromedp.Navigate(page+"/decisions/"+itoa(int64(d.Number))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=decision-record]`)))
	if got := textOf(t, ctx, `[data-testid=record-vote][data-role=ops]`); !strings.Contains(got, signer) {
		t.Errorf("the decision record's ops vote reads %q", got)
	}
	shoot(t, ctx, "deputy-record", `[data-testid=record-vote][data-role=ops]`)

	// A week and a day later the deputyship has ended.
	later := e.mustCreateRelease(t, "payments", "3.0.1")
	e.testServer.move(t, later.ID, gonogo.OpenReview)
	e.move(8 * 24 * time.Hour)
	browserSignIn(t, ctx, e.testServer, "ana") // her session of a week ago has run out
	must(t, ctx, chromedp.Navigate(e.URL+"/releases/"+itoa(later.ID)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=signoffs]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid=sign-ops]').length`); n != 0 {
		t.Fatal("after the period Ana still has a form to sign as ops")
	}
	if got := signerNote(t, ctx); !strings.Contains(got, "You cannot sign here as Ops: your deputyship as deputy for Oskar Ops ended on") {
		t.Errorf("after the period the panel tells Ana %q", got)
	}
	shoot(t, ctx, "deputy-ended", `[data-testid=signoffs]`)
}

// boardCards are the releases the board shows in the browser, sorted.
func boardCards(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `[...document.querySelectorAll('[data-testid=release-card]')].map(c => c.dataset.release).sort().join(", ")`)
}

// waitCards waits until the board shows exactly want.
func waitCards(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('[data-testid=release-card]')].map(c => c.dataset.release).sort().join(", ") === '`+want+`'`)); err != nil {
		t.Fatalf("the board shows %q, want %q: %v", boardCards(t, ctx), want, err)
	}
	settled(t, ctx)
}

// Paula holds QA lead for payments only: her board opens with My products
// ticked and payments alone; Space on the box unticks it and the whole
// board shows, the address saying so; Space again narrows it back.
func TestBrowserMyBoard(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "storefront", "5.0.0")
	s.mustCreateRelease(t, "mobile", "1.0.0")
	s.mustScopedUser(t, "paula", gonogo.Grant{Role: gonogo.QALead, Product: "payments"})
	const mine, every = "payments 2.4.0", "mobile 1.0.0, payments 2.4.0, storefront 5.0.0"
	box := `[data-testid=filter-mine]`

	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "paula")
	must(t, ctx, laptop(), chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	if on := eval[bool](t, ctx, `document.querySelector('`+box+`').checked`); !on {
		t.Fatal("My products is not ticked for a person whose roles are for payments only")
	}
	waitCards(t, ctx, mine)
	shoot(t, ctx, "myboard-mine", `[data-testid=board-filters]`)

	must(t, ctx, chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
		chromedp.Focus(chromedp.CSS(box)), chromedp.KeyEvent(" "))
	waitCards(t, ctx, every)
	if on := eval[bool](t, ctx, `document.querySelector('`+box+`').checked`); on {
		t.Error("Space left My products ticked")
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if q := query(t, loc); q.Get("mine") != "0" {
		t.Errorf("with the box unticked the address is %q, want it to carry mine=0", loc)
	}
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("the page reloaded to filter")
	}
	shoot(t, ctx, "myboard-every", `[data-testid=board-filters]`)

	// The address holds the filter: reloading it keeps the whole board.
	must(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	waitCards(t, ctx, every)

	must(t, ctx, chromedp.Focus(chromedp.CSS(box)), chromedp.KeyEvent(" "))
	waitCards(t, ctx, mine)
	loc, _ = chromedp.Run(ctx, chromedp.Location())
	if vs := query(t, loc)["mine"]; len(vs) == 0 || vs[len(vs)-1] != "1" {
		t.Errorf("with the box ticked again the address is %q, want its last mine to be 1", loc)
	}
}

// query is the query of the address loc.
func query(t *testing.T, loc string) url.Values {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// Payments has no support lead: the board's card names the gap, the
// release page's gate lists it as a reason, and both links lead to the
// product's team, where the gap shows too.
func TestBrowserGapOnCardAndGate(t *testing.T) {
	s := newServer(t)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	shop := s.mustCreateRelease(t, "storefront", "5.0.0")
	s.move(t, pay.ID, gonogo.OpenReview)
	s.move(t, shop.ID, gonogo.OpenReview)
	s.regrant(t, "support", gonogo.Grant{Role: gonogo.SupportLead, Product: "storefront"})
	const want = "No one can sign as Support lead for payments: add one under Products → payments"
	card := `[data-testid=release-card][data-release="payments 2.4.0"]`

	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, laptop(), chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(card)))
	if n := eval[int](t, ctx, `document.querySelectorAll('`+card+` [data-testid=card-gap]').length`); n != 1 {
		t.Fatalf("payments' card shows %d gaps, want the missing support lead", n)
	}
	if got := textOf(t, ctx, card+` [data-testid=card-gap]`); got != want {
		t.Errorf("the card shows the gap %q, want %q", got, want)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-release="storefront 5.0.0"] [data-testid=card-gap]').length`); n != 0 {
		t.Errorf("storefront's card shows %d gaps", n)
	}
	shoot(t, ctx, "gap-card", card)
	must(t, ctx, chromedp.Click(chromedp.CSS(card+` [data-testid=card-gap] a`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=product-team]`)))
	wantTeamGap(t, ctx, s)

	gap := `#gate [data-testid=gate-reasons] li[data-kind=gap]`
	must(t, ctx, chromedp.Navigate(s.URL+"/releases/"+itoa(pay.ID)), chromedp.WaitVisible(chromedp.CSS(`#gate`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('`+gap+`').length`); n != 1 {
		t.Fatalf("the gate lists %d gaps, want the missing support lead", n)
	}
	if got := strings.Join(strings.Fields(textOf(t, ctx, gap)), " "); got != want {
		t.Errorf("the gate lists the gap as %q, want %q", got, want)
	}
	shoot(t, ctx, "gap-gate", gap)
	must(t, ctx, chromedp.Click(chromedp.CSS(gap+` a`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=product-team]`)))
	wantTeamGap(t, ctx, s)
	shoot(t, ctx, "gap-team", `[data-testid=product-team]`)
}

// wantTeamGap checks that the browser is on payments' page and that its
// team shows no support lead.
func wantTeamGap(t *testing.T, ctx context.Context, s *testServer) {
	t.Helper()
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != s.URL+"/products/payments" {
		t.Errorf("the gap's link led to %q, want payments' page", loc)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid=team-role][data-role=support-lead] [data-testid=team-gap]').length`); n != 1 {
		t.Error("payments' team does not show that it has no support lead")
	}
}
