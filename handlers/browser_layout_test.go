package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
)

// The screens the pages are laid out for: a laptop, the projector of a
// meeting room, and a phone.
const (
	laptopW, laptopH   = 1280, 800
	meetingW, meetingH = 1280, 720
	phoneW, phoneH     = 390, 844
)

// viewport sizes the page as a screen of w×h CSS pixels would.
func viewport(w, h int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(w, h)
}

// eval evaluates a script in the page and fails the test on error.
func eval[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return v
}

// box is where an element is drawn, in CSS pixels of the viewport.
type box struct {
	Top, Bottom, Left, Right, Width, Height float64
	Found                                   bool
}

func boxOf(t *testing.T, ctx context.Context, css string) box {
	t.Helper()
	return eval[box](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return {found: false};
		const r = e.getBoundingClientRect();
		return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height, found: true} })()`, css))
}

// wantInView fails unless the element is drawn whole inside the viewport,
// without scrolling the page.
func wantInView(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	b := boxOf(t, ctx, css)
	w, h := eval[float64](t, ctx, `innerWidth`), eval[float64](t, ctx, `innerHeight`)
	if !b.Found {
		t.Errorf("%s is not on the page", css)
		return
	}
	if b.Width == 0 || b.Height == 0 || b.Top < 0 || b.Left < 0 || b.Bottom > h+0.5 || b.Right > w+0.5 {
		t.Errorf("%s is drawn at top %.0f bottom %.0f left %.0f right %.0f, outside the %.0f×%.0f viewport",
			css, b.Top, b.Bottom, b.Left, b.Right, w, h)
	}
}

// pageScroll is how far the page reaches past the viewport, down and across.
func pageScroll(t *testing.T, ctx context.Context) (down, across float64) {
	t.Helper()
	s := eval[struct{ Down, Across float64 }](t, ctx, `({
		down: document.scrollingElement.scrollHeight - innerHeight,
		across: document.documentElement.scrollWidth - innerWidth })`)
	return s.Down, s.Across
}

// look saves what the browser shows when GONOGO_SCREENSHOTS names a
// folder: the viewport only, which is what a person sees without scrolling.
func look(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("GONOGO_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}

// reviewWithTwelveReasons is a release in review that twelve things keep
// from a Go: a No-Go, two blocking defects, three open items, the notes,
// four roles to sign and the quorum.
func reviewWithTwelveReasons(t *testing.T, s *testServer) gonogo.Release {
	t.Helper()
	ctx := t.Context()
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	start := future(5, 20)
	if err := s.store.SetWindow(ctx, s.rmActor(), rel.ID, gonogo.Window{Start: start, End: start.Add(2 * time.Hour)},
		func(gonogo.Release) error { return nil }); err != nil {
		t.Fatal(err)
	}
	s.move(t, rel.ID, gonogo.OpenReview)
	items, _ := s.store.FindItems(ctx, rel.ID)
	a := s.rmActor()
	open := 0
	for _, it := range items {
		if it.Phase != gonogo.Readiness {
			continue
		}
		if it.Required && open < 3 {
			open++
			continue
		}
		if _, err := s.store.UpdateItem(ctx, a, rel.ID, it.ID, func(r gonogo.Release, it gonogo.Item) (gonogo.Item, error) {
			return gonogo.WorkItem(a, r, it, gonogo.ItemChange{Status: gonogo.ItemDone}, s.store.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails on Safari when the basket holds a gift card and a voucher",
		Severity: gonogo.Blocker, TrackerURL: "https://acme.atlassian.net/browse/PAY-142"})
	s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Refunds over 10,000 EUR are booked twice", Severity: gonogo.Critical})
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteNoGo, "Safari checkout still fails with gift cards; the regression suite is red on two flows")
	s.vote(t, rel.ID, "eng", gonogo.EngineeringLead, gonogo.VoteGo, "Code frozen, all reviews done")
	rel, err := s.store.FindRelease(ctx, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// goWithConditions is a release with a recorded Go and eight conditions
// still open: three from votes, five from the decision.
func goWithConditions(t *testing.T, s *testServer) gonogo.Release {
	t.Helper()
	ctx := t.Context()
	rel := s.mustCreateRelease(t, "storefront", "5.12.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.settleReadiness(t, rel.ID)
	conditions := map[string]string{
		"ops": "ops: deploy only off-peak, after 22:00\nops: keep the old build warm for an hour",
		"qa":  "qa-lead: rerun the Safari suite on production",
	}
	for name, role := range map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead, "qa": gonogo.QALead,
		"ops": gonogo.Ops, "support": gonogo.SupportLead, "rm": gonogo.ReleaseManager} {
		a := s.actorOf(name)
		in := gonogo.VoteInput{Role: role, Value: gonogo.VoteGo, Conditions: conditions[name]}
		if _, err := s.store.CastVote(ctx, a, rel.ID, func(r gonogo.Release) (gonogo.Vote, error) {
			return gonogo.CastVote(a, r, in, s.store.Now())
		}); err != nil {
			t.Fatalf("vote %s: %v", role, err)
		}
	}
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: strings.Join([]string{
		"ops: watch the error rate for the first hour",
		"support-lead: brief the first-line team before the window",
		"product-owner: announce the change to the pilot merchants",
		"engineering-lead: keep the feature flag off for the EU shop",
		"release-manager: confirm the rollback drill ran this week",
	}, "\n")})
	return rel
}

// TestBrowserMeetingFitsTheRoom: the room reads meeting mode on a 1280×720
// projector (or an old 1024×768 one). Everything it decides on is on the
// one screen, without scrolling the page: the verdict with twelve reasons,
// the decide buttons, and after a Go the conditions still open.
func TestBrowserMeetingFitsTheRoom(t *testing.T) {
	s := newServer(t)
	review := reviewWithTwelveReasons(t, s)
	shipped := goWithConditions(t, s)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")

	for _, screen := range [][2]int64{{meetingW, meetingH}, {1024, 768}} {
		must(t, ctx, viewport(screen[0], screen[1]))
		for _, tc := range []struct {
			name    string
			rel     gonogo.Release
			reasons int
			inView  []string
		}{
			{"review with twelve reasons", review, 12,
				[]string{`[data-testid=m-verdict] h2`, `[data-testid=decide-go]`, `[data-testid=decide-no-go]`, `#m-conditions`, `#m-votes`}},
			{"go with open conditions", shipped, 0,
				[]string{`[data-testid=m-verdict] h2`, `#m-conditions`, `[data-testid=m-conditions] li`, `#m-votes`}},
		} {
			name := fmt.Sprintf("%dx%d %s", screen[0], screen[1], tc.name)
			t.Run(name, func(t *testing.T) {
				must(t, ctx,
					chromedp.Navigate(fmt.Sprintf("%s/releases/%d/meeting", s.URL, tc.rel.ID)),
					chromedp.WaitVisible(chromedp.CSS(`[data-testid=meeting]`)),
				)
				settled(t, ctx)
				look(t, ctx, "meeting-"+strings.ReplaceAll(name, " ", "-"))
				if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=m-reasons] li").length`); n != tc.reasons {
					t.Fatalf("the verdict lists %d reasons, want %d", n, tc.reasons)
				}
				if down, across := pageScroll(t, ctx); down > 0 || across > 0 {
					t.Errorf("the meeting page scrolls %.0fpx down and %.0fpx across", down, across)
				}
				for _, css := range tc.inView {
					wantInView(t, ctx, css)
				}
				if tc.reasons == 0 {
					return
				}
				// A keyboard reaches the reasons from the way out, and scrolls them.
				must(t, ctx, chromedp.Focus(chromedp.CSS(`[data-testid=exit-meeting]`)), chromedp.KeyEvent(kb.Tab))
				if !eval[bool](t, ctx, `document.activeElement.matches("[data-testid=m-reasons]")`) {
					t.Fatal("Tab from the way out does not reach the list of reasons")
				}
				if eval[bool](t, ctx, `(l => l.scrollHeight > l.clientHeight)(document.querySelector("[data-testid=m-reasons]"))`) {
					must(t, ctx, chromedp.KeyEvent(kb.PageDown))
					if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("[data-testid=m-reasons]").scrollTop > 0`)); err != nil {
						t.Errorf("Page Down does not scroll the reasons: %v", err)
					}
				}
			})
		}
	}
}
