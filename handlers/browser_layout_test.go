package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
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

// noScript turns the page's JavaScript off, as some people browse.
func noScript() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
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
	if err := s.store.SetWindow(ctx, s.rmActor(), rel.ID, gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}); err != nil {
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
		if _, err := s.store.UpdateItem(ctx, a, rel.ID, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
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
		if _, err := s.store.CastVote(ctx, a, rel.ID, in); err != nil {
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

// boardOfEveryKind fills the board as a team's would be: a release in
// review, one with a Go, one released and one cancelled, and a person who
// manages releases and administers the board, so every link is in the menu.
func boardOfEveryKind(t *testing.T, s *testServer) (review, shipped gonogo.Release) {
	t.Helper()
	s.mustCreateUser(t, "boss", gonogo.RoleSet{gonogo.ReleaseManager}, true)
	review = reviewWithTwelveReasons(t, s)
	shipped = goWithConditions(t, s)
	released := s.mustGoRelease(t, "payments", "2.3.0")
	s.setState(t, released.ID, gonogo.Released)
	s.publishNotes(t, released.ID)
	cancelled := s.mustCreateRelease(t, "storefront", "5.11.0")
	s.setState(t, cancelled.ID, gonogo.Cancelled)
	s.mustCreateRelease(t, "mobile-app", "7.0.0-rc.1")
	return review, shipped
}

// mainLinks are the addresses of the menu, for a person who holds every link.
var mainLinks = []string{"/", "/defects", "/calendar", "/notes", "/insights", "/releases/new", "/admin/users", "/profile"}

// visibleLinks lists the addresses of the top bar's links and buttons a
// person can see and reach without scrolling sideways.
func visibleLinks(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".topbar a, .topbar button"))
		.filter(e => { const r = e.getBoundingClientRect(); return e.checkVisibility() && r.width > 0 && r.left >= 0 && r.right <= innerWidth; })
		.map(e => e.getAttribute("href") || e.textContent.trim())`)
}

func wantLinks(t *testing.T, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("the top bar does not show %s; it shows %v", w, got)
		}
	}
}

// TestBrowserPhoneMenu: on a phone the navigation folds behind a menu
// button that a finger, a keyboard and a browser without JavaScript open
// alike; on a laptop it is all on the top bar.
func TestBrowserPhoneMenu(t *testing.T) {
	s := newServer(t)
	boardOfEveryKind(t, s)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "boss")

	t.Run("laptop", func(t *testing.T) {
		must(t, ctx, viewport(laptopW, laptopH), chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
		look(t, ctx, "menu-laptop")
		wantLinks(t, visibleLinks(t, ctx), append(mainLinks, "Sign out")...)
		if eval[bool](t, ctx, `document.querySelector("[data-testid=menu-button]")?.checkVisibility() === true`) {
			t.Error("a laptop shows the menu button")
		}
	})

	t.Run("phone by keyboard", func(t *testing.T) {
		must(t, ctx, viewport(phoneW, phoneH), chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
		if _, across := pageScroll(t, ctx); across > 0 {
			t.Errorf("the board scrolls %.0fpx sideways on a phone", across)
		}
		if got := visibleLinks(t, ctx); slices.Contains(got, "/defects") {
			t.Errorf("the navigation is spread on the phone's top bar before the menu opens: %v", got)
		}
		wantInView(t, ctx, `[data-testid=menu-button]`)
		look(t, ctx, "menu-phone-closed")
		// Tab from the top of the page to the menu button.
		for i := 0; i < 6 && !eval[bool](t, ctx, `document.activeElement.matches("[data-testid=menu-button]")`); i++ {
			must(t, ctx, chromedp.KeyEvent(kb.Tab))
		}
		if !eval[bool](t, ctx, `document.activeElement.matches("[data-testid=menu-button]")`) {
			t.Fatalf("Tab does not reach the menu button; focus is on %s", eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
		}
		if !eval[bool](t, ctx, `(e => e.matches(":focus-visible") && getComputedStyle(e).outlineStyle !== "none" && parseFloat(getComputedStyle(e).outlineWidth) >= 2)(document.activeElement)`) {
			t.Error("the focused menu button shows no focus ring")
		}
		must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`.topbar nav a[href="/defects"]`)))
		look(t, ctx, "menu-phone-open")
		wantLinks(t, visibleLinks(t, ctx), append(mainLinks, "Sign out")...)
		must(t, ctx, chromedp.KeyEvent(kb.Tab))
		if got := eval[string](t, ctx, `document.activeElement.getAttribute("href")`); got != "/" {
			t.Errorf("after the menu button, Tab goes to %q, not to the menu's first link", got)
		}
		must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	})

	t.Run("phone without JavaScript", func(t *testing.T) {
		must(t, ctx, viewport(phoneW, phoneH), noScript(), chromedp.Navigate(s.URL+"/defects"), chromedp.WaitVisible(chromedp.CSS(`main`)))
		if eval[bool](t, ctx, `typeof htmx !== "undefined"`) {
			t.Fatal("the page ran its scripts")
		}
		if eval[int](t, ctx, `document.querySelectorAll("[data-testid=menu-button]").length`) != 1 {
			t.Fatal("the page has no menu button")
		}
		must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid=menu-button]`)), chromedp.WaitVisible(chromedp.CSS(`.topbar nav a[href="/calendar"]`)))
		wantLinks(t, visibleLinks(t, ctx), append(mainLinks, "Sign out")...)
		must(t, ctx, chromedp.Click(chromedp.CSS(`.topbar nav a[href="/calendar"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=month]`)))
	})
}

