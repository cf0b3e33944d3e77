package handlers_test

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// icalJSSource is Mozilla's ical.js, the iCalendar library of Thunderbird,
// as published on the npm registry: npm pack ical.js@2.2.1 (integrity
// sha512-yK/UlPbEs316igb/tjRgbFA8ZV75rCsBJp/hWOatpyaPNlgw0dGDmU+FoicOcwX4xXkeXOkYiOmCqNPFpNPkQg==),
// its dist/ical.es5.min.cjs, the build for a script tag, which sets
// window.ICAL. It is used by tests only and never served.
//
//go:embed testdata/ical.js-2.2.1.es5.min.cjs
var icalJSSource string

// icalJSSHA256 is the file's hash as it came out of that package.
const icalJSSHA256 = "74b6aa16936daa102ca216a29c8c25b53468762dd793bd9b106074aaa7961c65"

func TestICalJSIsAsPublished(t *testing.T) {
	sum := sha256.Sum256([]byte(icalJSSource))
	if got := hex.EncodeToString(sum[:]); got != icalJSSHA256 {
		t.Fatalf("testdata/ical.js-2.2.1.es5.min.cjs hashes to %s, not to what the npm package holds", got)
	}
}

// newICalJS starts Chromium on a blank page with ical.js loaded.
func newICalJS(t *testing.T) context.Context {
	t.Helper()
	b := newBrowser(t)
	must(t, b, chromedp.Navigate("about:blank"))
	if _, err := chromedp.Run(b, chromedp.Evaluate[chromedp.Void](icalJSSource)); err != nil {
		t.Fatalf("loading ical.js: %v", err)
	}
	if typ, err := chromedp.Run(b, chromedp.Evaluate[string](`typeof ICAL.Event`)); err != nil || typ != "function" {
		t.Fatalf("ical.js did not load: %q %v", typ, err)
	}
	return b
}

// icalJSExpand expands every event of a feed over [from, to) as Thunderbird
// does: ICAL.Event with the overriding occurrences (RECURRENCE-ID) of its
// UID, its iterator and getOccurrenceDetails; times are resolved with the
// feed's own VTIMEZONE. It returns UTC start and end seconds by UID.
const icalJSExpand = `((text, from, to) => {
	const cal = new ICAL.Component(ICAL.parse(text));
	const all = cal.getAllSubcomponents("vevent");
	const out = {};
	for (const comp of all) {
		if (comp.hasProperty("recurrence-id")) continue;
		const uid = comp.getFirstPropertyValue("uid");
		const exceptions = all.filter(c => c.hasProperty("recurrence-id") && c.getFirstPropertyValue("uid") === uid);
		const ev = new ICAL.Event(comp, {exceptions});
		const keep = (s, e) => { if (s < to && e > from) (out[uid] = out[uid] || []).push([s, e]); };
		if (!ev.isRecurring()) { keep(ev.startDate.toUnixTime(), ev.endDate.toUnixTime()); continue; }
		const it = ev.iterator();
		for (let next = it.next(); next && next.toUnixTime() < to + 8 * 86400; next = it.next()) {
			const d = ev.getOccurrenceDetails(next);
			keep(d.startDate.toUnixTime(), d.endDate.toUnixTime());
		}
	}
	return out;
})`

func expandWithICalJS(t *testing.T, ctx context.Context, feed string, from, to time.Time) map[string][]span {
	t.Helper()
	text, _ := json.Marshal(feed)
	expr := icalJSExpand + "(" + string(text) + "," + itoa(from.Unix()) + "," + itoa(to.Unix()) + ")"
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][][2]int64](expr))
	if err != nil {
		t.Fatalf("ical.js: %v", err)
	}
	out := map[string][]span{}
	for uid, ss := range got {
		for _, s := range ss {
			out[uid] = append(out[uid], span{time.Unix(s[0], 0).UTC(), time.Unix(s[1], 0).UTC()})
		}
	}
	return out
}

