package handlers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
)

// TestBrowserRefusedFormScrollsToTheError adds a defect with a blank title
// at the foot of a long release page, on a laptop and on a phone, with
// JavaScript and without: the page that answers shows the message in view
// and puts the focus in the title, ready to type.
func TestBrowserRefusedFormScrollsToTheError(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	for i := range 30 {
		s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: fmt.Sprintf("Typo on screen %d", i+1), Severity: gonogo.Minor})
	}
	ctx := newBrowser(t)
	expectConsole(t, ctx, "status of 422", "the test sends forms the server refuses, to see where the errors land")
	browserSignIn(t, ctx, s, "qa")
	for _, tc := range []struct {
		name          string
		width, height int64
		script        bool
	}{
		{"laptop", 1280, 800, true},
		{"laptop without JavaScript", 1280, 800, false},
		{"phone", 390, 844, true},
		{"phone without JavaScript", 390, 844, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !tc.script}); err != nil {
				t.Fatal(err)
			}
			must(t, ctx,
				chromedp.EmulateViewport(tc.width, tc.height),
				chromedp.Navigate(fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)),
				chromedp.Click(chromedp.CSS(`[data-testid=add-defect] summary`)),
				chromedp.SendKeys(chromedp.CSS(`[data-testid=add-defect] input[name=title]`), "   "),
				chromedp.SendKeys(chromedp.CSS(`[data-testid=add-defect] textarea[name=notes]`), "Seen on iOS only."),
				chromedp.Click(chromedp.CSS(`[data-testid=add-defect] button[type=submit]`)),
				chromedp.WaitReady(chromedp.CSS(`[data-testid=add-defect] [data-testid=error-title]`)),
			)
			top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollHeight / innerHeight`))
			if err != nil || top < 3 {
				t.Fatalf("the page is %.1f screens long (%v); the test needs a long one", top, err)
			}
			for _, sel := range []string{`[data-testid=add-defect] [data-testid=error-title]`, `[data-testid=add-defect] input[name=title]`} {
				in, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
					`(r => r.top >= 0 && r.bottom <= innerHeight)(document.querySelector(%q).getBoundingClientRect())`, sel)))
				if err != nil || !in {
					t.Errorf("%s is out of view (%v)", sel, err)
				}
			}
			if !activeIs(t, ctx, `[data-testid=add-defect] input[name=title]`) {
				t.Error("the focus is not in the title")
			}
			notes, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`[data-testid=add-defect] textarea[name=notes]`)))
			if notes != "Seen on iOS only." {
				t.Errorf("the notes typed came back as %q", notes)
			}
			screenshot(t, ctx, "refused-defect-"+tc.name)
		})
	}
}

// TestBrowserItemNotApplicableByEnter marks a checklist item n/a without a
// reason, as a person would first try, with JavaScript and without: the
// refusal puts the focus in the item's text field, and typing the reason
// and pressing Enter marks it n/a, not open.
func TestBrowserItemNotApplicableByEnter(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	items, err := s.store.FindItems(t.Context(), rel.ID)
	if err != nil || len(items) < 2 {
		t.Fatalf("items: %v", err)
	}
	ctx := newBrowser(t)
	expectConsole(t, ctx, "status of 422", "Not applicable without a reason is refused, as the test means it to be")
	browserSignIn(t, ctx, s, "rm")
	for i, script := range []bool{true, false} {
		t.Run(fmt.Sprintf("script %t", script), func(t *testing.T) {
			it := items[i]
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !script}); err != nil {
				t.Fatal(err)
			}
			row := fmt.Sprintf(`#item-%d`, it.ID)
			must(t, ctx,
				chromedp.Navigate(fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)),
				chromedp.Click(chromedp.CSS(row+` [data-testid=set-na]`)),
				chromedp.WaitVisible(chromedp.CSS(row+` [data-testid=error-evidence]`)),
			)
			if script {
				settled(t, ctx)
			}
			if !activeIs(t, ctx, row+` input[name=evidence]`) {
				t.Fatal("after the refusal the focus is not in the item's text field")
			}
			must(t, ctx, chromedp.KeyEvent("No personal data is touched"), chromedp.KeyEvent(kb.Enter),
				chromedp.WaitNotPresent(chromedp.CSS(row+` [data-testid=error-evidence]`)))
			if script {
				settled(t, ctx)
			}
			got := s.mustItem(t, rel.ID, it.Title)
			if got.Status != gonogo.ItemNA || got.Reason != "No personal data is touched" {
				t.Fatalf("stored %q with reason %q", got.Status, got.Reason)
			}
		})
	}
}

// activeIs reports whether the element matching css has the focus.
func activeIs(t *testing.T, ctx context.Context, css string) bool {
	t.Helper()
	on, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, css)))
	if err != nil {
		t.Fatal(err)
	}
	return on
}