// wrappedBadges lists the state and gate badges on the page that take more
// than one line: a badge that wraps reads as two.
func wrappedBadges(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".state-pill, .badge"))
		.filter(e => e.checkVisibility())
		.filter(e => { const cs = getComputedStyle(e), r = e.getBoundingClientRect();
			const line = parseFloat(cs.lineHeight) || 1.5 * parseFloat(cs.fontSize);
			const frame = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom) + parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth);
			return e.getClientRects().length > 1 || r.height > line + frame + 1; })
		.map(e => e.textContent.trim() + " (" + Math.round(e.getBoundingClientRect().height) + "px tall)")`)
}

// TestBrowserPagesFitAPhone: the pages people open on a phone fit its
// width, so nothing hides off to the side, and no badge breaks in two.
func TestBrowserPagesFitAPhone(t *testing.T) {
	s := newServer(t)
	review, shipped := boardOfEveryKind(t, s)
	pages := []struct{ name, path, ready string }{
		{"board", "/", `[data-testid=board]`},
		{"release", fmt.Sprintf("/releases/%d", review.ID), `[data-testid=release-head]`},
		{"release-go", fmt.Sprintf("/releases/%d", shipped.ID), `[data-testid=release-head]`},
		{"meeting", fmt.Sprintf("/releases/%d/meeting", review.ID), `[data-testid=meeting]`},
		{"defects", "/defects", `main`},
		{"insights", "/insights", `[data-testid=insights]`},
		{"calendar", "/calendar?month=" + review.Window.Start.Format("2006-01"), `[data-testid=month]`},
		{"notes", "/notes", `main`},
		{"profile", "/profile", `main`},
		{"admin", "/admin/users", `main`},
		{"edit", fmt.Sprintf("/releases/%d/edit", review.ID), `[data-testid=release-form]`},
	}
	for _, screen := range []struct {
		name string
		w, h int64
	}{{"phone", phoneW, phoneH}, {"laptop", laptopW, laptopH}} {
		t.Run(screen.name, func(t *testing.T) {
			ctx := newBrowser(t)
			browserSignIn(t, ctx, s, "boss")
			must(t, ctx, viewport(screen.w, screen.h))
			for _, p := range pages {
				must(t, ctx, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
				settled(t, ctx)
				look(t, ctx, screen.name+"-"+p.name)
				if _, across := pageScroll(t, ctx); across > 0 {
					t.Errorf("%s scrolls %.0fpx sideways at %d×%d", p.path, across, screen.w, screen.h)
				}
				if wrapped := wrappedBadges(t, ctx); len(wrapped) > 0 {
					t.Errorf("%s has badges broken over lines: %v", p.path, wrapped)
				}
			}
		})
	}
}

// TestBrowserReleaseFactsStayPaired: the release manager, the window and
// the cycle each keep their label beside them; on a phone they stack, one
// pair a row, with the labels in a column.
func TestBrowserReleaseFactsStayPaired(t *testing.T) {
	s := newServer(t)
	rel := reviewWithTwelveReasons(t, s)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	type pair struct {
		Label             string
		DtTop, DtLeft     float64
		DtRight, DdTop    float64
		DdLeft, DdBottom  float64
		SameRow, Adjacent bool
	}
	pairs := func() []pair {
		return eval[[]pair](t, ctx, `Array.from(document.querySelectorAll("[data-testid=release-head] dl dt")).map(dt => {
			const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
			return {label: dt.textContent.trim(), dtTop: a.top, dtLeft: a.left, dtRight: a.right, ddTop: b.top, ddLeft: b.left, ddBottom: b.bottom,
				sameRow: Math.abs(a.top - b.top) < 2, adjacent: b.left >= a.right && b.left - a.right < 160};
		})`)
	}
	for _, screen := range []struct {
		name string
		w, h int64
	}{{"laptop", laptopW, laptopH}, {"phone", phoneW, phoneH}} {
		t.Run(screen.name, func(t *testing.T) {
			must(t, ctx, viewport(screen.w, screen.h), chromedp.Navigate(fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-head] dl`)))
			look(t, ctx, "facts-"+screen.name)
			ps := pairs()
			if len(ps) != 4 {
				t.Fatalf("%d facts in the head, want the release manager, the window, the cycle and the kind", len(ps))
			}
			for _, p := range ps {
				if !p.SameRow || !p.Adjacent {
					t.Errorf("%q and its value are apart: label at (%.0f, %.0f)–%.0f, value at (%.0f, %.0f)", p.Label, p.DtLeft, p.DtTop, p.DtRight, p.DdLeft, p.DdTop)
				}
			}
			if screen.name == "phone" {
				for i, p := range ps[1:] {
					if p.DtLeft != ps[0].DtLeft || p.DdLeft != ps[0].DdLeft || p.DtTop < ps[i].DdBottom-1 {
						t.Errorf("%q is not stacked under %q in the same columns", p.Label, ps[i].Label)
					}
				}
			}
		})
	}
}

