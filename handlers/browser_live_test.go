package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonogo/gonogo"
)

// sameBrowserTab opens another tab of ctx's browser session: the same
// person, signed in with the same cookies, in a second tab.
func sameBrowserTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	return watchConsole(t, tab)
}

// viewShot saves what the screen shows (not the whole page: what is
// fixed to the screen stays where it is) when GONOGO_SCREENSHOTS names a
// folder.
func viewShot(t *testing.T, ctx context.Context, name string) {
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

// waitStreams waits until the server holds n live streams: a change made
// after it reaches every page that opened one.
func waitStreams(t *testing.T, s *testServer, n float64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		open, _ := streamMetrics(t, s)
		if open >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v live streams open, want %v", open, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordSSE makes the page keep the names of the stream's events it
// handled, in window.__sse, to wait on.
var recordSSE = chromedp.Evaluate[chromedp.Void](`window.__sse = [];
	document.addEventListener("htmx:sseMessage", e => window.__sse.push(e.detail.type))`)

// handled waits until the page handled n stream events named name.
func handled(t *testing.T, ctx context.Context, name string, n int) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`window.__sse.filter(n => n === %q).length >= %d`, name, n),
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("the page never handled %d %q events: %v", n, name, err)
	}
}

// itemOwnedBy is the first readiness item of the release that role owns.
func itemOwnedBy(t *testing.T, s *testServer, releaseID int64, role gonogo.Role) gonogo.Item {
	t.Helper()
	items, err := s.store.FindItems(t.Context(), releaseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.OwnerRole == role && it.Phase == gonogo.Readiness {
			return it
		}
	}
	t.Fatalf("no item for %s", role)
	return gonogo.Item{}
}

// workItem sets an item's status as the named test user, as their own
// browser would.
func (s *testServer) workItem(t *testing.T, name string, releaseID int64, it gonogo.Item, st gonogo.ItemStatus) {
	t.Helper()
	a := s.actorOf(name)
	if _, err := s.store.UpdateItem(t.Context(), a, releaseID, it.ID, gonogo.ItemChange{Status: st}); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserOwnChangesBringNoNotice: the release manager ticks checklist
// items; no notice of those changes stacks over the checklist, in that
// tab or in their second one, which still follows them. A change by
// someone else is announced.
func TestBrowserOwnChangesBringNoNotice(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	second := sameBrowserTab(t, ctx)
	for _, tab := range []context.Context{ctx, second} {
		must(t, tab, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=checklist]`)), recordSSE)
	}
	waitStreams(t, s, 2)

	for i := 1; i <= 3; i++ {
		item := fmt.Sprintf(`#group-technical [data-testid=item]:nth-of-type(%d)`, i)
		must(t, ctx,
			chromedp.Click(chromedp.CSS(item+` [data-testid=set-done]`)),
			chromedp.WaitVisible(chromedp.CSS(item+`[data-status=done]`)),
		)
		must(t, second, chromedp.WaitVisible(chromedp.CSS(item+`[data-status=done]`)))
	}
	handled(t, ctx, "item", 3)
	handled(t, second, "item", 3)
	for name, tab := range map[string]context.Context{"the tab they work in": ctx, "their other tab": second} {
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#live [data-testid=live-notice]").length`))
		if err != nil || n != 0 {
			t.Errorf("%s shows %d notices of the person's own changes (%v)", name, n, err)
		}
	}

	qa := s.signIn(t, "qa")
	qa.get("/releases/" + itoa(rel.ID))
	qa.post("/releases/"+itoa(rel.ID)+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}})
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#live [data-testid=live-notice]`)))
	if got := textOf(t, ctx, `#live [data-testid=live-notice]`); !strings.Contains(got, "signed Go for QA lead") {
		t.Fatalf("the notice of someone else's vote says %q", got)
	}
}

// place is where the reader is: the scroll position, the focused element
// and where it stands on the screen, and what it holds.
type place struct {
	ScrollY float64 `json:"scrollY"`
	Top     float64 `json:"top"`
	Active  string  `json:"active"`
	Value   string  `json:"value"`
	Same    bool    `json:"same"` // the very element marked before
}

