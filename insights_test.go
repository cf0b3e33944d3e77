package gonogo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// The last n days are calendar days of the team's zone: across the end of
// summer time the period is an hour longer, and the one before it starts
// the same number of days earlier.
func TestPeriodsAreCalendarDays(t *testing.T) {
	loc := berlin
	now := time.Date(2026, 11, 10, 15, 0, 0, 0, loc)
	p := gonogo.LastDays(30, now, loc)
	if got := p.From.Format(time.RFC3339) + " " + p.To.Format(time.RFC3339); got != "2026-10-12T00:00:00+02:00 2026-11-11T00:00:00+01:00" {
		t.Errorf("last 30 days = %s", got)
	}
	if got := p.To.Sub(p.From); got != 30*24*time.Hour+time.Hour {
		t.Errorf("the 30 days last %s, want 721h", got)
	}
	if prev := p.Prev(); prev.From.Format(time.DateOnly) != "2026-09-12" || !prev.To.Equal(p.From) || prev.Days != 30 {
		t.Errorf("the period before = %s (%d days)", prev, prev.Days)
	}
	if !p.Has(p.From) || p.Has(p.To) || !p.Has(now) {
		t.Error("a period holds its first moment and now, not its end")
	}
	if got := p.String(); got != "12 Oct 2026 – 10 Nov 2026" {
		t.Errorf("period reads %q", got)
	}
}

func TestParsePeriod(t *testing.T) {
	loc := berlin
	now := time.Date(2026, 11, 10, 15, 0, 0, 0, loc)
	for _, c := range []struct {
		last, from, to string
		days           int
		first          string
	}{
		{"", "", "", 90, "2026-08-13"},
		{"30", "", "", 30, "2026-10-12"},
		{"365", "", "", 365, "2025-11-11"},
		{"", "2026-10-01", "2026-10-31", 31, "2026-10-01"},
		{"", "2026-10-05", "2026-10-05", 1, "2026-10-05"},
	} {
		p, err := gonogo.ParsePeriod(c.last, c.from, c.to, now, loc)
		if err != nil || p.Days != c.days || p.From.Format(time.DateOnly) != c.first {
			t.Errorf("ParsePeriod(%q, %q, %q) = %s (%d days), %v; want %d days from %s", c.last, c.from, c.to, p, p.Days, err, c.days, c.first)
		}
	}
	for _, c := range [][3]string{
		{"0", "", ""}, {"abc", "", ""}, {"9999", "", ""},
		{"", "2026-10-01", ""}, {"", "yesterday", "2026-10-01"},
		{"", "2026-10-31", "2026-10-01"}, {"", "2000-01-01", "2026-10-01"},
	} {
		_, err := gonogo.ParsePeriod(c[0], c[1], c[2], now, loc)
		wantCode(t, err, gonogo.EINVALID)
	}
}

func TestSpreadOf(t *testing.T) {
	h := time.Hour
	for _, c := range []struct {
		in   []time.Duration
		want gonogo.Spread
	}{
		{nil, gonogo.Spread{}},
		{[]time.Duration{5 * h}, gonogo.Spread{N: 1, Median: 5 * h, P90: 5 * h}},
		{[]time.Duration{4 * h, 1 * h, 3 * h, 2 * h}, gonogo.Spread{N: 4, Median: 150 * time.Minute, P90: 4 * h}},
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, gonogo.Spread{N: 11, Median: 6, P90: 10}},
	} {
		if got := gonogo.SpreadOf(c.in); got != c.want {
			t.Errorf("SpreadOf(%v) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// Small counts are said as counts, never as a percentage or a trend.
func TestReadings(t *testing.T) {
	h := time.Hour
	few := gonogo.Spread{N: 3, Median: 77 * h}
	many := gonogo.Spread{N: 12, Median: 77 * h}
	before := gonogo.Spread{N: 10, Median: 98 * h}
	for _, c := range [][2]string{
		{gonogo.Reading("lead time", gonogo.Spread{}, before, "Nothing shipped."), "Nothing shipped."},
		{gonogo.Reading("lead time", few, before, ""), "Median lead time 3.2 days over 3 cases (too few to call a trend)."},
		{gonogo.Reading("lead time", many, before, ""), "Median lead time 3.2 days over 12 cases, down from 4.1 days."},
		{gonogo.Reading("lead time", before, many, ""), "Median lead time 4.1 days over 10 cases, up from 3.2 days."},
		{gonogo.Reading("wait", gonogo.Spread{N: 10, Median: 90 * time.Minute}, gonogo.Spread{N: 10, Median: 90 * time.Minute}, ""), "Median wait 1.5 hours over 10 cases, as in the period before."},
		{gonogo.Share(2, 4), "2 of 4"},
		{gonogo.Share(3, 12), "25% (3 of 12)"},
		{gonogo.Share(0, 0), "none"},
		{gonogo.Outcomes{Clean: 5, RolledBack: 1}.Text(), "1 of 6 failed"},
		{gonogo.CountReading(12, 9, "release shipped", "releases shipped"), "12 releases shipped, up from 9."},
		{gonogo.CountReading(1, 1, "release shipped", "releases shipped"), "1 release shipped, as many as in the period before."},
	} {
		if c[0] != c[1] {
			t.Errorf("reads %q, want %q", c[0], c[1])
		}
	}
}

func TestCommonWords(t *testing.T) {
	got := gonogo.CommonWords([]string{"No schema change", "No schema change; internal tool", "Internal tool only, no UI"}, 3)
	if want := []string{"change", "internal", "schema"}; !slices.Equal(got, want) {
		t.Errorf("common words = %v, want %v", got, want)
	}
}
