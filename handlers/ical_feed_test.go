package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// feedEnv is a board with a fixed clock in a team time zone, to read the
// calendar feed of as a calendar app does.
type feedEnv struct {
	store *db.Store
	url   string
	loc   *time.Location
	rm    gonogo.Actor
}

const icalFeedToken = "golden-token"

func newFeedEnv(t *testing.T, zone string, clock time.Time) *feedEnv {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	store := db.OpenTest(t)
	store.Now = func() time.Time { return clock }
	h := handlers.New(store, handlers.Config{BaseURL: "https://gonogo.example.com", Location: loc,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginDelay: time.Millisecond})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rm := gonogo.Actor{Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	u, err := store.CreateUser(t.Context(), gonogo.SystemActor, gonogo.NewUser{Email: "rm@example.com", Name: "Rita",
		Password: testPassword, Roles: gonogo.RoleSet{gonogo.ReleaseManager}})
	if err != nil {
		t.Fatal(err)
	}
	rm.UserID = u.ID
	if err := store.SetFeedToken(t.Context(), rm, hashForTest(icalFeedToken)); err != nil {
		t.Fatal(err)
	}
	return &feedEnv{store: store, url: srv.URL, loc: loc, rm: rm}
}

func (e *feedEnv) freeze(t *testing.T, in gonogo.FreezeInput) {
	t.Helper()
	if _, err := e.store.CreateFreeze(t.Context(), e.rm, in); err != nil {
		t.Fatal(err)
	}
}

// fetch reads the feed as a calendar app subscribed to it does.
func (e *feedEnv) fetch(t *testing.T) string {
	t.Helper()
	res, err := http.Get(e.url + "/calendar.ics?token=" + icalFeedToken)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	wantStatus(t, res, http.StatusOK)
	return string(body)
}

// span is one occurrence of an event, in UTC.
type span struct{ Start, End time.Time }

func (s span) String() string {
	return s.Start.UTC().Format("2006-01-02T15:04Z") + "/" + s.End.UTC().Format("2006-01-02T15:04Z")
}

// wantOccurrences is what gonogo enforces: each freeze's occurrences over
// [from, to), by the feed's UID for it.
func (e *feedEnv) wantOccurrences(t *testing.T, from, to time.Time) map[string][]span {
	t.Helper()
	freezes, err := e.store.FindFreezes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]span{}
	for _, f := range freezes {
		uid := "freeze-" + itoa(f.ID) + "@gonogo"
		for _, o := range f.Occurrences(from, to, e.loc) {
			out[uid] = append(out[uid], span{o.Start.UTC(), o.End.UTC()})
		}
	}
	return out
}

