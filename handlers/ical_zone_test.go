package handlers_test

import (
	"bufio"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// zoneHorizon is how far ahead of the feed's clock the zone descriptions
// are checked: a weekly freeze repeats forever, so further than anyone
// plans.
const zoneHorizon = 40

// teamZones are the zones checked: every zone of the system's zone1970.tab
// (the zones a person picks from), or a spread of them where it is missing.
func teamZones(t *testing.T) []string {
	t.Helper()
	zones := []string{"Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Asia/Tokyo", "America/New_York",
		"America/Santiago", "America/Sao_Paulo", "Pacific/Auckland", "Africa/Cairo", "Asia/Tehran", "Europe/Dublin",
		"Australia/Lord_Howe", "America/Mexico_City", "America/Nuuk", "Pacific/Chatham", "Asia/Gaza", "Africa/Casablanca"}
	f, err := os.Open("/usr/share/zoneinfo/zone1970.tab")
	if err != nil {
		t.Logf("no zone1970.tab (%v): checking %d zones", err, len(zones))
		return zones
	}
	defer f.Close()
	seen := map[string]bool{}
	for _, z := range zones {
		seen[z] = true
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) >= 3 && !strings.HasPrefix(fields[0], "#") && !seen[fields[2]] {
			seen[fields[2]] = true
			zones = append(zones, fields[2])
		}
	}
	return zones
}

// zoneFeed is the feed of a board in zone with one weekly freeze, as
// calendarFeed builds it.
func zoneFeed(t *testing.T, zone string, clock time.Time) (string, *time.Location) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	weekly := gonogo.Freeze{ID: 1, Name: "Weekend", Weekly: true, CreatedAt: clock,
		Week: gonogo.WeeklySpan{StartDay: time.Friday, StartMin: 12 * 60, EndDay: time.Monday, EndMin: 6 * 60}}
	return views.ICS(views.Feed{BaseURL: "https://gonogo.example.com", Zone: loc, From: clock,
		Freezes: []gonogo.Freeze{weekly}}), loc
}

// zoneSamples are instants to check a zone at: the first of every month, and
// a second either side of every offset change, over the horizon.
func zoneSamples(loc *time.Location, from time.Time) []time.Time {
	var out []time.Time
	end := from.AddDate(zoneHorizon, 0, 0)
	for m := from; m.Before(end); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	for d := from; d.Before(end); d = d.Add(24 * time.Hour) {
		next := d.Add(24 * time.Hour)
		if _, a := d.In(loc).Zone(); func() bool { _, b := next.In(loc).Zone(); return a != b }() {
			lo, hi := d, next
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, o := mid.In(loc).Zone(); o == a {
					lo = mid
				} else {
					hi = mid
				}
			}
			out = append(out, lo, hi)
		}
	}
	return out
}

// onset is when an observance of a VTIMEZONE begins.
type onset struct {
	at time.Time
	to int
}

// vtimezoneOnsets reads the VTIMEZONE with tzid from the feed and lists its
// onsets up to until: each observance's DTSTART, RDATEs and the dates its
// RRULE (expanded by rrule-go) gives, in its TZOFFSETFROM local time.
func vtimezoneOnsets(t *testing.T, feed, tzid string, until time.Time) []onset {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(feed)).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v", err)
	}
	var out []onset
	found := false
	for _, tz := range cal.Children {
		if tz.Name != ical.CompTimezone || tz.Props.Get(ical.PropTimezoneID).Value != tzid {
			continue
		}
		found = true
		for _, obs := range tz.Children {
			from, to := utcOffset(t, obs.Props.Get(ical.PropTimezoneOffsetFrom)), utcOffset(t, obs.Props.Get(ical.PropTimezoneOffsetTo))
			start, err := time.ParseInLocation("20060102T150405", obs.Props.Get(ical.PropDateTimeStart).Value, time.UTC)
			if err != nil {
				t.Fatalf("%s: %v", tzid, err)
			}
			locals := []time.Time{start}
			for _, rd := range obs.Props.Values(ical.PropRecurrenceDates) {
				for _, v := range strings.Split(rd.Value, ",") {
					at, err := time.ParseInLocation("20060102T150405", v, time.UTC)
					if err != nil {
						t.Fatalf("%s: RDATE %v", tzid, err)
					}
					locals = append(locals, at)
				}
			}
			if rr := obs.Props.Get(ical.PropRecurrenceRule); rr != nil {
				opt, err := rrule.StrToROption(rr.Value)
				if err != nil {
					t.Fatalf("%s: %v", tzid, err)
				}
				opt.Dtstart = start
				rule, err := rrule.NewRRule(*opt)
				if err != nil {
					t.Fatalf("%s: %v", tzid, err)
				}
				locals = append(locals, rule.Between(start, until.AddDate(1, 0, 0), true)...)
			}
			for _, l := range locals {
				out = append(out, onset{l.Add(-time.Duration(from) * time.Second), to})
			}
		}
	}
	if !found {
		t.Fatalf("the feed has no VTIMEZONE %s", tzid)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func utcOffset(t *testing.T, p *ical.Prop) int {
	t.Helper()
	v := p.Value
	sign := 1
	if strings.HasPrefix(v, "-") {
		sign = -1
	}
	v = strings.TrimLeft(v, "+-")
	h, err1 := strconv.Atoi(v[0:2])
	m, err2 := strconv.Atoi(v[2:4])
	s := 0
	if len(v) == 6 {
		s, _ = strconv.Atoi(v[4:6])
	}
	if err1 != nil || err2 != nil {
		t.Fatalf("UTC offset %q", p.Value)
	}
	return sign * (h*3600 + m*60 + s)
}

// offsetAt is the offset the VTIMEZONE gives at u: that of the latest
// observance begun by then.
func offsetAt(onsets []onset, u time.Time) (int, bool) {
	i := sort.Search(len(onsets), func(i int) bool { return onsets[i].at.After(u) })
	if i == 0 {
		return 0, false
	}
	return onsets[i-1].to, true
}

// TestCalendarFeedTimeZoneHasNoEnd reads the feed's VTIMEZONE for every zone
// a team may pick, expanding its rules with rrule-go, and finds Go's offset
// at every change and every month for forty years.
func TestCalendarFeedTimeZoneHasNoEnd(t *testing.T) {
	for _, zone := range teamZones(t) {
		feed, loc := zoneFeed(t, zone, feedClock)
		onsets := vtimezoneOnsets(t, feed, zone, feedClock.AddDate(zoneHorizon, 0, 0))
		wrong := 0
		for _, u := range zoneSamples(loc, feedClock) {
			_, want := u.In(loc).Zone()
			if got, ok := offsetAt(onsets, u); !ok || got != want {
				if wrong++; wrong <= 3 {
					t.Errorf("%s at %s: the feed says UTC%+.2f, Go's zone data UTC%+.2f", zone, u.Format(time.RFC3339), float64(got)/3600, float64(want)/3600)
				}
			}
		}
		if wrong > 3 {
			t.Errorf("%s: %d instants wrong in all", zone, wrong)
		}
	}
	// The instant the issue was found at: a freeze from Sunday 22:00 in
	// Berlin begins on 1 July 2029 at 20:00 UTC.
	feed, _ := zoneFeed(t, "Europe/Berlin", feedClock)
	onsets := vtimezoneOnsets(t, feed, "Europe/Berlin", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if off, _ := offsetAt(onsets, time.Date(2029, 7, 1, 20, 0, 0, 0, time.UTC)); off != 2*3600 {
		t.Errorf("Berlin on 1 July 2029 is UTC%+d in the feed, not UTC+2", off/3600)
	}
}
