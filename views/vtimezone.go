package views

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"
)

// A VTIMEZONE tells calendar apps how a zone's offset changes. Weekly
// freezes repeat forever, so the changes are written as yearly rules (RRULE)
// derived from Go's zone data wherever the zone follows one, and as single
// changes only for the years before its current rule began. Go's time
// package does not expose a zone's rule, so it is read off the changes
// themselves: month, weekday, which week, and time of day.

// ruleYears is how many years a rule is derived from: 28 years bring every
// weekday to every date, in leap and common years alike.
const ruleYears = 28

// ruleBase is the first year a zone's current rule is read from: past 2037
// Go computes every zone from its rule (the POSIX TZ string of the zone
// file), so the rule read there is the one the zone follows for good.
const ruleBase = 2039

// change is one change of a zone's UTC offset.
type change struct {
	at       time.Time // the instant of the change
	from, to int       // the offsets before and after, in seconds east of UTC
	name     string    // the zone's abbreviation after it
	dst      bool      // whether daylight saving time is in force after it
}

// wall is the wall-clock time of the change in the offset it replaces, which
// is how VTIMEZONE writes it (RFC 5545 §3.6.5). Its fields are the wall
// clock's; its location, UTC, is a carrier only.
func (c change) wall() time.Time { return c.at.UTC().Add(time.Duration(c.from) * time.Second) }

// same reports whether two changes change the same offsets into the same
// named time.
func (c change) same(o change) bool {
	return c.from == o.from && c.to == o.to && c.name == o.name && c.dst == o.dst
}

// yearly is a change that happens every year: on a weekday of a seven-day
// stretch of a month (the last one when day is 0), or on a fixed date.
type yearly struct {
	change
	month   time.Month
	weekday time.Weekday
	day     int
	fixed   bool
	clock   time.Duration // wall-clock time of day, in the offset it replaces
}

func daysIn(m time.Month, year int) int { return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// in is the wall-clock time of the change in year.
func (y yearly) in(year int) time.Time {
	if y.fixed {
		return time.Date(year, y.month, y.day, 0, 0, 0, 0, time.UTC).Add(y.clock)
	}
	first := y.day
	if first == 0 {
		first = daysIn(y.month, year) - 6
	}
	d := time.Date(year, y.month, first, 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, (int(y.weekday)-int(d.Weekday())+7)%7).Add(y.clock)
}

var icsDays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// rrule writes the rule as RFC 5545 RRULE, in the forms every calendar app
// knows (BYDAY=-1SU, BYDAY=2SU) where they fit.
func (y yearly) rrule() string {
	r := fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d", y.month)
	wd := icsDays[y.weekday]
	switch {
	case y.fixed:
		return r + fmt.Sprintf(";BYMONTHDAY=%d", y.day)
	case y.day == 0:
		return r + ";BYDAY=-1" + wd
	case (y.day-1)%7 == 0:
		return r + fmt.Sprintf(";BYDAY=%d%s", (y.day-1)/7+1, wd)
	}
	days := make([]string, 7)
	for i := range days {
		days[i] = fmt.Sprint(y.day + i)
	}
	return r + ";BYDAY=" + wd + ";BYMONTHDAY=" + strings.Join(days, ",")
}

// fitYearly finds the yearly rule that gives exactly these changes, one a
// year, if there is one.
func fitYearly(cs []change) (yearly, bool) {
	w := cs[0].wall()
	base := yearly{change: cs[0], month: w.Month(), weekday: w.Weekday(),
		clock: w.Sub(time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC))}
	minDay := w.Day()
	for _, c := range cs {
		minDay = min(minDay, c.wall().Day())
	}
	last, span, fixed := base, base, base
	span.day = minDay
	fixed.fixed, fixed.day = true, w.Day()
	for _, y := range []yearly{last, span, fixed} {
		if !slices.ContainsFunc(cs, func(c change) bool { return !y.in(c.wall().Year()).Equal(c.wall()) }) {
			return y, true
		}
	}
	return yearly{}, false
}

// deriveRules reads the yearly rules off the changes of ruleYears years from
// year on; false if the changes follow no such rules.
func deriveRules(byYear map[int][]change, year int) ([]yearly, bool) {
	type key struct {
		change
		month time.Month
		clock time.Duration
	}
	groups := map[key][]change{}
	var order []key
	for y := year; y < year+ruleYears; y++ {
		for _, c := range byYear[y] {
			w := c.wall()
			k := key{change{from: c.from, to: c.to, name: c.name, dst: c.dst}, w.Month(), w.Sub(w.Truncate(24 * time.Hour))}
			if groups[k] == nil {
				order = append(order, k)
			}
			groups[k] = append(groups[k], c)
		}
	}
	var rules []yearly
	for _, k := range order {
		if len(groups[k]) != ruleYears {
			return nil, false
		}
		y, ok := fitYearly(groups[k])
		if !ok {
			return nil, false
		}
		rules = append(rules, y)
	}
	slices.SortFunc(rules, func(a, b yearly) int { return a.in(year).Compare(b.in(year)) })
	return rules, true
}