const wherePlace = `(() => { const a = document.activeElement; return {scrollY: window.scrollY,
	top: a.getBoundingClientRect().top, active: a.id || a.getAttribute("data-testid") || a.tagName,
	value: a.value || "", same: a.__marked === true}; })()`

func placeOf(t *testing.T, ctx context.Context) place {
	t.Helper()
	p, err := chromedp.Run(ctx, chromedp.Evaluate[place](wherePlace))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// samePlace fails unless the reader is where they were: the focus on the
// same element, which stands where it stood on the screen (when a line is
// added above it, the page scrolls by that line, so that it does), and,
// if still, the page scrolled exactly as far as before.
func samePlace(t *testing.T, what string, before, after place, still bool) {
	t.Helper()
	if math.Abs(after.Top-before.Top) > 2 || (still && math.Abs(after.ScrollY-before.ScrollY) > 2) {
		t.Errorf("%s: the page moved: scrollY %v → %v, the focused element's top %v → %v", what, before.ScrollY, after.ScrollY, before.Top, after.Top)
	}
	if after.Active != before.Active {
		t.Errorf("%s: the focus moved from %q to %q", what, before.Active, after.Active)
	}
}

// TestBrowserLiveSwapKeepsYourPlace: while the release manager types a
// sign-off comment, far down a long release page, someone else votes;
// while they hold a checklist button in focus, someone else ticks an
// item, and the whole checklist is drawn anew (it jumped by its own
// height, 2,192 pixels on a laptop, and dropped the focus). On a laptop
// and on a phone the page stays where it was, the focus where it was, the
// half-typed words as they were.
func TestBrowserLiveSwapKeepsYourPlace(t *testing.T) {
	for _, screen := range []struct {
		name          string
		width, height int64
	}{{"laptop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(screen.name, func(t *testing.T) {
			s := newServer(t)
			rel := s.longRelease(t, "2.0.0", 0, 3, 12)
			page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
			ctx := newBrowser(t)
			browserSignIn(t, ctx, s, "rm")
			must(t, ctx, chromedp.EmulateViewport(screen.width, screen.height),
				chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=checklist]`)), recordSSE)
			waitStreams(t, s, 1)

			// Typing a comment, scrolled down the page.
			field := `#vote-release-manager-comment`
			must(t, ctx,
				chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 1200)`),
				chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector("`+field+`");
					window.scrollTo(0, window.scrollY + f.getBoundingClientRect().top - 300); f.focus({preventScroll: true}); })()`),
				chromedp.KeyEvent("Fine by me, once the"),
			)
			before := placeOf(t, ctx)
			if before.ScrollY < 300 || before.Active != "vote-release-manager-comment" {
				t.Fatalf("the setup is not as meant: %+v", before)
			}
			s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
			must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#role-qa-lead[data-vote=go]`)))
			handled(t, ctx, "vote", 1)
			settled(t, ctx)
			must(t, ctx, chromedp.KeyEvent(" dashboards are in"))
			after := placeOf(t, ctx)
			samePlace(t, "typing while someone votes", before, after, true)
			if after.Value != "Fine by me, once the dashboards are in" {
				t.Errorf("the comment became %q", after.Value)
			}

			// A checklist button in focus, by keyboard.
			mine := itemOwnedBy(t, s, rel.ID, gonogo.ReleaseManager)
			button := fmt.Sprintf(`#item-%d [data-testid=set-failed]`, mine.ID)
			must(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector("`+button+`");
				window.scrollTo(0, window.scrollY + b.getBoundingClientRect().top - 300); b.focus({preventScroll: true}); b.__marked = true; })()`))
			before = placeOf(t, ctx)
			theirs := itemOwnedBy(t, s, rel.ID, gonogo.EngineeringLead)
			s.workItem(t, "eng", rel.ID, theirs, gonogo.ItemDone)
			must(t, ctx, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#item-%d[data-status=done]`, theirs.ID))))
			handled(t, ctx, "item", 1)
			settled(t, ctx)
			after = placeOf(t, ctx)
			if after.Same {
				t.Fatal("the checklist was not redrawn; the test proves nothing")
			}
			samePlace(t, "a button in focus while someone ticks an item", before, after, false)
			viewShot(t, ctx, "live-keeps-place-"+screen.name)
		})
	}
}