// compareOccurrences fails for every occurrence one side has and the other
// lacks.
func compareOccurrences(t *testing.T, who string, got, want map[string][]span, loc *time.Location) {
	t.Helper()
	for uid, ws := range want {
		gs := got[uid]
		for _, w := range ws {
			if !slices.Contains(gs, w) {
				t.Errorf("%s lacks %s %s (%s – %s)", who, uid, w, w.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"), w.End.In(loc).Format("Mon 2006-01-02 15:04 MST"))
			}
		}
		for _, g := range gs {
			if !slices.Contains(ws, g) {
				t.Errorf("%s shows %s %s (%s – %s), which gonogo does not enforce", who, uid, g, g.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"), g.End.In(loc).Format("Mon 2006-01-02 15:04 MST"))
			}
		}
	}
}

// clockChangeFreezes are weekly freezes that daylight saving changes fall
// inside or start within: a weekend, a Sunday night, and one that starts in
// the very hour that is skipped or repeated in Berlin and Sydney.
var clockChangeFreezes = []gonogo.FreezeInput{
	{Name: "Weekend", Weekly: true, Reason: "Thin staffing.",
		Week: gonogo.WeeklySpan{StartDay: time.Friday, StartMin: 12 * 60, EndDay: time.Monday, EndMin: 6 * 60}},
	{Name: "Sunday night", Weekly: true,
		Week: gonogo.WeeklySpan{StartDay: time.Sunday, StartMin: 22 * 60, EndDay: time.Monday, EndMin: 2 * 60}},
	{Name: "Change hour", Weekly: true,
		Week: gonogo.WeeklySpan{StartDay: time.Sunday, StartMin: 2*60 + 30, EndDay: time.Sunday, EndMin: 4 * 60}},
}

// clientZones are the team zones the feed is checked in: one with daylight
// saving in the northern summer, one south of the equator, one without, and
// one whose changes no yearly rule can say (so the feed lists them).
var clientZones = []string{"Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Africa/Cairo"}

// feedClock is the fixed "now" of the client tests.
var feedClock = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// expandWithGo expands the feed's events over [from, to) with go-ical, which
// parses it and resolves TZID with Go's zone data (it does not read
// VTIMEZONE), and rrule-go, which expands RRULE. go-ical leaves overriding
// occurrences to its caller, so they are applied here as RFC 5545 §3.8.4.4
// says: the instance whose start equals RECURRENCE-ID is replaced. An
// occurrence without its own end lasts DTEND − DTSTART in exact time
// (§3.8.5.3).
func expandWithGo(t *testing.T, feed string, from, to time.Time) map[string][]span {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(feed)).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v", err)
	}
	eventSpan := func(e ical.Event) span {
		s, err := e.DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		en, err := e.DateTimeEnd(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return span{s.UTC(), en.UTC()}
	}
	overrides := map[string]map[int64]span{}
	for _, e := range cal.Events() {
		rid := e.Props.Get(ical.PropRecurrenceID)
		if rid == nil {
			continue
		}
		uid, _ := e.Props.Text(ical.PropUID)
		at, err := rid.DateTime(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if overrides[uid] == nil {
			overrides[uid] = map[int64]span{}
		}
		overrides[uid][at.Unix()] = eventSpan(e)
	}
	out := map[string][]span{}
	keep := func(uid string, s span) {
		if s.Start.Before(to) && s.End.After(from) {
			out[uid] = append(out[uid], s)
		}
	}
	for _, e := range cal.Events() {
		if e.Props.Get(ical.PropRecurrenceID) != nil {
			continue
		}
		uid, _ := e.Props.Text(ical.PropUID)
		first := eventSpan(e)
		set, err := e.RecurrenceSet(time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", uid, err)
		}
		if set == nil {
			keep(uid, first)
			continue
		}
		length := first.End.Sub(first.Start)
		for _, at := range set.Between(from.AddDate(0, 0, -8), to, true) {
			s := span{at.UTC(), at.UTC().Add(length)}
			if o, ok := overrides[uid][at.Unix()]; ok {
				s = o
				delete(overrides[uid], at.Unix())
			}
			keep(uid, s)
		}
	}
	for uid, os := range overrides {
		for at := range os {
			if at >= from.AddDate(0, 0, -8).Unix() && at < to.Unix() {
				t.Errorf("%s: RECURRENCE-ID %s matches no occurrence of the rule", uid, time.Unix(at, 0).UTC())
			}
		}
	}
	return out
}

// TestCalendarFeedWeeklyFreezesAcrossClockChanges expands the feed with an
// RFC 5545 expander built from Go libraries nobody here wrote, in three team
// zones over two years, and finds exactly the occurrences gonogo enforces:
// a weekend freeze ends on Monday at 06:00 also in the weeks the clocks
// change.
func TestCalendarFeedWeeklyFreezesAcrossClockChanges(t *testing.T) {
	for _, zone := range clientZones {
		t.Run(zone, func(t *testing.T) {
			env := newFeedEnv(t, zone, feedClock)
			for _, f := range clockChangeFreezes {
				env.freeze(t, f)
			}
			feed := env.fetch(t)
			from, to := feedClock, feedClock.AddDate(2, 0, 0)
			want := env.wantOccurrences(t, from, to)
			if n := len(want["freeze-1@gonogo"]); n < 100 {
				t.Fatalf("only %d weekend occurrences in two years", n)
			}
			compareOccurrences(t, "go-ical with rrule-go", expandWithGo(t, feed, from, to), want, env.loc)
		})
	}
}

// TestCalendarFeedLinesEndInCRLF: RFC 5545 §3.1 ends every content line,
// folded continuation lines included, in CRLF.
func TestCalendarFeedLinesEndInCRLF(t *testing.T) {
	env := newFeedEnv(t, "Europe/Berlin", feedClock)
	for _, f := range clockChangeFreezes {
		f.Reason = strings.Repeat("A long reason that calendar apps fold over several lines. ", 4)
		env.freeze(t, f)
	}
	feed := env.fetch(t)
	if !strings.HasSuffix(feed, "END:VCALENDAR\r\n") {
		t.Errorf("the feed does not end in END:VCALENDAR and CRLF: %q", feed[max(0, len(feed)-20):])
	}
	lines := strings.SplitAfter(feed, "\n")
	folded, bad := 0, 0
	for i, l := range lines {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\r\n") || strings.Count(l, "\r") != 1 {
			if bad++; bad <= 3 {
				t.Errorf("line %d does not end in exactly one CRLF: %q", i+1, l)
			}
		}
		if strings.HasPrefix(l, " ") {
			folded++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d lines do not end in CRLF", bad, len(lines)-1)
	}
	if folded == 0 {
		t.Fatal("no folded line was checked")
	}
}

// TestCalendarFeedPassesITIPCheck: libical checks a calendar with a METHOD
// against iTIP (RFC 5546), where PUBLISH needs an ORGANIZER in every event.
// A subscribed feed is no iTIP message and needs no METHOD.
func TestCalendarFeedPassesITIPCheck(t *testing.T) {
	env := newFeedEnv(t, "Europe/Berlin", feedClock)
	env.freeze(t, clockChangeFreezes[0])
	cal, err := ical.NewDecoder(strings.NewReader(env.fetch(t))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	method := cal.Props.Get(ical.PropMethod)
	if method == nil {
		return
	}
	for _, e := range cal.Events() {
		if e.Props.Get(ical.PropOrganizer) == nil {
			uid, _ := e.Props.Text(ical.PropUID)
			t.Errorf("METHOD:%s, but event %s has no ORGANIZER, which iTIP requires", method.Value, uid)
		}
	}
}

// TestCalendarFeedNormalisesLineBreaks: a reason typed in a browser has CRLF
// line breaks, and pasted text may have lone CRs; the feed's DESCRIPTION
// holds them as line breaks, never as raw CR bytes.
func TestCalendarFeedNormalisesLineBreaks(t *testing.T) {
	env := newFeedEnv(t, "Europe/Berlin", feedClock)
	in := clockChangeFreezes[0]
	in.Reason = "Thin staffing.\r\nCall ops first.\rThen wait."
	env.freeze(t, in)
	feed := env.fetch(t)
	if strings.Count(feed, "\r") != strings.Count(feed, "\r\n") {
		t.Error("the feed has a CR that does not end a line")
	}
	cal, err := ical.NewDecoder(strings.NewReader(feed)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cal.Events() {
		desc, err := e.Props.Text(ical.PropDescription)
		if err != nil {
			t.Fatal(err)
		}
		if want := "No deploys for any product. Thin staffing.\nCall ops first.\nThen wait."; desc != want {
			t.Errorf("description %q, want %q", desc, want)
		}
	}
}