// TestCalendarFeedInICalJS lets Thunderbird's iCalendar library expand the
// feed in three team zones over two years: it finds exactly the occurrences
// gonogo enforces, weeks with a clock change included, and keeps the team's
// time beyond the years the feed lists.
func TestCalendarFeedInICalJS(t *testing.T) {
	b := newICalJS(t)
	for _, zone := range clientZones {
		t.Run(zone, func(t *testing.T) {
			env := newFeedEnv(t, zone, feedClock)
			for _, f := range clockChangeFreezes {
				env.freeze(t, f)
			}
			feed := env.fetch(t)
			from, to := feedClock, feedClock.AddDate(2, 0, 0)
			compareOccurrences(t, "ical.js", expandWithICalJS(t, b, feed, from, to), env.wantOccurrences(t, from, to), env.loc)
			if zone != "Europe/Berlin" {
				return
			}
			// A freeze from Sunday 22:00 in Berlin begins on 1 July 2029 at
			// 20:00 UTC, after the years the feed's overrides cover.
			from, to = time.Date(2029, 6, 30, 0, 0, 0, 0, time.UTC), time.Date(2029, 7, 3, 0, 0, 0, 0, time.UTC)
			got := expandWithICalJS(t, b, feed, from, to)["freeze-2@gonogo"]
			want := span{time.Date(2029, 7, 1, 20, 0, 0, 0, time.UTC), time.Date(2029, 7, 2, 0, 0, 0, 0, time.UTC)}
			if len(got) != 1 || got[0] != want {
				t.Errorf("ical.js puts the Sunday night freeze of 1 July 2029 at %v, want %v", got, want)
			}
		})
	}
}

// icalJSZoneCheck turns local times into instants with the feed's
// VTIMEZONE, as a calendar app places an event, and instants into local
// times, and returns where ical.js and Go's zone data differ. ical.js finds
// the offset for an instant by looking its UTC fields up as if they were
// local, which is out by an hour near a change whatever the VTIMEZONE, so
// instants are turned into local times only a day or more from a change.
const icalJSZoneCheck = `((text, tzid, samples) => {
	const cal = new ICAL.Component(ICAL.parse(text));
	const zone = cal.getTimeZoneByID(tzid);
	if (!zone) return ["no VTIMEZONE " + tzid];
	const wrong = [];
	for (const [u, local, toUTC, toLocal] of samples) {
		if (toLocal) {
			const t = new ICAL.Time();
			t.fromUnixTime(u);
			const l = t.convertToZone(zone).toString();
			if (l !== local) wrong.push(u + " is " + l + ", not " + local);
		}
		if (toUTC) {
			const back = ICAL.Time.fromDateTimeString(local);
			back.zone = zone;
			if (back.toUnixTime() !== u) wrong.push(local + " is " + back.toUnixTime() + ", not " + u);
		}
	}
	return wrong;
})`

// onlyOnce reports whether the local time of u happens once in loc: not
// repeated when the clocks go back.
func onlyOnce(u time.Time, loc *time.Location) bool {
	l := u.In(loc)
	for _, d := range []time.Duration{-3 * time.Hour, 3 * time.Hour} {
		_, off := u.Add(d).In(loc).Zone()
		w := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
		if v := w.Add(-time.Duration(off) * time.Second); !v.Equal(u) && v.In(loc).Format(time.DateTime) == l.Format(time.DateTime) {
			return false
		}
	}
	return true
}

// TestVTimezoneInICalJS: for every zone a team may pick, ical.js reads the
// feed's VTIMEZONE to the same offsets as Go's zone data, at every change
// and every month for forty years.
func TestVTimezoneInICalJS(t *testing.T) {
	b := newICalJS(t)
	for _, zone := range teamZones(t) {
		feed, loc := zoneFeed(t, zone, feedClock)
		var samples [][4]any
		for _, u := range zoneSamples(loc, feedClock) {
			_, a := u.Add(-26 * time.Hour).In(loc).Zone()
			_, c := u.Add(26 * time.Hour).In(loc).Zone()
			samples = append(samples, [4]any{u.Unix(), u.In(loc).Format("2006-01-02T15:04:05"), onlyOnce(u, loc), a == c})
		}
		args, _ := json.Marshal([]any{feed, zone, samples})
		wrong, err := chromedp.Run(b, chromedp.Evaluate[[]string](icalJSZoneCheck+".apply(null, "+string(args)+")"))
		if err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		for i, w := range wrong {
			if i == 3 {
				t.Errorf("%s: %d in all", zone, len(wrong))
				break
			}
			t.Errorf("%s: %s", zone, w)
		}
	}
}