// markReleasable takes a release with a Go through deployment to
// verifying, its verification items done: one step from released.
func (s *testServer) markReleasable(t *testing.T, rel gonogo.Release) {
	t.Helper()
	s.move(t, rel.ID, gonogo.StartDeploy)
	s.move(t, rel.ID, gonogo.FinishDeploy)
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.Phase == gonogo.Verification {
			s.workItem(t, "rm", rel.ID, it, gonogo.ItemDone)
		}
	}
}

// rect is an element's box on the screen.
type rect struct {
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

func rectOf(t *testing.T, ctx context.Context, css string) rect {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[rect](`(() => { const r = document.querySelector(`+"`"+css+"`"+`).getBoundingClientRect();
		return {x: r.x, y: r.y, width: r.width, height: r.height}; })()`))
	if err != nil {
		t.Fatalf("box of %s: %v", css, err)
	}
	return r
}

func (r rect) overlaps(o rect) bool {
	return r.X < o.X+o.Width && o.X < r.X+r.Width && r.Y < o.Y+o.Height && o.Y < r.Y+r.Height
}

// TestBrowserReleaseIsCelebratedWithItsShipper: the release manager marks
// the release released and is greeted as the product owner watching the
// page is: a short banner, announced, clear of the navigation, that goes
// by itself (with reduced motion too) or with its close button.
func TestBrowserReleaseIsCelebratedWithItsShipper(t *testing.T) {
	s := newServer(t)
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	s.markReleasable(t, rel)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
	rmCtx := newBrowser(t)
	browserSignIn(t, rmCtx, s, "rm")
	poCtx := otherBrowser(t, rmCtx)
	browserSignIn(t, poCtx, s, "po")
	if _, err := chromedp.Call(rmCtx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}}); err != nil {
		t.Fatal(err)
	}
	must(t, poCtx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-head]`)))
	must(t, rmCtx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=transition-mark-released]`)))
	waitStreams(t, s, 2)

	must(t, rmCtx, chromedp.Click(chromedp.CSS(`[data-testid=transition-mark-released]`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-mark-released [data-testid=confirm-ok]`)),
		chromedp.Click(chromedp.CSS(`#confirm-mark-released [data-testid=confirm-ok]`)))
	for who, ctx := range map[string]context.Context{"the release manager": rmCtx, "the product owner": poCtx} {
		if _, err := chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=celebration]`))); err != nil {
			notice, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#notice").textContent.trim()`))
			t.Fatalf("%s sees no celebration but %q: %v", who, notice, err)
		}
		if got := textOf(t, ctx, `[data-testid=celebration]`); !strings.Contains(got, "payments 2.4.0 is released") {
			t.Errorf("%s is told %q", who, got)
		}
		announced, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("[data-testid=celebration]").closest("[role=status]") !== null`))
		if !announced {
			t.Errorf("%s: the celebration is not in a status region", who)
		}
		if c, nav := rectOf(t, ctx, `[data-testid=celebration]`), rectOf(t, ctx, `.topbar`); c.overlaps(nav) {
			t.Errorf("%s: the celebration %+v covers the navigation %+v", who, c, nav)
		}
		viewShot(t, ctx, "celebration-"+strings.ReplaceAll(who, " ", "-"))
	}
	if n, _ := chromedp.Run(rmCtx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=notice]").length`)); n != 0 {
		t.Errorf("the release manager is also shown %q", textOf(t, rmCtx, `[data-testid=notice]`))
	}

	must(t, poCtx, chromedp.Click(chromedp.CSS(`[data-testid=celebration-close]`)))
	gone := `(() => { const c = document.querySelector("[data-testid=celebration]"); return c === null || getComputedStyle(c).visibility === "hidden"; })()`
	if _, err := chromedp.Run(poCtx, chromedp.Poll[bool](gone, chromedp.WithPollingTimeout(2*time.Second))); err != nil {
		t.Error("the close button does not close the celebration")
	}
	if _, err := chromedp.Run(rmCtx, chromedp.Poll[bool](gone, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Error("the celebration stays on the release manager's page")
	}
}

