package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserInsightsDrawTheirCharts: on a laptop and on a phone, every
// chart of /insights is drawn (uPlot's canvas inside its box, wider than
// nothing), the page scrolls only down, and the console stays clean, the
// Content-Security-Policy included. Without JavaScript the tables read.
func TestBrowserInsightsDrawTheirCharts(t *testing.T) {
	s := newServer(t)
	insightsHistory(t, s)
	for _, screen := range []struct {
		name string
		w, h int64
	}{{"laptop", laptopW, laptopH}, {"phone", 375, 800}} {
		t.Run(screen.name, func(t *testing.T) {
			ctx := newBrowser(t)
			browserSignIn(t, ctx, s, "po")
			must(t, ctx, viewport(screen.w, screen.h), chromedp.Navigate(s.URL+"/insights"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=insights]`)))
			// Each chart box holds a canvas once drawn.
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("[data-testid=chart]").length > 0 &&
				Array.from(document.querySelectorAll("[data-testid=chart]")).every(c => c.querySelector("canvas"))`)); err != nil {
				t.Fatalf("the charts were not drawn: %v", err)
			}
			undrawn := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("[data-testid=chart]"))
				.filter(c => { const cv = c.querySelector("canvas"); return !cv || cv.getBoundingClientRect().width < 150 || cv.getBoundingClientRect().height < 100; })
				.map(c => c.id)`)
			if len(undrawn) > 0 {
				t.Errorf("charts drawn too small or not at all: %q", undrawn)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=chart]").length`); n < 10 {
				t.Errorf("only %d charts", n)
			}
			if _, across := pageScroll(t, ctx); across > 0 {
				t.Errorf("/insights scrolls %.0fpx sideways at %d×%d", across, screen.w, screen.h)
			}
			wide := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".chart canvas"))
				.filter(c => c.getBoundingClientRect().right > innerWidth + 0.5).map(c => c.closest(".chart").id)`)
			if len(wide) > 0 {
				t.Errorf("charts reach past the screen: %q", wide)
			}
			look(t, ctx, "insights-"+screen.name)
		})
	}
	t.Run("without JavaScript", func(t *testing.T) {
		ctx := newBrowser(t)
		browserSignIn(t, ctx, s, "po")
		must(t, ctx, viewport(375, 800), noScript(), chromedp.Navigate(s.URL+"/insights"),
			chromedp.WaitVisible(chromedp.CSS(`table[data-table=waits]`)))
		if h := eval[float64](t, ctx, `Math.max(...Array.from(document.querySelectorAll("[data-testid=chart]")).map(c => c.getBoundingClientRect().height))`); h > 0 {
			t.Errorf("an empty chart box takes %.0fpx without JavaScript", h)
		}
		if _, across := pageScroll(t, ctx); across > 0 {
			t.Errorf("/insights scrolls %.0fpx sideways without JavaScript", across)
		}
	})
}