// holds reports whether the zone's changes in year are exactly the rules'.
func holds(rules []yearly, changes []change, year int) bool {
	if len(rules) != len(changes) {
		return false
	}
	for _, r := range rules {
		if !slices.ContainsFunc(changes, func(c change) bool { return r.same(c) && r.in(year).Equal(c.wall()) }) {
			return false
		}
	}
	return true
}

// changes lists loc's offset changes in [from, to), found a day at a time
// and pinned to the second.
func changes(loc *time.Location, from, to time.Time) []change {
	var out []change
	offset := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	prev := from
	for day := from.Add(24 * time.Hour); day.Before(to); day = day.Add(24 * time.Hour) {
		if offset(day) != offset(prev) {
			lo, hi := prev, day
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if offset(mid) == offset(prev) {
					lo = mid
				} else {
					hi = mid
				}
			}
			name, to := hi.In(loc).Zone()
			out = append(out, change{at: hi, from: offset(lo), to: to, name: name, dst: hi.In(loc).IsDST()})
		}
		prev = day
	}
	return out
}

// observance is one STANDARD or DAYLIGHT component.
type observance struct {
	change
	onset time.Time // wall-clock time of the first change, in the offset it replaces
	rrule string    // empty for a change that happens once
}

// zoneKey names a zone's observances from a year on.
type zoneKey struct {
	zone string
	year int
}

// zoneDescription is a zone's observances, and the instant they describe
// it until: zero for ever.
type zoneDescription struct {
	obs   []observance
	until time.Time
}

// observancesCache keeps what observances computed: the zone data does not
// change while the server runs.
var observancesCache sync.Map // zoneKey → zoneDescription

// observances describes loc for every instant from the start of the year
// before from on: the changes before the zone's current rule began one by
// one, then the rule. A zone without daylight saving time gets a single
// standard observance. A few zones follow no rule that RRULE can say (Cairo
// ends summer time on the Friday after the last Thursday of October, which
// may be in November; Morocco and Palestine follow Ramadan): their changes
// are listed one by one for some forty years, and until says where the list
// ends.
func observances(loc *time.Location, from time.Time) zoneDescription {
	start := from.Year() - 1
	k := zoneKey{loc.String(), start}
	if v, ok := observancesCache.Load(k); ok {
		return v.(zoneDescription)
	}
	base := max(ruleBase, from.Year()+1)
	begin := time.Date(start, 1, 1, 0, 0, 0, 0, time.UTC).Add(-48 * time.Hour)
	end := time.Date(base+ruleYears+1, 1, 1, 0, 0, 0, 0, time.UTC)
	all := changes(loc, begin, end)
	byYear := map[int][]change{}
	for _, c := range all {
		byYear[c.wall().Year()] = append(byYear[c.wall().Year()], c)
	}
	ruleFrom := base + ruleYears
	rules, ok := deriveRules(byYear, base)
	if ok {
		for ruleFrom = base; ruleFrom > start && holds(rules, byYear[ruleFrom-1], ruleFrom-1); ruleFrom-- {
		}
	}
	var out []observance
	for _, c := range all {
		if y := c.wall().Year(); y >= start && (!ok || y < ruleFrom) {
			out = append(out, observance{change: c, onset: c.wall()})
		}
	}
	if ok {
		for _, r := range rules {
			out = append(out, observance{change: r.change, onset: r.in(ruleFrom), rrule: r.rrule()})
		}
	}
	if len(out) == 0 {
		at := time.Date(start, 1, 1, 0, 0, 0, 0, loc)
		name, off := at.Zone()
		out = append(out, observance{change: change{from: off, to: off, name: name, dst: at.IsDST()},
			onset: time.Date(start, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	d := zoneDescription{obs: out}
	if !ok {
		d.until = end
	}
	observancesCache.Store(k, d)
	return d
}

// vtimezone writes loc's VTIMEZONE for a feed that covers time from from
// on, and says until when it describes the zone: zero for ever.
func vtimezone(loc *time.Location, from time.Time) (*ics.VTimezone, time.Time) {
	tz := ics.NewTimezone(loc.String())
	d := observances(loc, from)
	for _, o := range d.obs {
		var c *ics.ComponentBase
		if o.dst {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			c = &d.ComponentBase
		} else {
			c = &tz.AddStandard().ComponentBase
		}
		c.SetProperty(ics.ComponentPropertyDtStart, o.onset.Format(localFormat))
		if o.rrule != "" {
			c.SetProperty(ics.ComponentPropertyRrule, o.rrule)
		}
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), fmtOffset(o.from))
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), fmtOffset(o.to))
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), o.name)
	}
	return tz, d.until
}

// localFormat is RFC 5545's local DATE-TIME.
const localFormat = "20060102T150405"

func fmtOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	if sec%60 != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, sec/3600, (sec%3600)/60, sec%60)
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, (sec%3600)/60)
}
