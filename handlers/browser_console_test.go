package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
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