// TestBrowserLiveFetchRetriesUntilCaughtUp: a change arrives, but the
// fragment it asks for cannot be fetched, first for a server error, then
// for a network failure. The page says it may be out of date, asks again
// with growing pauses, and shows the change once it comes through.
func TestBrowserLiveFetchRetriesUntilCaughtUp(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=signoffs]`)))
	waitStreams(t, s, 1)

	// The first three fetches of the vote fragment fail, as they would
	// while a proxy answers for a server that restarts and then while the
	// network is away; the rest go through.
	expectConsole(t, ctx, "the server responded with a status of 503", "the test fails the first fetch with 503 on purpose")
	expectConsole(t, ctx, "net::ERR_CONNECTION_REFUSED", "the test fails the next fetches as a network failure on purpose")
	expectConsole(t, ctx, "htmx:afterRequest", "htmx logs each network failure the test causes, as the end of a request")
	expectConsole(t, ctx, "htmx:sendError", "and as a request it could not send")
	var asked atomic.Int32
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			switch asked.Add(1) {
			case 1:
				chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 503,
					Body: []byte("Service Unavailable")})
			case 2, 3:
				chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionRefused})
			default:
				chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			}
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/sync?kind=vote*"}}}); err != nil {
		t.Fatal(err)
	}

	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	stale := `document.querySelector("[data-testid=live-stale]")`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](stale+` !== null && `+stale+`.textContent.includes("may be out of date")`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the page does not say it may be out of date: %v", err)
	}
	if role, _ := chromedp.Run(ctx, chromedp.Evaluate[string](stale+`.getAttribute("role")`)); role != "status" {
		t.Errorf("the out-of-date message has role %q", role)
	}
	viewShot(t, ctx, "live-stale")
	if _, err := chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`#role-qa-lead[data-vote=go]`))); err != nil {
		t.Fatalf("the vote never reached the page, after %d fetches: %v", asked.Load(), err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](stale+`.textContent === ""`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the page still says it may be out of date: %q", textOf(t, ctx, `[data-testid=live-stale]`))
	}
	if n := asked.Load(); n < 4 {
		t.Errorf("the fragment was fetched %d times", n)
	}
}

// TestBrowserSwapsKeepTheConsoleClean: a release manager resizes the
// conditions box of their sign-off (the browser keeps the size in a style
// attribute), signs, and works the checklist; no swap makes the browser
// refuse an inline style.
func TestBrowserSwapsKeepTheConsoleClean(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=checklist]`)))

	box := `#vote-release-manager-conditions`
	must(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("`+box+`").scrollIntoView({block: "center"})`))
	r := rectOf(t, ctx, box)
	x, y := r.X+r.Width-3, r.Y+r.Height-3 // the resize handle
	must(t, ctx,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y+60, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, y+60, chromedp.ButtonLeft),
	)
	if st, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("`+box+`").getAttribute("style") || ""`)); !strings.Contains(st, "height") {
		t.Fatalf("the box was not resized (style %q)", st)
	}
	must(t, ctx,
		chromedp.SendKeys(chromedp.CSS(box), "ops: deploy off-peak"),
		chromedp.Click(chromedp.CSS(`[data-testid=sign-release-manager] [data-testid=sign-go]`)),
		chromedp.WaitVisible(chromedp.CSS(`#role-release-manager[data-vote=go]`)),
	)
	settled(t, ctx)
	for i := 1; i <= 5; i++ {
		item := fmt.Sprintf(`#group-operational [data-testid=item]:nth-of-type(%d)`, i)
		must(t, ctx, chromedp.Click(chromedp.CSS(item+` [data-testid=set-done]`)), chromedp.WaitVisible(chromedp.CSS(item+`[data-status=done]`)))
		settled(t, ctx)
	}
	for _, e := range consoleEntries(ctx) {
		t.Errorf("console: %s", e)
	}
}

