package handlers_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// chromiumPath finds Debian's Chromium (or another Chrome) for browser tests.
func chromiumPath() string {
	if p := os.Getenv("GONOGO_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts headless Chromium for one test, with extra flags if
// any. Without Chromium the test is skipped, unless GONOGO_REQUIRE_BROWSER
// is set, as CI sets it. The test fails if the tab's console is not clean
// at its end (see watchConsole).
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path := chromiumPath()
	if path == "" {
		if os.Getenv("GONOGO_REQUIRE_BROWSER") != "" {
			t.Fatal("GONOGO_REQUIRE_BROWSER is set but no Chromium was found; apt-get install chromium")
		}
		t.Skip("skipping browser test: Chromium not found (apt-get install chromium, or set GONOGO_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A bound on a stuck browser, not a measure of speed: a test that walks
	// many pages (the accessibility walk) needs minutes on a loaded machine.
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return watchConsole(t, ctx)
}

// must runs browser steps and fails the test on the first error.
func must(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// textOf returns the visible text of the first element matching css.
func textOf(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// screenshot saves the page when GONOGO_SCREENSHOTS names a folder, so a
// person can look at what the test saw.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("GONOGO_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}

// settled waits until htmx has finished swapping and settling, as a person
// would before clicking the next button.
func settled(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added") === null`)); err != nil {
		t.Fatal(err)
	}
}

// browserSignIn signs in through the sign-in form.
func browserSignIn(t *testing.T, ctx context.Context, s *testServer, name string) {
	t.Helper()
	must(t, ctx,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), name+"@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`[data-testid=login-form] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=whoami]`)),
	)
}

func TestBrowserCreateReleaseAndWorkChecklist(t *testing.T) {
	s := newServer(t)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")

	must(t, ctx,
		chromedp.Click(chromedp.CSS(`a[href="/releases/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-form]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=product]`), "payments"),
		chromedp.SendKeys(chromedp.CSS(`input[name=version]`), "2.4.0"),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "Apple Pay in checkout"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-release]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-head]`)),
	)
	if got := textOf(t, ctx, `[data-testid=release-version]`); got != "2.4.0" {
		t.Fatalf("release page shows version %q", got)
	}
	if got := textOf(t, ctx, `#readiness [data-testid=pillar-technical] [data-testid=pillar-count]`); got != "0/7" {
		t.Fatalf("technical readiness before: %q", got)
	}

	// Mark the page, so that a reload would show: the mark would be gone.
	must(t, ctx, chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	item := `[data-testid=item][data-title="Static analysis clean"]`
	must(t, ctx,
		chromedp.SendKeys(chromedp.CSS(item+` input[name=evidence]`), "https://ci.example.com/lint/1"),
		chromedp.Click(chromedp.CSS(item+` [data-testid=set-done]`)),
		chromedp.WaitVisible(chromedp.CSS(item+`[data-status=done]`)),
	)
	if got := textOf(t, ctx, `#readiness [data-testid=pillar-technical] [data-testid=pillar-count]`); got != "1/7" {
		t.Fatalf("technical readiness after: %q, want 1/7", got)
	}
	if got := textOf(t, ctx, `#count-technical`); !strings.HasPrefix(got, "1/7") {
		t.Fatalf("technical group count after: %q", got)
	}
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatalf("the page reloaded to show the change (err %v)", err)
	}
	screenshot(t, ctx, "release")

	// The board shows the same progress.
	must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	if got := textOf(t, ctx, `[data-release="payments 2.4.0"] [data-testid=pillar-technical] [data-testid=pillar-count]`); got != "1/7" {
		t.Fatalf("board card technical progress %q", got)
	}
	screenshot(t, ctx, "board")
}

func TestBrowserQAVerifiesBlocker(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails on Safari", Severity: gonogo.Blocker,
		TrackerURL: "https://acme.atlassian.net/browse/PAY-142"})
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "qa")

	must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	card := `[data-release="payments 2.4.0"]`
	if got := textOf(t, ctx, card+` [data-testid=badge-blocking]`); got != "1 blocking" {
		t.Fatalf("board badge before: %q", got)
	}
	must(t, ctx,
		chromedp.Click(chromedp.CSS(card+` .card-title a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=defects]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
	)
	if got := textOf(t, ctx, `[data-testid=blocking-count]`); got != "1 blocking" {
		t.Fatalf("release page before: %q", got)
	}
	row := fmt.Sprintf(`#defect-%d`, d.ID)
	must(t, ctx,
		chromedp.SetValue(chromedp.CSS(row+` select[name=status]`), "verified"),
		chromedp.Click(chromedp.CSS(row+` [data-testid=set-status]`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status=verified]`)),
	)
	if got := textOf(t, ctx, `[data-testid=blocking-count]`); got != "0 blocking" {
		t.Fatalf("release page after: %q", got)
	}
	if got := textOf(t, ctx, `[data-testid=gate-panel]`); strings.Contains(got, "PAY-142") {
		t.Fatalf("the gate still names the verified blocker: %q", got)
	}
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatal("the page reloaded to show the change")
	}
	screenshot(t, ctx, "defects")
	must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	if got := textOf(t, ctx, card+` [data-testid=badge-blocking]`); got != "0 blocking" {
		t.Fatalf("board badge after: %q", got)
	}
}

func TestBrowserFullReview(t *testing.T) {
	s := newServer(t)
	s.mustCreateUser(t, "lead", gonogo.RoleSet{gonogo.ProductOwner, gonogo.EngineeringLead, gonogo.QALead, gonogo.Ops, gonogo.SupportLead}, false)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
	ctx := newBrowser(t)

	reasons := func() int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#gate [data-testid=gate-reasons] li").length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sign := func(role, value, comment string) {
		t.Helper()
		form := `[data-testid=sign-` + role + `]`
		var steps []chromedp.Action[chromedp.Void]
		if comment != "" {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(form+` input[name=comment]`), comment))
		}
		steps = append(steps,
			chromedp.Click(chromedp.CSS(form+` [data-testid=sign-`+value+`]`)),
			chromedp.WaitVisible(chromedp.CSS(`#role-`+role+`[data-vote="`+value+`"]`)),
		)
		must(t, ctx, steps...)
		settled(t, ctx)
	}

	// One person holding five roles signs each of them, one a No-Go first.
	browserSignIn(t, ctx, s, "lead")
	must(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=signoffs]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	before := reasons()
	sign("qa-lead", "no-go", "Safari checkout still fails")
	if got := textOf(t, ctx, `#gate [data-testid=gate-reasons]`); !strings.Contains(got, "voted No-Go: Safari checkout still fails") {
		t.Fatalf("the gate does not show the No-Go: %q", got)
	}
	sign("qa-lead", "go", "fixed and verified")
	for _, role := range []string{"product-owner", "engineering-lead", "ops", "support-lead"} {
		sign(role, "go", "")
	}
	if after := reasons(); after >= before {
		t.Fatalf("gate reasons went from %d to %d", before, after)
	}
	if got := textOf(t, ctx, `#gate [data-testid=gate-reasons]`); !strings.Contains(got, "at least two people") {
		t.Fatalf("one person's votes should not be enough: %q", got)
	}
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatal("the page reloaded while signing")
	}

	// The release manager signs: the gate turns ready in place.
	must(t, ctx, chromedp.Click(chromedp.CSS(`.account button`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=signoffs]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	if disabled, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("[data-testid=decide-go]").disabled`)); !disabled {
		t.Fatal("Record Go is enabled before the release manager signed")
	}
	sign("release-manager", "go", "")
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid=gate-ready]`)))
	same, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if !same {
		t.Fatal("the page reloaded to turn the gate ready")
	}
	screenshot(t, ctx, "gate-ready")

	// Record Go with a condition; the decision page shows the frozen record.
	must(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid=decide] textarea[name=conditions]`), "ops: deploy only off-peak"),
		chromedp.Click(chromedp.CSS(`[data-testid=decide-go]`)),
		// A decision is never edited: the page asks first.
		chromedp.WaitVisible(chromedp.CSS(`#confirm-decide-go`)),
		chromedp.Click(chromedp.CSS(`#confirm-decide-go [data-testid=confirm-ok]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=decision-record]`)),
	)
	if got := textOf(t, ctx, `[data-testid=decision-outcome]`); got != "Go" {
		t.Fatalf("outcome %q", got)
	}
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=record-vote][data-vote=go]").length`))
	if n != 6 {
		t.Fatalf("%d Go votes in the record", n)
	}
	if got := textOf(t, ctx, `[data-testid=record-conditions]`); !strings.Contains(got, "deploy only off-peak") {
		t.Fatalf("record conditions %q", got)
	}
	screenshot(t, ctx, "decision")
}

