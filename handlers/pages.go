package handlers

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// Page sizes of the release page's long lists. With them the page weighs
// about the same after a thousand comments as after twenty (see
// TestReleasePageIsBounded).
const (
	historyPageSize = 50 // events of the history
	commentPageSize = 30 // comments of the discussion
	votePageSize    = 10 // earlier votes of each role
)

// listPages says which page of each long list a release page shows: the
// id the list ends before, 0 for the newest. The address carries it
// (?history=, ?comments=, ?role= with ?votes=), so every page is a plain
// link that works without JavaScript.
type listPages struct {
	History  int64
	Comments int64
	Role     gonogo.Role // whose earlier votes Votes pages
	Votes    int64
}

// pagesOf reads the pages a request for part of a release page asks for.
// A live update (/sync) asks for none: it takes those of the page it
// updates, which htmx names in HX-Current-URL, so that an older page stays
// where the reader put it. (The release page itself reads only its own
// address: see showRelease.)
func pagesOf(c echo.Context) (listPages, error) {
	q := c.QueryParams()
	if !hasPages(q) && isPartial(c) {
		if u, err := url.Parse(c.Request().Header.Get("HX-Current-URL")); err == nil {
			p, _ := parsePages(u.Query()) // a live update never fails for the page's address
			return p, nil
		}
	}
	return parsePages(q)
}

func hasPages(q url.Values) bool {
	return q.Has("history") || q.Has("comments") || q.Has("votes") || q.Has("role")
}

func parsePages(q url.Values) (listPages, error) {
	var p listPages
	var err error
	if p.History, err = cursorParam(q, "history", "event"); err != nil {
		return p, err
	}
	if p.Comments, err = cursorParam(q, "comments", "comment"); err != nil {
		return p, err
	}
	if p.Votes, err = cursorParam(q, "votes", "vote"); err != nil {
		return p, err
	}
	if r := q.Get("role"); r != "" {
		if p.Role, err = gonogo.ParseRole(r); err != nil {
			return listPages{}, gonogo.Errorf(gonogo.EINVALID, "no role %q to show the votes of", r)
		}
	}
	return p, nil
}

// cursorParam reads a page's cursor: an id from an "older" link.
func cursorParam(q url.Values, name, what string) (int64, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, gonogo.Errorf(gonogo.EINVALID, "?%s= takes the id of a %s, from an “older” link; %q is not one", name, what, s)
	}
	return n, nil
}

// url is the release page showing these pages.
func (p listPages) url(releaseID int64) string {
	q := url.Values{}
	set := func(k string, v int64) {
		if v > 0 {
			q.Set(k, strconv.FormatInt(v, 10))
		}
	}
	set("history", p.History)
	set("comments", p.Comments)
	if p.Votes > 0 && p.Role != "" {
		q.Set("role", string(p.Role))
		set("votes", p.Votes)
	}
	u := "/releases/" + strconv.FormatInt(releaseID, 10)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// nav links a list to its older page and back to its newest, the other
// lists staying where they are. older is the cursor of the older page, 0
// if there is none; at says where the list is now.
func (p listPages) nav(releaseID int64, at, older int64, with func(p *listPages, cursor int64)) views.ListNav {
	var n views.ListNav
	if older > 0 {
		q := p
		with(&q, older)
		n.Older = q.url(releaseID)
	}
	if at > 0 {
		q := p
		with(&q, 0)
		n.Newest = q.url(releaseID)
	}
	return n
}

// onePage trims a list read with one row more than a page (newest first)
// to the page, and says the cursor of the older page: the id the page
// ends at, or 0 if the list ends here.
func onePage[T any](rows []T, size int, id func(T) int64) ([]T, int64) {
	if len(rows) <= size {
		return rows, 0
	}
	rows = rows[:size]
	return rows, id(rows[size-1])
}