// ringPixels counts the pixels of the brand colour (#2563eb, the focus
// ring) in the band of width px just outside r, on the screen, taken at
// four times the size.
func ringPixels(t *testing.T, ctx context.Context, r rect, px float64) int {
	t.Helper()
	scroll, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](`[window.scrollX, window.scrollY]`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Clip: &page.Viewport{X: scroll[0] + r.X - px, Y: scroll[1] + r.Y - px, Width: r.Width + 2*px, Height: r.Height + 2*px, Scale: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("GONOGO_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "focus-ring.png"), shot.Data, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(shot.Data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	band := int(px * float64(b.Dx()) / (r.Width + 2*px)) // the clip is scaled
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			inside := x >= band && x < b.Max.X-band && y >= band && y < b.Max.Y-band
			if inside {
				continue
			}
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if near(cr>>8, 0x25) && near(cg>>8, 0x63) && near(cb>>8, 0xeb) {
				n++
			}
		}
	}
	return n
}

func near(v uint32, want int) bool { return math.Abs(float64(int(v)-want)) <= 24 }

// TestBrowserChecklistByKeyboard: the first Tab on a release page reaches
// "Skip to checklist", which leads the next Tab into the checklist. Enter
// on an item's Done button marks it done and the focus stays on that
// button, drawn anew, with a focus ring one can see.
func TestBrowserChecklistByKeyboard(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=checklist]`)))

	active := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const a = document.activeElement;
			const item = a.closest("[data-testid=item]");
			return (item ? item.id + " " : "") + (a.getAttribute("data-testid") || a.tagName) + " " + a.textContent.trim(); })()`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	must(t, ctx, chromedp.KeyEvent(kb.Tab))
	if got := active(); got != "skip-to Skip to checklist" {
		t.Fatalf("the first Tab reaches %q, not the link to the checklist", got)
	}
	must(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Tab))
	inside, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#checklist").contains(document.activeElement)`))
	if !inside {
		t.Fatalf("after the skip link, Tab reaches %q, outside the checklist", active())
	}
	first := strings.Fields(active())[0]
	for i := 0; i < 6 && !strings.HasPrefix(active(), first+" set-done"); i++ {
		must(t, ctx, chromedp.KeyEvent(kb.Tab))
	}
	if got := active(); !strings.HasPrefix(got, first+" set-done") {
		t.Fatalf("Tab never reached the first item's Done button: %q", got)
	}
	must(t, ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.__marked = true`), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#`+first+`[data-status=done]`)))
	settled(t, ctx)
	if got := active(); !strings.HasPrefix(got, first+" set-done") {
		t.Fatalf("after Enter the focus is on %q, not on the item's Done button", got)
	}
	if old, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.__marked === true`)); old {
		t.Fatal("the item was not redrawn; the test proves nothing")
	}
	button := rectOf(t, ctx, `#`+first+` [data-testid=set-done]`)
	if n := ringPixels(t, ctx, button, 5); n < int(16*(button.Width+button.Height)) {
		t.Errorf("the focus ring around the Done button shows %d pixels", n)
	}
	screenshot(t, ctx, "checklist-focus")
}

// TestBrowserLiveBoardSwapsTheCardItIsSent: an open board is sent the
// changed card in the stream and puts it in place, without fetching it
// and without a reload, and the new card takes the next change too.
func TestBrowserLiveBoardSwapsTheCardItIsSent(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "support")
	card := fmt.Sprintf(`#card-%d`, rel.ID)
	must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(card)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	waitStreams(t, s, 1)
	var fetched atomic.Int32
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			if strings.Contains(ev.Request.URL, "/card") {
				fetched.Add(1)
			}
		}
	}()
	badge := card + ` [data-testid=gate-badge]`
	before := textOf(t, ctx, badge)
	for i, who := range []struct {
		name string
		role gonogo.Role
	}{{"qa", gonogo.QALead}, {"ops", gonogo.Ops}} {
		s.vote(t, rel.ID, who.name, who.role, gonogo.VoteGo, "")
		js := fmt.Sprintf(`document.querySelector(%q).textContent.trim() !== %q`, badge, before)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("vote %d: the card still says %q", i+1, before)
		}
		// The new card listens for the next change once htmx has settled it.
		settled(t, ctx)
		before = textOf(t, ctx, badge)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`)); err != nil || !same {
		t.Fatal("the board reloaded to show the votes")
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the board fetched the card %d times; the stream carries it", n)
	}
}
