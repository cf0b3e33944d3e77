// Package views renders gonogo's pages with templ. Components only present
// what handlers give them: no queries and no rules.
package views

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/static"
)

// Page is what every full page needs besides its own content.
type Page struct {
	Title     string
	Nav       string // the nav entry to mark current
	User      *gonogo.User
	App       gonogo.AppAbilities // what the user may do across the board
	CSRF      string
	Loc       *time.Location
	RequestID string
	Flash     string // a one-off message, e.g. after a plain form post
	// Live is the page's stream of changes (its data-sse-connect URL), "" for a
	// page that does not update by itself.
	Live string
	// Sync marks a live update's fragments: what people are typing is kept.
	Sync bool
	Feed string // an Atom feed of the page, announced in its <head>
	// SkipTo is the id of the part of the page most people come for, which
	// the first link skips to (SkipLabel says where), before "Skip to content".
	SkipTo, SkipLabel string
	// Shipped is a release the reader just marked released, celebrated on
	// the page their form led to (the stream celebrates it to the others).
	Shipped *Shipped
	// Unread is the signed-in person's unread notifications, for the bell.
	Unread int
}

// Skipping is p with its first link skipping to the element with id.
func (p Page) Skipping(id, label string) Page {
	p.SkipTo, p.SkipLabel = id, label
	return p
}

// SignedIn reports whether someone is signed in.
func (p Page) SignedIn() bool { return p.User != nil }

// IsAdmin reports whether the signed-in user administers the board.
func (p Page) IsAdmin() bool { return p.User != nil && p.User.Admin }

func (p Page) loc() *time.Location {
	if p.Loc == nil {
		return time.UTC
	}
	return p.Loc
}

// Time formats t in the team's time zone, or "" for the zero time.
func (p Page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc()).Format("Mon 2 Jan 2006, 15:04")
}

// ShortTime formats t briefly, for cards and lists.
func (p Page) ShortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc()).Format("2 Jan 15:04")
}

// Zone is the abbreviation of the team's time zone, e.g. "CET".
func (p Page) Zone(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	name, _ := t.In(p.loc()).Zone()
	return name
}

// Window formats a release window in the team's zone.
func (p Page) Window(w gonogo.Window) string {
	if w.IsZero() {
		return ""
	}
	s, e := w.Start.In(p.loc()), w.End.In(p.loc())
	if s.YearDay() == e.YearDay() && s.Year() == e.Year() {
		return s.Format("Mon 2 Jan, 15:04") + "–" + e.Format("15:04") + " " + p.Zone(s)
	}
	return s.Format("Mon 2 Jan 15:04") + " – " + e.Format("Mon 2 Jan 15:04") + " " + p.Zone(s)
}

// InputTime formats t for a datetime-local input in the team's zone.
func (p Page) InputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc()).Format("2006-01-02T15:04")
}

// ISO is t as RFC 3339 for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Headers is the JSON for data-hx-headers on <body>: htmx sends the CSRF token
// with every request it makes.
func (p Page) Headers() string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": p.CSRF})
	return string(b)
}

// Asset is the cache-busted URL of a static file.
func Asset(name string) string { return static.Path(name) }

func itoa(n int) string          { return strconv.Itoa(n) }
func i64(n int64) string         { return strconv.FormatInt(n, 10) }
func ratio(a, b int) string      { return fmt.Sprintf("%d/%d", a, b) }
func releaseURL(id int64) string { return "/releases/" + i64(id) }

// Clock is the time of day of t in the team's zone.
func (p Page) Clock(t time.Time) string { return t.In(p.loc()).Format("15:04") }

// Duration says how long in words a person reads at a glance: "45 min",
// "3 h 10 min", "2 days".
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "a moment"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	case d < 48*time.Hour:
		return "a day"
	}
	return fmt.Sprintf("%d days", int(d.Hours())/24)
}
