package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// TestBrowserScheduleMeeting schedules the Go/No-Go meeting on a laptop
// and on a phone, with JavaScript (htmx swaps the panel) and without (the
// page comes back): a plain http link is refused in place with every
// reason and what was typed kept, then the meeting is scheduled and the
// panel says when and where, within the screen.
func TestBrowserScheduleMeeting(t *testing.T) {
	s := newServer(t)
	ctx := newBrowser(t)
	expectConsole(t, ctx, "status of 422", "the test sends a meeting the server refuses")
	browserSignIn(t, ctx, s, "rm")
	start := future(4, 14)
	pick := chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector("[data-testid=meeting-form] input[name=start]").value = %q`, formTime(start)))
	for i, tc := range []struct {
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
			rel := s.mustCreateRelease(t, "payments", fmt.Sprintf("2.%d.0", i))
			s.move(t, rel.ID, gonogo.OpenReview)
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !tc.script}); err != nil {
				t.Fatal(err)
			}
			where := `[data-testid=meeting-form] input[name=where]`
			must(t, ctx,
				chromedp.EmulateViewport(tc.width, tc.height),
				chromedp.Navigate(fmt.Sprintf("%s/releases/%d#meeting", s.URL, rel.ID)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=meeting-none]`)),
				chromedp.Click(chromedp.CSS(`[data-testid=change-meeting]`)),
				pick,
				chromedp.SendKeys(chromedp.CSS(where), "http://meet.example.com/go-no-go"),
				chromedp.Click(chromedp.CSS(`[data-testid=save-meeting]`)),
				chromedp.WaitVisible(chromedp.CSS(`#meeting [data-testid=error-where]`)),
			)
			settled(t, ctx)
			if got := textOf(t, ctx, `#meeting [data-testid=error-where]`); !strings.Contains(got, "https://") {
				t.Errorf("the refusal says %q", got)
			}
			panelShot(t, ctx, "meeting-refused-"+strings.ReplaceAll(tc.name, " ", "-"))
			must(t, ctx,
				chromedp.SetValue(chromedp.CSS(where), "https://meet.example.com/go-no-go"),
				chromedp.Click(chromedp.CSS(`[data-testid=save-meeting]`)),
				chromedp.WaitVisible(chromedp.CSS(`#meeting [data-testid=meeting-when]`)),
			)
			settled(t, ctx)
			if got := textOf(t, ctx, `#meeting [data-testid=meeting-where]`); !strings.Contains(got, "https://meet.example.com/go-no-go") {
				t.Errorf("the panel says where %q", got)
			}
			fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(r => r.right <= innerWidth)(document.querySelector("#meeting").getBoundingClientRect())`))
			if err != nil || !fits {
				t.Errorf("the panel is wider than the screen (%v)", err)
			}
			panelShot(t, ctx, "meeting-"+strings.ReplaceAll(tc.name, " ", "-"))
			if m, _ := s.store.FindMeeting(t.Context(), rel.ID); !m.Scheduled() || m.Where != "https://meet.example.com/go-no-go" {
				t.Errorf("stored %+v", m)
			}

			// Cancelled from the same panel: "Move or cancel the meeting"
			// opens on the button, brought to the middle of the screen
			// as a person scrolls to it (a click scrolled to the top
			// would land on the phone's sticky header).
			cancel := `#meeting [data-testid=cancel-meeting]`
			must(t, ctx,
				chromedp.Click(chromedp.CSS(`#meeting [data-testid=change-meeting]`)),
				chromedp.WaitVisible(chromedp.CSS(cancel)),
				chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cancel+`").scrollIntoView({block: "center"})`),
				chromedp.Click(chromedp.CSS(cancel), chromedp.NodeVisible),
				chromedp.WaitVisible(chromedp.CSS(`#meeting [data-testid=meeting-cancelled]`)),
			)
			if m, _ := s.store.FindMeeting(t.Context(), rel.ID); m.Scheduled() {
				t.Errorf("still scheduled after cancelling: %+v", m)
			}
		})
	}
}

// panelShot saves the meeting panel alone when GONOGO_SCREENSHOTS names
// a folder, as screenshot does the page.
func panelShot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("GONOGO_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`#meeting`)))
	// The shot scrolls the panel to the top, under the sticky header on a
	// phone; the page goes back to where a click scrolls from.
	chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}