// TestBrowserGateReasonsLookLikeLinks: each reason the gate gives links to
// where it is fixed, and looks it: link colour, underline, a focus ring.
func TestBrowserGateReasonsLookLikeLinks(t *testing.T) {
	s := newServer(t)
	rel := reviewWithTwelveReasons(t, s)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "qa")
	must(t, ctx, viewport(laptopW, laptopH), chromedp.Navigate(fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#gate [data-testid=gate-reasons]`)))
	type style struct{ Color, Decoration, Link, Text string }
	got := eval[style](t, ctx, `(() => {
		const a = document.querySelector("#gate [data-testid=gate-reasons] a"), crumb = document.querySelector(".crumbs a");
		return {color: getComputedStyle(a).color, decoration: getComputedStyle(a).textDecorationLine,
			link: getComputedStyle(crumb).color, text: getComputedStyle(document.body).color}; })()`)
	if got.Color != got.Link || got.Color == got.Text {
		t.Errorf("a gate reason is coloured %s; links are %s and text %s", got.Color, got.Link, got.Text)
	}
	if !strings.Contains(got.Decoration, "underline") {
		t.Errorf("a gate reason is not underlined (text-decoration-line %q)", got.Decoration)
	}
	// From the gate's heading, Tab goes to the first reason: it shows a focus ring.
	must(t, ctx, chromedp.Evaluate[chromedp.Void](`(h => { h.tabIndex = -1; h.focus(); })(document.querySelector("#gate-title"))`),
		chromedp.KeyEvent(kb.Tab))
	ring := eval[bool](t, ctx, `(e => e.matches("#gate [data-testid=gate-reasons] a:focus-visible") && getComputedStyle(e).outlineStyle !== "none" && parseFloat(getComputedStyle(e).outlineWidth) >= 2)(document.activeElement)`)
	if !ring {
		t.Error("a gate reason reached by Tab shows no focus ring")
	}
}

// TestBrowserClosedCardsShowStateOnce: a card in the lane of recently
// closed releases names its state once.
func TestBrowserClosedCardsShowStateOnce(t *testing.T) {
	s := newServer(t)
	boardOfEveryKind(t, s)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "po")
	must(t, ctx, viewport(laptopW, laptopH), chromedp.Navigate(s.URL+"/"),
		chromedp.Click(chromedp.CSS(`[data-testid=closed-lane] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=closed-lane] [data-testid=release-card]`)))
	look(t, ctx, "closed-lane")
	counts := eval[map[string]int](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll("[data-testid=closed-lane] [data-testid=release-card]")).map(c => {
		const states = ["Released", "Cancelled", "Rolled back"];
		return [c.dataset.release, Array.from(c.querySelectorAll(".state-pill, .badge")).filter(b => states.includes(b.textContent.trim())).length];
	}))`)
	if len(counts) != 2 {
		t.Fatalf("the closed lane holds %v, want the released and the cancelled release", counts)
	}
	for card, n := range counts {
		if n != 1 {
			t.Errorf("the card of %s shows its state %d times", card, n)
		}
	}
}

// TestBrowserEditShowsIdentityAsText: product and version cannot change
// once a release exists, so the edit form shows them as text, saying why,
// rather than as fields that look editable.
func TestBrowserEditShowsIdentityAsText(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, viewport(laptopW, laptopH), chromedp.Navigate(fmt.Sprintf("%s/releases/%d/edit", s.URL, rel.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-form]`)))
	look(t, ctx, "edit-laptop")
	if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=release-form] :is(input, select, textarea):is([name=product], [name=version])").length`); n != 0 {
		t.Errorf("the edit form has %d fields for the product and the version", n)
	}
	if eval[int](t, ctx, `document.querySelectorAll("[data-testid=release-identity]").length`) != 1 {
		t.Fatal("the edit form does not show the product and the version as text")
	}
	if got := textOf(t, ctx, `[data-testid=release-identity]`); !strings.Contains(got, "payments") || !strings.Contains(got, "2.4.0") ||
		!strings.Contains(got, "can't be changed once a release exists") {
		t.Errorf("the edit form says %q of the product and the version", got)
	}
	must(t, ctx,
		chromedp.SetValue(chromedp.CSS(`input[name=title]`), "Apple Pay, everywhere"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-release]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-head]`)),
	)
	got, err := s.store.FindRelease(t.Context(), rel.ID)
	if err != nil || got.Title != "Apple Pay, everywhere" || got.Product != "payments" || got.Version != "2.4.0" {
		t.Fatalf("after saving: %+v, %v", got, err)
	}
}
