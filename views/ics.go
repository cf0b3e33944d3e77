package views

import (
	"fmt"
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
func ICS(f Feed) string {
	cal := ics.NewCalendarFor("gonogo")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName("gonogo release windows")
	cal.SetXWRCalName("gonogo release windows")
	cal.SetRefreshInterval("PT1H")
	zone := f.Zone
	if zone == nil {
		zone = time.UTC
	}
	if zone != time.UTC && hasWeekly(f.Freezes) {
		cal.SetXWRTimezone(zone.String())
		cal.AddVTimezone(vtimezone(zone, f.From))
	}
	for _, w := range f.Windows {
		e := cal.AddEvent(fmt.Sprintf("release-%d-window@gonogo", w.ReleaseID))
		e.SetSequence(w.Seq)
		e.SetDtStampTime(w.Changed)
		e.SetLastModifiedAt(w.Changed)
		e.SetStartAt(w.Window.Start)
		e.SetEndAt(w.Window.End)
		e.SetSummary(fmt.Sprintf("%s %s: %s", w.Product, w.Version, w.Title))
		url := fmt.Sprintf("%s/releases/%d", f.BaseURL, w.ReleaseID)
		e.SetURL(url)
		e.SetDescription(fmt.Sprintf("Release window of %s %s (%s). State: %s.\n%s", w.Product, w.Version, w.Title, w.State.Label(), url))
		e.AddCategory("release")
	}
	for _, fr := range f.Freezes {
		e := cal.AddEvent(fmt.Sprintf("freeze-%d@gonogo", fr.ID))
		e.SetSequence(fr.Seq)
		e.SetSummary("Freeze: " + fr.Name)
		desc := "No deploys" + scope(fr) + "."
		if fr.Reason != "" {
			desc += " " + fr.Reason
		}
		e.SetDescription(desc)
		e.AddCategory("freeze")
		e.SetTimeTransparency(ics.TransparencyTransparent)
		e.SetDtStampTime(fr.CreatedAt)
		if !fr.Weekly {
			e.SetStartAt(fr.Once.Start)
			e.SetEndAt(fr.Once.End)
			continue
		}
		first := firstOccurrence(fr, fr.CreatedAt, zone)
		if zone == time.UTC {
			e.SetStartAt(first.Start)
			e.SetEndAt(first.End)
		} else {
			e.SetProperty(ics.ComponentPropertyDtStart, first.Start.In(zone).Format("20060102T150405"), ics.WithTZID(zone.String()))
			e.SetProperty(ics.ComponentPropertyDtEnd, first.End.In(zone).Format("20060102T150405"), ics.WithTZID(zone.String()))
		}
		e.AddRrule("FREQ=WEEKLY")
	}
	return cal.Serialize()
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

// vtimezone describes loc for calendar apps: every offset change from the
// year before from until three years after, each as its own observance, so
// the feed needs nothing but Go's zone database to be exact.
func vtimezone(loc *time.Location, from time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	start := time.Date(from.Year()-1, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(from.Year()+3, 1, 1, 0, 0, 0, 0, loc)
	prev := start
	found := false
	for day := start.AddDate(0, 0, 1); day.Before(end); day = day.AddDate(0, 0, 1) {
		if day.UTC().Sub(prev.UTC()) > 0 && offset(day) != offset(prev) {
			at := transition(prev, day)
			addObservance(tz, at.Add(-time.Second), at)
			found = true
		}
		prev = day
	}
	if !found {
		addObservance(tz, start, start)
	}
	return tz
}

func offset(t time.Time) int { _, off := t.Zone(); return off }

// transition finds the instant between a and b where the offset changes.
func transition(a, b time.Time) time.Time {
	lo, hi := a.UTC(), b.UTC()
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if offset(mid.In(a.Location())) == offset(a) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.In(a.Location())
}

func addObservance(tz *ics.VTimezone, before, at time.Time) {
	name, to := at.Zone()
	_, from := before.Zone()
	var c *ics.ComponentBase
	if at.IsDST() {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		c = &d.ComponentBase
	} else {
		s := tz.AddStandard()
		c = &s.ComponentBase
	}
	// DTSTART is the onset in the local time of the offset it replaces.
	c.SetProperty(ics.ComponentPropertyDtStart, at.UTC().Add(time.Duration(from)*time.Second).Format("20060102T150405"))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), fmtOffset(from))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), fmtOffset(to))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
}

func fmtOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, (sec%3600)/60)
}
