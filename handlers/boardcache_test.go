package handlers_test

import (
	"testing"
)

// TestBoardIsEachReadersOwn checks that the kept board is never another
// reader's: readers whose boards differ (the empty board's next steps)
// take turns, with whole pages and live swaps, and each sees their own,
// under their own name and CSRF token.
func TestBoardIsEachReadersOwn(t *testing.T) {
	s := newServer(t)
	want := map[string]struct{ addPeople, create bool }{
		"admin": {addPeople: true},
		"qa":    {},
		"rm":    {create: true},
		"po":    {create: true},
	}
	clients := map[string]*client{}
	for name := range want {
		clients[name] = s.signIn(t, name)
	}
	for _, name := range []string{"admin", "qa", "rm", "qa", "admin", "po", "qa", "rm", "admin"} {
		c, w := clients[name], want[name]
		res, doc := c.get("/")
		wantStatus(t, res, 200)
		if got := doc.Find(`[data-testid=empty-add-people]`).Length() == 1; got != w.addPeople {
			t.Errorf("%s: a link to add people: %t, want %t", name, got, w.addPeople)
		}
		if got := doc.Find(`[data-testid=empty-create]`).Length() == 1; got != w.create {
			t.Errorf("%s: a link to create the first release: %t, want %t", name, got, w.create)
		}
		if got, want := text(doc, "[data-testid=whoami]"), s.users[name].Name; got != want {
			t.Errorf("%s: the page names %q", name, got)
		}
		if got, _ := doc.Find(`form[action="/logout"] input[name=_csrf]`).Attr("value"); got != c.csrf {
			t.Errorf("%s: the page carries another CSRF token", name)
		}
		_, part := c.getHX("/")
		if got := part.Find(`[data-testid=empty-create]`).Length() == 1; got != w.create {
			t.Errorf("%s: the live swap's link to create: %t, want %t", name, got, w.create)
		}
	}
}
