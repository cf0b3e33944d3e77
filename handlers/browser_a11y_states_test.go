package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// TestBrowserEveryStateIsReadable puts a release in every state the domain
// has, each with a window in the same month, and lets axe-core judge every
// place a state is written in its colours: the board's badges (the closed
// lane opened), the product's recent releases, the calendar's chips and
// list, and each release's page and meeting mode. A page that does not show
// the state it is visited for fails the test, so a state cannot drop out of
// the check unnoticed.
func TestBrowserEveryStateIsReadable(t *testing.T) {
	s := newServer(t)
	month, rels := everyState(t, s)
	// The calendar leaves cancelled releases out; the board shows draft and
	// review with their readiness rather than their state.
	var onCalendar, withStateBadge []gonogo.State
	for _, st := range gonogo.States {
		if st != gonogo.Cancelled {
			onCalendar = append(onCalendar, st)
		}
		if st != gonogo.Draft && st != gonogo.Review {
			withStateBadge = append(withStateBadge, st)
		}
	}

	b := newBrowser(t)
	browserSignIn(t, b, s, "rm")

	// The board, its closed lane opened so that its badges are seen.
	must(t, b, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=board]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=closed-lane] summary`)))
	showsStates(t, b, "/", ".badge-state", withStateBadge)
	checkAccessible(t, b, "/ with the closed lane open")

	// A page, what on it is written in a state's colours, and the states
	// it must show.
	type statePage struct {
		path, ready, what string
		states            []gonogo.State
	}
	pages := []statePage{
		{"/products/payments", `[data-testid=product-recent]`, ".state-pill", gonogo.States},
		{"/calendar?month=" + month.Format("2006-01"), `[data-testid=month]`, ".cal-chip", onCalendar},
		{"/calendar?view=list", `[data-testid=cal-list]`, ".state-pill", onCalendar},
	}
	for _, st := range gonogo.States {
		id := rels[st].ID
		pages = append(pages,
			statePage{fmt.Sprintf("/releases/%d", id), `[data-testid=release-head]`, ".state-pill", []gonogo.State{st}},
			statePage{fmt.Sprintf("/releases/%d/meeting", id), `[data-testid=m-state]`, ".state-pill", []gonogo.State{st}})
	}
	for _, p := range pages {
		must(t, b, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
		showsStates(t, b, p.path, p.what, p.states)
		checkAccessible(t, b, p.path)
	}
}

// everyState gives the product payments a release in every state, each
// with a window on its own day of the month after this one (so in the
// future and within the calendar list's 90 days), and returns that month.
func everyState(t *testing.T, s *testServer) (time.Time, map[gonogo.State]gonogo.Release) {
	t.Helper()
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	rels := map[gonogo.State]gonogo.Release{}
	for i, st := range gonogo.States {
		rel := s.mustCreateRelease(t, "payments", fmt.Sprintf("1.%d.0", i))
		start := month.AddDate(0, 0, 2+i).Add(10 * time.Hour)
		if err := s.store.SetWindow(t.Context(), s.rmActor(), rel.ID, gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if st != gonogo.Draft {
			s.setState(t, rel.ID, st)
		}
		rels[st] = rel
	}
	return month, rels
}

// showsStates fails the test unless the page shows an element of class what
// in each of the states, visible, for axe-core to judge.
func showsStates(t *testing.T, ctx context.Context, page, what string, states []gonogo.State) {
	t.Helper()
	for _, st := range states {
		sel := what + ".state-" + string(st)
		visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
			`[...document.querySelectorAll(%q)].some(e => e.checkVisibility())`, sel)))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if !visible {
			t.Errorf("%s shows no %s: its colours go unchecked", page, sel)
		}
	}
}
