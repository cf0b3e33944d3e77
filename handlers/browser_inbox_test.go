package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// bellReads waits until the bell's accessible name is want.
func bellReads(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	js := fmt.Sprintf(`(document.querySelector("[data-testid=inbox-bell]") || {}).ariaLabel === %q`, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		label, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("[data-testid=inbox-bell]") || {}).ariaLabel || ""`))
		t.Fatalf("the bell reads %q, want %q: %v", label, want, err)
	}
}

// TestBrowserInboxFromTheBell: a person on the board sees the bell count
// rise as a change reaches them, opens the inbox from it, marks one read
// (the bell follows), and follows a notification to its comment; on a
// laptop and on a phone.
func TestBrowserInboxFromTheBell(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	ctx := newBrowser(t)
	browserSignIn(t, ctx, s, "qa")
	must(t, ctx, viewport(laptopW, laptopH), chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inbox-bell]`)))
	bellReads(t, ctx, "Inbox, 1 unread")
	// A change reaches the open board's bell over its stream.
	waitStreams(t, s, 1)
	comment, err := s.store.AddComment(t.Context(), s.actorOf("ops"), rel.ID, gonogo.CommentInput{Body: "@qa the refund flow needs a look"})
	if err != nil {
		t.Fatal(err)
	}
	bellReads(t, ctx, "Inbox, 2 unread")
	screenshot(t, ctx, "inbox-board-laptop")

	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid=inbox-bell]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inbox]`)))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=notification][data-unread=true]").length`))
	if err != nil || n != 2 {
		t.Fatalf("%d unread notifications on the inbox (%v)", n, err)
	}
	screenshot(t, ctx, "inbox-laptop")

	// Marking the newest read swaps its row, and the bell with it.
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid=notification]:first-child [data-testid=mark-read]`)))
	bellReads(t, ctx, "Inbox, 1 unread")
	settled(t, ctx)

	must(t, ctx, viewport(phoneW, phoneH), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inbox-bell]`)))
	screenshot(t, ctx, "inbox-phone")
	must(t, ctx, chromedp.Navigate(s.URL+"/profile#notifications"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=prefs-form]`)))
	screenshot(t, ctx, "prefs-phone")
	must(t, ctx, chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inbox]`)))

	// The notification leads to the comment itself.
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid=notification]:first-child [data-testid=notification-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-head]`)))
	hash, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`))
	if err != nil || hash != "#comment-"+itoa(comment.ID) {
		t.Fatalf("the notification led to %q, want #comment-%d (%v)", hash, comment.ID, err)
	}
}