func TestBrowserFreezeBlocksWindow(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "storefront", "5.12.0")
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	sale := future(12, 0)
	// Date pickers differ by locale; set their value as a picker would.
	pick := func(css string, t time.Time) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = %q`, css, formTime(t)))
	}

	must(t, ctx,
		chromedp.Navigate(s.URL+"/freezes"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=freeze-form]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=freeze-form] input[name=name]`), "Winter sale"),
		pick(`[data-testid=freeze-form] input[name=start]`, sale),
		pick(`[data-testid=freeze-form] input[name=end]`, sale.Add(48*time.Hour)),
		chromedp.Click(chromedp.CSS(`[data-testid=save-freeze]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=freeze][data-name="Winter sale"]`)),
	)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
	must(t, ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=window-panel]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=change-window]`)),
		pick(`[data-testid=window-form] input[name=window_start]`, sale.Add(20*time.Hour)),
		pick(`[data-testid=window-form] input[name=window_end]`, sale.Add(22*time.Hour)),
		chromedp.Click(chromedp.CSS(`[data-testid=save-window]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=window-freeze]`)),
	)
	if got := textOf(t, ctx, `#gate [data-testid=gate-reasons]`); !strings.Contains(got, "Winter sale") {
		t.Fatalf("the gate does not name the freeze: %q", got)
	}
	screenshot(t, ctx, "window-in-freeze")
	must(t, ctx,
		chromedp.Navigate(s.URL+"/calendar?month="+sale.Format("2006-01")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=month]`)),
	)
	day := `[data-testid=cal-day][data-date="` + sale.Format("2006-01-02") + `"]`
	if got := textOf(t, ctx, day); !strings.Contains(got, "Winter sale") || !strings.Contains(got, "storefront 5.12.0") {
		t.Fatalf("the calendar day shows %q, want the freeze and the window", got)
	}
	screenshot(t, ctx, "calendar")
}

func TestBrowserWriteAndPublishNotes(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleItems(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.signAll(t, rel.ID)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "po")

	// Only the notes stand between the release and a Go.
	must(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=gate-panel]`)))
	if got := textOf(t, ctx, `#gate [data-testid=gate-reasons]`); !strings.Contains(got, "Release notes are not written yet") {
		t.Fatalf("the gate does not name the notes: %q", got)
	}

	// Write with the live preview: it follows the typing without a reload.
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=write-notes]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notes-form]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=highlights]`), "Customers pay with **Apple Pay** in the checkout."),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=known_issues]`), "Safari 16 shows the sheet twice."),
		chromedp.WaitVisible(chromedp.CSS(`#notes-preview [data-testid=md-highlights] strong`)),
	)
	settled(t, ctx)
	if got := textOf(t, ctx, `#notes-preview [data-testid=md-highlights] strong`); got != "Apple Pay" {
		t.Fatalf("the preview shows %q in bold", got)
	}
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatal("the page reloaded to preview")
	}
	screenshot(t, ctx, "notes-editor")

	// Publish: the notes become a page.
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=publish-notes]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notes-page]`)),
	)
	if got := textOf(t, ctx, `[data-testid=notes-known-issues]`); !strings.Contains(got, "Safari 16") {
		t.Fatalf("known issues on the page: %q", got)
	}
	screenshot(t, ctx, "notes-page")

	// Find them by searching for the start of a word.
	must(t, ctx,
		chromedp.Navigate(s.URL+"/notes"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notes-q]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=notes-q]`), "appl"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notes-entry] [data-testid=entry-snippet] mark`)),
	)
	settled(t, ctx)
	if got := textOf(t, ctx, `[data-testid=entry-snippet] mark`); got != "Apple" {
		t.Fatalf("the search marks %q", got)
	}
	must(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=notes-entry] [data-testid=entry-title]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=notes-page]`)),
	)

	// The gate no longer waits on the notes: it is ready for a Go.
	must(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=gate-ready]`)))
	if got := textOf(t, ctx, `[data-testid=notes-panel-status]`); got != "Published" {
		t.Fatalf("the release page says the notes are %q", got)
	}
}

// otherBrowser opens a second, separate browser session (its own cookies)
// beside ctx, for a test with two people at once.
func otherBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	other, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return watchConsole(t, other)
}

func TestBrowserLiveVoteReachesOtherReader(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := fmt.Sprintf("%s/releases/%d", s.URL, rel.ID)
	rmCtx := newBrowser(t)
	browserSignIn(t, rmCtx, s, "rm") // starts the browser
	qaCtx := otherBrowser(t, rmCtx)
	browserSignIn(t, qaCtx, s, "qa")

	must(t, rmCtx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=signoffs]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
		// Half-typed words must survive the update.
		chromedp.SendKeys(chromedp.CSS(`#decide-rationale`), "Looks good so far"),
		chromedp.Click(chromedp.CSS(`#waive-box-support-lead summary`)),
	)
	// Give the stream a moment to connect before the change happens.
	if _, err := chromedp.Run(rmCtx, chromedp.Poll[bool](`document.querySelector(".sync") !== null`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)

	must(t, qaCtx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid=sign-qa-lead]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=sign-qa-lead] input[name=comment]`), "regression suite green"),
		chromedp.Click(chromedp.CSS(`[data-testid=sign-qa-lead] [data-testid=sign-go]`)),
		chromedp.WaitVisible(chromedp.CSS(`#role-qa-lead[data-vote=go]`)),
	)
	// The release manager's page shows the vote without a reload.
	must(t, rmCtx, chromedp.WaitVisible(chromedp.CSS(`#role-qa-lead[data-vote=go]`)))
	same, err := chromedp.Run(rmCtx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatal("the page reloaded to show the vote")
	}
	if got := textOf(t, rmCtx, `#live [data-testid=live-notice]`); !strings.Contains(got, "signed Go for QA lead") {
		t.Fatalf("the notice says %q", got)
	}
	typed, _ := chromedp.Run(rmCtx, chromedp.Value(chromedp.CSS(`#decide-rationale`)))
	if typed != "Looks good so far" {
		t.Fatalf("the half-typed rationale became %q", typed)
	}
	open, _ := chromedp.Run(rmCtx, chromedp.Evaluate[bool](`document.querySelector("#waive-box-support-lead").open`))
	if !open {
		t.Fatal("an open menu closed")
	}
	screenshot(t, rmCtx, "live-vote")
}
