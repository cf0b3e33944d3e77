package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// mustFreeze adds a freeze as the release manager.
func (s *testServer) mustFreeze(t *testing.T, in gonogo.FreezeInput) {
	t.Helper()
	if _, err := s.store.CreateFreeze(t.Context(), s.rmActor(), in); err != nil {
		t.Fatalf("create freeze %q: %v", in.Name, err)
	}
}

// freezesPage reads a page of /freezes: the names of the freezes it
// lists, and its links.
type freezesPage struct {
	names                      []string
	more, first, past, current string
}

func getFreezes(t *testing.T, c *client, path string) freezesPage {
	t.Helper()
	res, doc := c.get(path)
	wantStatus(t, res, http.StatusOK)
	var p freezesPage
	doc.Find("[data-testid=freezes] [data-testid=freeze]").Each(func(_ int, f *goquery.Selection) {
		p.names = append(p.names, f.AttrOr("data-name", ""))
	})
	nav := doc.Find("[data-testid=freeze-list] [data-testid=list-nav]")
	p.more = nav.Find("[data-testid=older-link]").AttrOr("href", "")
	p.first = nav.Find("[data-testid=newest-link]").AttrOr("href", "")
	p.past = doc.Find("[data-testid=past-freezes-link]").AttrOr("href", "")
	p.current = doc.Find("[data-testid=current-freezes-link]").AttrOr("href", "")
	return p
}

// walkFreezes follows a list's "next page" links from path to its end.
func walkFreezes(t *testing.T, c *client, path string) ([]string, int) {
	t.Helper()
	var all []string
	pages := 0
	for next := path; next != ""; pages++ {
		if pages > 100 {
			t.Fatal("the pages never end")
		}
		p := getFreezes(t, c, next)
		if len(p.names) > handlers.FreezePageSize || len(p.names) == 0 {
			t.Fatalf("%s lists %d freezes, want 1 to %d", next, len(p.names), handlers.FreezePageSize)
		}
		if (pages > 0) != (p.first != "") {
			t.Fatalf("%s: link back to the first page %q on page %d", next, p.first, pages+1)
		}
		all, next = append(all, p.names...), p.more
	}
	return all, pages
}

// TestFreezesPageIsBounded: /freezes lists the freezes in force and to
// come, soonest first and a page at most, and leads by "Earlier freezes"
// to those that ended, newest first, page by page: every freeze once.
func TestFreezesPageIsBounded(t *testing.T) {
	s := newServer(t)
	now := s.store.Now()
	var current, past []string
	add := func(name string, start, end time.Time) {
		s.mustFreeze(t, gonogo.FreezeInput{Name: name, Once: gonogo.Window{Start: start, End: end}})
	}
	// Made out of order, so the page's order is its own.
	const coming = 60
	for i := range coming {
		if i < 40 {
			add(fmt.Sprintf("ended %02d", i), now.Add(-time.Duration(i+2)*24*time.Hour), now.Add(-time.Duration(i+2)*24*time.Hour+time.Hour))
		}
		add(fmt.Sprintf("coming %02d", coming-1-i), now.Add(time.Duration(coming-i)*time.Hour), now.Add(time.Duration(coming-i+1)*time.Hour))
	}
	for i := range coming {
		current = append(current, fmt.Sprintf("coming %02d", i))
	}
	// Two at the same start: the older first. One ended exactly now.
	add("sale a", now.Add(-time.Hour), now.Add(time.Hour))
	add("sale b", now.Add(-time.Hour), now.Add(time.Hour))
	add("ended now", now.Add(-time.Hour), now)
	add("ended 40", now.Add(-45*24*time.Hour), now.Add(-44*24*time.Hour))
	add("ended 41", now.Add(-45*24*time.Hour), now.Add(-44*24*time.Hour))
	current = append([]string{"sale a", "sale b"}, current...)
	for _, d := range []int{5, 1, 3} {
		name := fmt.Sprintf("weekly %d", d)
		s.mustFreeze(t, gonogo.FreezeInput{Name: name, Weekly: true, Week: gonogo.WeeklySpan{StartDay: time.Weekday(d), StartMin: 600, EndDay: time.Weekday(d), EndMin: 720}})
		current = append(current, name)
	}
	past = append(past, "ended now")
	for i := range 40 {
		past = append(past, fmt.Sprintf("ended %02d", i))
	}
	past = append(past, "ended 41", "ended 40")

	c := s.signIn(t, "ops")
	first := getFreezes(t, c, "/freezes")
	if !slices.Equal(first.names, current[:handlers.FreezePageSize]) {
		t.Fatalf("/freezes lists %v, want the %d soonest in force or to come: %v", first.names, handlers.FreezePageSize, current[:handlers.FreezePageSize])
	}
	if first.more == "" || first.past != "/freezes?view=past" || first.current != "" {
		t.Fatalf("/freezes links on to %q and to the ended to %q, current %q", first.more, first.past, first.current)
	}
	got, pages := walkFreezes(t, c, "/freezes")
	if !slices.Equal(got, current) || pages != 2 {
		t.Fatalf("the current pages list %v in %d pages, want %v", got, pages, current)
	}
	got, pages = walkFreezes(t, c, first.past)
	if !slices.Equal(got, past) || pages != 1 {
		t.Fatalf("the ended pages list %v in %d pages, want %v", got, pages, past)
	}
	ended := getFreezes(t, c, first.past)
	if ended.current != "/freezes" || ended.past != "" {
		t.Fatalf("the ended freezes link back to %q", ended.current)
	}

	// More ended than a page: newest first, page after page.
	for i := range handlers.FreezePageSize {
		name := fmt.Sprintf("long ago %02d", i)
		add(name, now.AddDate(-1, 0, -i), now.AddDate(-1, 0, -i).Add(time.Hour))
		past = append(past, name)
	}
	got, pages = walkFreezes(t, c, first.past)
	if !slices.Equal(got, past) || pages != 2 {
		t.Fatalf("the ended pages list %v in %d pages, want %v", got, pages, past)
	}
}

// TestFreezesPageRefusesBadPaging: a made-up page address is a 4xx that
// says what is wrong, never a 500 or a silent first page.
func TestFreezesPageRefusesBadPaging(t *testing.T) {
	s := newServer(t)
	c := s.signIn(t, "rm")
	for _, q := range []string{"view=bogus", "after=soon", "after=2026-01-01T00:00:00Z", "after=2026-01-01T00:00:00Z_x",
		"view=past&before=weekly_3", "before=2026-01-01T00:00:00Z_3", "view=past&after=weekly_3", "after=weekly_0", "after=", "view=past&view=past"} {
		res, doc := c.get("/freezes?" + q)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := text(doc, "[data-testid=error-message]"); !strings.Contains(msg, "?") {
			t.Errorf("%s: message %q does not name the parameter", q, msg)
		}
	}
}
