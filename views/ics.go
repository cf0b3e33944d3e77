package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/gonogo/gonogo"
)

// Feed is what the iCalendar feed holds.
type Feed struct {
	BaseURL string
	Zone    *time.Location
	Windows []FeedWindow
	Freezes []gonogo.Freeze
	From    time.Time // the feed covers time from here on
	// Until is how far ahead the weeks of a weekly freeze that a clock
	// change falls inside are written out; two years after From if zero.
	Until time.Time
}

// FeedWindow is a release window with how often it has moved.
type FeedWindow struct {
	gonogo.Scheduled
	Seq int
}

// ICS writes the feed as RFC 5545 iCalendar: one event per release window
// (UID stable per release, SEQUENCE bumped when the window moves), one per
// one-off freeze, and one recurring event per weekly freeze, in the team's
// zone so that it keeps its wall-clock time across daylight saving changes.
//
// The feed is published, not sent: it has no METHOD, which would make it an
// iTIP message (RFC 5546) whose events need an ORGANIZER. Lines end in CRLF
// as RFC 5545 §3.1 requires, whatever the host's newline.
func ICS(f Feed) string {
	cal := ics.NewCalendarFor("gonogo")
	cal.SetName("gonogo release windows")
	cal.SetXWRCalName("gonogo release windows")
	cal.SetRefreshInterval("PT1H")
	zone := f.Zone
	if zone == nil {
		zone = time.UTC
	}
	if f.Until.IsZero() {
		f.Until = f.From.AddDate(2, 0, 0)
	}
	rule := "FREQ=WEEKLY"
	if zone != time.UTC && hasWeekly(f.Freezes) {
		cal.SetXWRTimezone(zone.String())
		tz, until := vtimezone(zone, earliest(f, zone))
		cal.AddVTimezone(tz)
		if !until.IsZero() {
			// Weekly freezes end where the zone's description does, so
			// that no app guesses an offset.
			rule += ";UNTIL=" + until.UTC().Format("20060102T150405Z")
		}
	}
	for _, w := range f.Windows {
		e := cal.AddEvent(fmt.Sprintf("release-%d-window@gonogo", w.ReleaseID))
		e.SetSequence(w.Seq)
		e.SetDtStampTime(w.Changed)
		e.SetLastModifiedAt(w.Changed)
		e.SetStartAt(w.Window.Start)
		e.SetEndAt(w.Window.End)
		summary := fmt.Sprintf("%s %s: %s", w.Product, w.Version, w.Title)
		if w.Rollout != "" {
			summary += " · Rollout: " + w.Rollout
		}
		e.SetSummary(text(summary))
		url := fmt.Sprintf("%s/releases/%d", f.BaseURL, w.ReleaseID)
		e.SetURL(url)
		e.SetDescription(text(fmt.Sprintf("Release window of %s %s (%s). State: %s.\n%s", w.Product, w.Version, w.Title, w.State.Label(), url)))
		e.AddCategory("release")
	}
	for _, fr := range f.Freezes {
		if !fr.Weekly {
			e := freezeEvent(cal, fr)
			e.SetStartAt(fr.Once.Start)
			e.SetEndAt(fr.Once.End)
			continue
		}
		weeklyFreeze(cal, fr, f, zone, rule)
	}
	return cal.Serialize(ics.WithNewLine("\r\n"))
}

