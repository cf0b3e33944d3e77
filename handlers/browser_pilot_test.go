package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/mail/smtptest"
)

// TestBrowserPilot is the pilot end to end: the release manager invites
// an outside tester by email, the mail server delivers the personal link,
// the tester opens it in a browser of their own (no account, no session)
// and answers "problem"; the release manager's page shows it live, and
// they make a defect of it in one step.
func TestBrowserPilot(t *testing.T) {
	s := newMailServer(t, true)
	rel := s.mustCreateRelease(t, "payments", "7.0.0")
	s.setState(t, rel.ID, gonogo.Verifying)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)

	rmCtx := newBrowser(t)
	browserSignIn(t, rmCtx, s.testServer, "rm")
	must(t, rmCtx, chromedp.Navigate(page+"#pilot"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=pilot-panel]`)),
		chromedp.SendKeys(chromedp.CSS(`#pilot-invite-emails`), "tess@customer.example"),
		chromedp.Click(chromedp.CSS(`[data-testid=pilot-invite-send]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=pilot-row][data-email="tess@customer.example"][data-status=waiting]`)),
	)
	screenshot(t, rmCtx, "pilot-invited")

	m := s.smtp.WaitFor(t, "the pilot invitation", func(m smtptest.Message) bool {
		return len(m.To) == 1 && m.To[0] == "tess@customer.example"
	})
	link := pilotLinkPattern.FindString(readLetter(t, m).text)
	if link == "" {
		t.Fatal("the invitation has no link")
	}

	// Watch the release page without reloading it.
	must(t, rmCtx, chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	if _, err := chromedp.Run(rmCtx, chromedp.Poll[bool](`document.querySelector(".sync") !== null`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the stream connects

	tester := otherBrowser(t, rmCtx)
	must(t, tester, chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=pilot-form]`)))
	nav, err := chromedp.Run(tester, chromedp.Evaluate[int](`document.querySelectorAll("nav, a[href='/'], [data-testid=menu]").length`))
	if err != nil || nav != 0 {
		t.Fatalf("the tester's page shows %d ways into the board (%v)", nav, err)
	}
	must(t, tester,
		chromedp.Click(chromedp.CSS(`[data-testid=pilot-problem]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=pilot-comment-input]`), "The export stops at 90%"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=pilot-link-input]`), "https://example.com/recording.mp4"),
		chromedp.Click(chromedp.CSS(`[data-testid=pilot-send]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=pilot-thanks]`)),
	)
	screenshot(t, tester, "pilot-answered")

	// Live on the release page: the row, the tally, the item's tally.
	must(t, rmCtx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=pilot-row][data-status=problem]`)))
	same, err := chromedp.Run(rmCtx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatal("the page reloaded to show the answer")
	}
	if got := textOf(t, rmCtx, `[data-testid=pilot-tally]`); got != "0 works, 1 problem, 0 waiting" {
		t.Errorf("tally = %q", got)
	}
	if got := textOf(t, rmCtx, `[data-testid=item-pilot-tally]`); !strings.Contains(got, "1 problem") {
		t.Errorf("the item's tally = %q", got)
	}

	// One step to a defect, which links back to the feedback.
	must(t, rmCtx,
		chromedp.Click(chromedp.CSS(`[data-testid=pilot-make-defect]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=pilot-defect-link]`)),
	)
	defects, err := s.store.FindDefects(t.Context(), rel.ID)
	if err != nil || len(defects) != 1 || defects[0].Title != "Pilot: The export stops at 90%" {
		t.Fatalf("defects = %+v (%v)", defects, err)
	}
	if got := textOf(t, rmCtx, fmt.Sprintf(`#defect-%d`, defects[0].ID)); !strings.Contains(got, "The export stops at 90%") {
		t.Errorf("the defect's row says %q", got)
	}
	screenshot(t, rmCtx, "pilot-defect")
}
