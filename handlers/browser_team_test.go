package handlers_test

import (
	"context"
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