// text is s with every line break as LF, the one iCalendar TEXT can escape
// (\n): a browser sends a textarea's line breaks as CRLF, and a raw CR in a
// property value ends the line early in some readers.
func text(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// freezeEvent adds the event of a freeze, or of one occurrence of a weekly
// freeze, with all but its times.
func freezeEvent(cal *ics.Calendar, fr gonogo.Freeze) *ics.VEvent {
	e := cal.AddEvent(fmt.Sprintf("freeze-%d@gonogo", fr.ID))
	e.SetSequence(fr.Seq)
	e.SetSummary(text("Freeze: " + fr.Name))
	desc := "No deploys" + scope(fr) + "."
	if fr.Reason != "" {
		desc += " " + fr.Reason
	}
	e.SetDescription(text(desc))
	e.AddCategory("freeze")
	e.SetTimeTransparency(ics.TransparencyTransparent)
	e.SetDtStampTime(fr.CreatedAt)
	return e
}

// weeklyFreeze adds a weekly freeze: a rule from its first occurrence, in
// the team's zone so that it keeps its wall-clock times. A rule's events all
// last the same exact time (RFC 5545 §3.8.5.3), but the week a clock change
// falls inside is an hour shorter or longer on the wall clock; and a start
// in the hour a change skips or repeats is read differently by different
// apps. Each such week from f.From to f.Until is written out as an
// overriding occurrence (RECURRENCE-ID) with its exact times in UTC.
func weeklyFreeze(cal *ics.Calendar, fr gonogo.Freeze, f Feed, zone *time.Location, rule string) {
	first := firstOccurrence(fr, fr.CreatedAt, zone)
	length := fr.Week.Length()
	e := freezeEvent(cal, fr)
	if zone == time.UTC {
		e.SetStartAt(first.Start)
		e.SetEndAt(first.Start.Add(length))
		e.AddRrule(rule)
		return
	}
	tzid := ics.WithTZID(zone.String())
	e.SetProperty(ics.ComponentPropertyDtStart, ruleStart(fr, first.Start, zone).Format(localFormat), tzid)
	e.SetProperty(ics.ComponentPropertyDtEnd, first.Start.Add(length).In(zone).Format(localFormat), tzid)
	e.AddRrule(rule)
	for _, o := range fr.Occurrences(maxTime(f.From, first.Start), f.Until, zone) {
		start := ruleStart(fr, o.Start, zone)
		if o.Start.Before(first.Start) || o.End.Sub(o.Start) == length && uniqueWall(start, zone) {
			continue
		}
		x := freezeEvent(cal, fr)
		x.SetProperty(ics.ComponentPropertyRecurrenceId, start.Format(localFormat), tzid)
		x.SetStartAt(o.Start)
		x.SetEndAt(o.End)
	}
}

// ruleStart is the wall-clock start the weekly rule gives the occurrence
// that starts at t: its day at the freeze's start time, even where that
// time is skipped and t is an hour later. Its fields are the wall clock's.
func ruleStart(fr gonogo.Freeze, t time.Time, zone *time.Location) time.Time {
	d := t.In(zone)
	if d.Weekday() != fr.Week.StartDay {
		d = d.AddDate(0, 0, -1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), fr.Week.StartMin/60, fr.Week.StartMin%60, 0, 0, time.UTC)
}

// uniqueWall reports whether the wall-clock time w happens exactly once in
// zone: not skipped, not repeated by a daylight saving change.
func uniqueWall(w time.Time, zone *time.Location) bool {
	var found []time.Time
	for _, near := range []time.Duration{-36 * time.Hour, 0, 36 * time.Hour} {
		_, off := w.Add(near).In(zone).Zone()
		u := w.Add(-time.Duration(off) * time.Second)
		if u.In(zone).Format(localFormat) == w.Format(localFormat) && !slices.ContainsFunc(found, u.Equal) {
			found = append(found, u)
		}
	}
	return len(found) == 1
}

// earliest is the earliest time the feed writes in the team's zone: the
// first occurrence of a weekly freeze, or the start of the feed.
func earliest(f Feed, zone *time.Location) time.Time {
	out := f.From
	for _, fr := range f.Freezes {
		if fr.Weekly {
			out = minTime(out, firstOccurrence(fr, fr.CreatedAt, zone).Start)
		}
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func hasWeekly(fs []gonogo.Freeze) bool {
	for _, f := range fs {
		if f.Weekly {
			return true
		}
	}
	return false
}

func scope(f gonogo.Freeze) string {
	if len(f.Products) == 0 {
		return " for any product"
	}
	out := " for "
	for i, p := range f.Products {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}

// firstOccurrence is the weekly freeze's first occurrence from t on.
func firstOccurrence(f gonogo.Freeze, t time.Time, loc *time.Location) gonogo.Window {
	occ := f.Occurrences(t, t.Add(8*24*time.Hour), loc)
	for _, o := range occ {
		if !o.Start.Before(t) {
			return o
		}
	}
	return occ[len(occ)-1]
}
