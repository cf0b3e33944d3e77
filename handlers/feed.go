package handlers

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// feedLimit is how many shipped releases a feed carries.
const feedLimit = 50

// notesFeed is /notes.atom: every shipped release's notes.
func (h *Handler) notesFeed(c echo.Context) error { return h.writeFeed(c, "") }

// writeFeed answers the Atom feed of shipped releases, of one product or of
// all. Feeds are read by programs, and passed on, so they carry only what
// customers may read: shipped releases, no internal notes, no names. That
// makes a feed the same for every reader, so it is rendered once per
// commit (feedcache.go) and answered 304 to a reader who has it.
func (h *Handler) writeFeed(c echo.Context, product string) error {
	base := h.baseURL(c)
	r, err := h.cached(c.Request().Context(), "atom", base+" "+product, func(ctx context.Context) (rendered, error) {
		return h.renderFeed(ctx, base, product)
	})
	if err != nil {
		return err
	}
	return serveFeed(c, "application/atom+xml; charset=utf-8", r)
}

// renderFeed reads and renders a feed: its newest feedLimit entries.
func (h *Handler) renderFeed(ctx context.Context, base, product string) (rendered, error) {
	entries, err := h.store.FindPublishedNotes(ctx, gonogo.NotesFilter{Product: product, ShippedOnly: true, Limit: feedLimit})
	if err != nil {
		return rendered{}, err
	}
	var since time.Time
	if len(entries) == 0 {
		if since, err = h.emptyFeedUpdated(ctx, product); err != nil {
			return rendered{}, err
		}
	}
	atom, err := atomFeed(ctx, base, product, entries, since)
	if err != nil {
		return rendered{}, err
	}
	var buf bytes.Buffer
	if err := feeds.WriteXML(atom, &buf); err != nil {
		return rendered{}, err
	}
	updated, _ := time.Parse(time.RFC3339, atom.Updated)
	return newFeed(buf.Bytes(), updated), nil
}

// emptyFeedUpdated is the updated time of a feed with no entry: when the
// product, or the board, last changed. Never the clock, or the feed would
// look changed at every fetch.
func (h *Handler) emptyFeedUpdated(ctx context.Context, product string) (time.Time, error) {
	changed, err := h.store.ProductChangedAt(ctx, product)
	if changed.IsZero() && err == nil { // a board without anyone: nothing is older than now
		changed = h.store.Now()
	}
	return changed, err
}

// atomFeed builds the feed with gorilla/feeds, then sets what the library
// would otherwise leave to chance: ids that never change (a tag URI of the
// release and the day its notes were first published), the self link, and
// times taken from the notes, never from the clock; since is the feed's
// updated time until an entry is newer.
func atomFeed(ctx context.Context, base, product string, entries []gonogo.NotesEntry, since time.Time) (*feeds.AtomFeed, error) {
	self, title := base+"/notes.atom", "Release notes"
	if product != "" {
		self, title = base+"/notes/"+product+".atom", "Release notes: "+product
	}
	f := &feeds.Feed{Title: title, Link: &feeds.Link{Href: self}, Author: &feeds.Author{Name: "gonogo"},
		Description: "What shipped, what changed and what to tell customers."}
	updated := since.UTC()
	for _, e := range entries {
		content, err := feedContent(ctx, e.Notes.NotesContent)
		if err != nil {
			return nil, err
		}
		item := &feeds.Item{
			Id:      entryID(base, e),
			Title:   e.Release.Product + " " + e.Release.Version + ": " + e.Notes.Title,
			Link:    &feeds.Link{Href: base + gonogo.NotesPath(e.Release)},
			Created: e.ShippedAt,
			Updated: entryUpdated(e),
			Content: content,
		}
		f.Add(item)
		if item.Updated.After(updated) {
			updated = item.Updated
		}
	}
	f.Updated = updated
	atom := (&feeds.Atom{Feed: f}).AtomFeed()
	atom.Id = self
	atom.Link = &feeds.AtomLink{Href: self, Rel: "self", Type: "application/atom+xml"}
	for i, e := range entries {
		atom.Entries[i].Published = e.ShippedAt.UTC().Format(time.RFC3339)
	}
	return atom, nil
}

// entryUpdated is when an entry last changed for a reader of the feed: when
// its release shipped, or a later amendment of its notes.
func entryUpdated(e gonogo.NotesEntry) time.Time {
	if t := e.Notes.LastChanged(); t.After(e.ShippedAt) {
		return t.UTC()
	}
	return e.ShippedAt.UTC()
}

// entryID is a tag URI (RFC 4151) that stays the same however often the
// notes are amended.
func entryID(base string, e gonogo.NotesEntry) string {
	host := "gonogo"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "tag:" + host + "," + e.Notes.PublishedAt.UTC().Format("2006-01-02") + ":notes/" + e.Release.Product + "/" + e.Release.Version
}

// feedContent renders the customer-facing notes as the HTML of an entry.
func feedContent(ctx context.Context, content gonogo.NotesContent) (string, error) {
	var buf bytes.Buffer
	if err := views.NotesFeedContent(content).Render(ctx, &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// baseURL is the address readers use: the configured one, or else the one
// this request came to.
func (h *Handler) baseURL(c echo.Context) string {
	if h.cfg.BaseURL != "" {
		return strings.TrimSuffix(h.cfg.BaseURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

// isFeedPath is true for the addresses of feeds: Atom and iCalendar.
func isFeedPath(p string) bool { return strings.HasSuffix(p, ".atom") || strings.HasSuffix(p, ".ics") }

// requireFeed lets a feed reader in: a signed-in browser as anywhere, a
// person's feed token in ?token= as that person, and no one else unless
// the route is open to anyone (public notes). A feed reader cannot follow
// a sign-in page, so a refusal is a 401 in plain words it can show.
func (h *Handler) requireFeed(c echo.Context, a access, next echo.HandlerFunc) error {
	if currentUser(c) != nil {
		return next(c)
	}
	if tok := c.QueryParam("token"); tok != "" {
		u, err := h.store.FindFeedUser(c.Request().Context(), hashID(tok))
		if gonogo.ErrorCode(err) == gonogo.EUNAUTHORIZED {
			return h.refuseFeed(c, "This feed address no longer works: it was replaced or revoked.")
		} else if err != nil {
			return err
		}
		c.Set("user", &u)
		return next(c)
	}
	if a.publicNotes && h.cfg.PublicNotes {
		return next(c)
	}
	return h.refuseFeed(c, "This feed needs your personal feed address.")
}

// refuseFeed answers a feed request without valid credentials.
func (h *Handler) refuseFeed(c echo.Context, why string) error {
	c.Response().Header().Set("WWW-Authenticate", `FeedToken realm="gonogo"`)
	return c.Blob(http.StatusUnauthorized, "text/plain; charset=utf-8", []byte(why+" Get one on your profile: "+h.baseURL(c)+"/profile\n"))
}
