package handlers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
)

// tabTo presses Tab, as a person walking the page by keyboard does, until
// the element matching css has the focus.
func tabTo(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	check := fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, css)
	for range 400 {
		if on, err := chromedp.Run(ctx, chromedp.Evaluate[bool](check)); err != nil {
			t.Fatal(err)
		} else if on {
			return
		}
		must(t, ctx, chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("Tab never reached %s", css)
}

// press sends one key n times to whatever has the focus.
func press(t *testing.T, ctx context.Context, key string, n int) {
	t.Helper()
	for range n {
		must(t, ctx, chromedp.KeyEvent(key))
	}
}

// storedDefect reads a defect as the store has it.
func (s *testServer) storedDefect(t *testing.T, releaseID, id int64) gonogo.Defect {
	t.Helper()
	d, err := s.store.FindDefect(t.Context(), releaseID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBrowserArrowKeysOnDefectStatusSaveNothing walks to an open blocker's
// status by keyboard and presses ↓ three times: the menu shows Verified,
// and nothing is saved until the person says so.
func TestBrowserArrowKeysOnDefectStatusSaveNothing(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails on Safari", Severity: gonogo.Blocker})
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "qa")

	for _, page := range []string{fmt.Sprintf("/releases/%d", rel.ID), "/defects"} {
		t.Run(page, func(t *testing.T) {
			sel := fmt.Sprintf(`#defect-%d select[name=status]`, d.ID)
			must(t, ctx, chromedp.Navigate(s.URL+page), chromedp.WaitVisible(chromedp.CSS(sel)))
			tabTo(t, ctx, sel)
			press(t, ctx, kb.ArrowDown, 3)
			settled(t, ctx)
			if got := s.storedDefect(t, rel.ID, d.ID).Status; got != gonogo.DefectOpen {
				t.Fatalf("arrow keys saved the blocker as %q", got)
			}
			if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel))); got != string(gonogo.DefectVerified) {
				t.Fatalf("after three ↓ the menu shows %q, want verified", got)
			}
		})
	}
}

// TestBrowserDeferNeedsReasonFirst is the QA lead deferring a blocker by
// keyboard: Deferred without a reason is refused with the menu still on
// Deferred and the focus in the reason field; typing the reason and
// pressing Enter saves both.
func TestBrowserDeferNeedsReasonFirst(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	ctx := newBrowser(t)
	expectConsole(t, ctx, "status of 422", "Deferred without a reason is refused, as the test means it to be")
	browserSignIn(t, ctx, s, "qa")

	for _, page := range []string{fmt.Sprintf("/releases/%d", rel.ID), "/defects"} {
		t.Run(page, func(t *testing.T) {
			d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Refunds round down " + page, Severity: gonogo.Blocker})
			row := fmt.Sprintf(`#defect-%d`, d.ID)
			sel, reason := row+` select[name=status]`, row+` input[name=reason]`
			must(t, ctx, chromedp.Navigate(s.URL+page), chromedp.WaitVisible(chromedp.CSS(sel)))
			if vis, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checkVisibility()`, reason))); vis {
				t.Error("the reason field shows while the status needs none")
			}
			tabTo(t, ctx, sel)
			press(t, ctx, kb.ArrowDown, 4) // open → in progress → fixed → verified → deferred
			tabTo(t, ctx, row+` [data-testid=set-status]`)
			press(t, ctx, kb.Enter, 1)
			must(t, ctx, chromedp.WaitVisible(chromedp.CSS(row+` [data-testid=error-reason]`)))
			settled(t, ctx)
			if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel))); got != string(gonogo.DefectDeferred) {
				t.Fatalf("after the refusal the menu shows %q, want deferred", got)
			}
			if !activeIs(t, ctx, reason) {
				t.Fatal("after the refusal the focus is not in the reason field")
			}
			screenshot(t, ctx, "defer-needs-reason")
			must(t, ctx, chromedp.KeyEvent("Waiting on the payment provider"))
			press(t, ctx, kb.Enter, 1)
			// The row shows the defect deferred, or, on the defects page, a
			// live update has already taken it off the list of unresolved ones.
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`(r => !r || r.dataset.status === "deferred")(document.querySelector(%q))`, row))); err != nil {
				t.Fatal(err)
			}
			got := s.storedDefect(t, rel.ID, d.ID)
			if got.Status != gonogo.DefectDeferred || got.Reason != "Waiting on the payment provider" {
				t.Fatalf("stored %q with reason %q", got.Status, got.Reason)
			}
		})
	}
}
