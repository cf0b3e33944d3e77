package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/live"
)

// console is what one tab wrote to its console: calls of console.warn and
// console.error, uncaught exceptions, and the browser's own log entries
// (a style or script the CSP refused, a request that failed). A page that
// works writes none of them, so every browser test ends by asserting that
// its tabs wrote nothing but what the test said it expects.
type console struct {
	mu       sync.Mutex
	entries  []string
	expected []expectation
}

// expectation is an entry a test causes on purpose, with the reason.
type expectation struct {
	text, why string
}

type consoleKey struct{}

// watchConsole records ctx's tab's console from now on and, when the test
// ends (before the browser closes), fails it for every entry not expected.
func watchConsole(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c := &console{}
	if err := chromedp.Listen(ctx, c.record); err != nil {
		t.Fatalf("watching the console: %v", err)
	}
	t.Cleanup(func() { c.check(t) })
	return context.WithValue(ctx, consoleKey{}, c)
}

// expectConsole declares that the tab of ctx will write an entry holding
// text, and why that is right: a refused answer the test asks for is
// logged by the browser, as it should be.
func expectConsole(t *testing.T, ctx context.Context, text, why string) {
	t.Helper()
	c, _ := ctx.Value(consoleKey{}).(*console)
	if c == nil {
		t.Fatal("expectConsole: the context has no console watcher")
	}
	if why == "" {
		t.Fatal("expectConsole: say why the entry is expected")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expected = append(c.expected, expectation{text: text, why: why})
}

// consoleEntries is what the tab of ctx wrote so far, unexpected or not.
func consoleEntries(ctx context.Context) []string {
	c, _ := ctx.Value(consoleKey{}).(*console)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.entries...)
}

// record runs in chromedp's reading loop: it only keeps what matters.
func (c *console) record(ev any) {
	var entry string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeWarning &&
			e.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range e.Args {
			parts = append(parts, remoteText(a))
		}
		entry = fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " "))
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + remoteText(d.Exception)
		}
		entry = fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, text)
	case *log.EventEntryAdded:
		if e.Entry.Level != log.EntryLevelError && e.Entry.Level != log.EntryLevelWarning {
			return
		}
		entry = fmt.Sprintf("%s %s: %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
	default:
		return
	}
	c.mu.Lock()
	c.entries = append(c.entries, entry)
	c.mu.Unlock()
}

// check fails t for every entry that no expectation explains.
func (c *console) check(t *testing.T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if !slices.ContainsFunc(c.expected, func(x expectation) bool { return strings.Contains(e, x.text) }) {
			t.Errorf("the browser console is not clean: %s", e)
		}
	}
}

func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	return strings.Trim(string(o.Value), `"`)
}

// staleText is what a live page's status region says, "" if it has none.
const staleText = `(document.querySelector("[data-testid=live-stale]") || {textContent: ""}).textContent`

// waitStale waits until the status region of ctx's page says something
// holding want, or says nothing if want is "".
func waitStale(t *testing.T, ctx context.Context, want, when string) {
	t.Helper()
	cond := staleText + ` === ""`
	if want != "" {
		cond = fmt.Sprintf(`%s.includes(%q)`, staleText, want)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](staleText))
		t.Fatalf("%s, the page says %q, want %q: %v", when, got, want, err)
	}
}

// TestBrowserLiveStreamTroubleIsShownNotLogged: a live page whose stream
// is cut off (the server goes away mid-stream and is not back for a
// while), and one whose stream the server refuses (a live page too many
// in this browser), say so in their status region and catch up when they
// can. Nothing of it is a console error: htmx's SSE extension, which
// logs every error of a stream as "[object Event]", is told nothing it
// would log. The browser's own notes of the failed requests remain, as
// for any request that fails, and are expected here.
func TestBrowserLiveStreamTroubleIsShownNotLogged(t *testing.T) {
	s := newServer(t, func(cfg *handlers.Config) {
		cfg.StreamLimits = live.Limits{PerSession: 1, PerUser: 5, Total: 10}
	})
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)))
	waitStreams(t, s, 1)
	waitStale(t, ctx, "", "with its stream open")

	// The server goes away mid-stream, and refuses connections until the
	// test has seen the page say it may be behind.
	expectConsole(t, ctx, "net::ERR_INCOMPLETE_CHUNKED_ENCODING", "the browser notes the stream the test cuts off mid-answer")
	expectConsole(t, ctx, "net::ERR_CONNECTION_REFUSED", "the browser notes each reconnection the test refuses")
	var down atomic.Bool
	var tries atomic.Int32
	down.Store(true)
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if down.Load() {
				tries.Add(1)
				chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionRefused})
			} else {
				chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			}
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/events?*"}}}); err != nil {
		t.Fatal(err)
	}
	s.CloseClientConnections()
	waitStale(t, ctx, "may be out of date", "while the server is away")
	for deadline := time.Now().Add(15 * time.Second); tries.Load() < 1 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if tries.Load() < 1 {
		t.Fatal("the page never tried to reopen its stream")
	}
	down.Store(false)
	waitStale(t, ctx, "", "once the server is back")
	waitStreams(t, s, 1)

	// A second live page in this browser is one too many: its stream is
	// refused until the first page closes.
	tab := sameBrowserTab(t, ctx)
	expectConsole(t, tab, "the server responded with a status of 429", "the browser notes each refusal of the stream, past the test's cap of one live page per browser")
	must(t, tab, chromedp.Navigate(s.URL+"/calendar"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=cal-month]`)))
	waitStale(t, tab, "not taking live updates", "with its stream refused")
	must(t, ctx, chromedp.Navigate("about:blank"))
	waitStale(t, tab, "", "once the first page closed")
	waitStreams(t, s, 1)
}
