package gonogo

import (
	"fmt"
	"strconv"
	"time"
)

// Period is the span insights look at: whole days in the team's time
// zone, from From's midnight up to (not including) To's. Days are
// calendar days, so a period across a change to or from summer time is
// an hour shorter or longer than its days times 24 hours.
type Period struct {
	From, To time.Time
	Days     int
}

// PeriodChoices are the periods offered, in days back from today.
var PeriodChoices = []int{30, 90, 365}

// MaxPeriodDays bounds a range a person asks for: ten years.
const MaxPeriodDays = 3660

// LastDays is the period of the n days up to and including now's day.
func LastDays(n int, now time.Time, loc *time.Location) Period {
	to := midnight(now.In(loc)).AddDate(0, 0, 1)
	return Period{From: to.AddDate(0, 0, -n), To: to, Days: n}
}

// Prev is the period of the same number of days just before p.
func (p Period) Prev() Period {
	return Period{From: p.From.AddDate(0, 0, -p.Days), To: p.From, Days: p.Days}
}

// Has reports whether t falls in the period.
func (p Period) Has(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Last is the period's last day.
func (p Period) Last() time.Time { return p.To.AddDate(0, 0, -1) }

// String names the period for people: "1 Sep 2026 – 30 Nov 2026".
func (p Period) String() string {
	return p.From.Format("2 Jan 2006") + " – " + p.Last().Format("2 Jan 2006")
}

// ParsePeriod reads the period a URL asks for: last=30, 90 or 365 days,
// or from and to as dates (both days included). Nothing asks for the
// last 90 days.
func ParsePeriod(last, from, to string, now time.Time, loc *time.Location) (Period, error) {
	if from != "" || to != "" {
		return parseRange(from, to, loc)
	}
	if last == "" {
		return LastDays(90, now, loc), nil
	}
	n, err := strconv.Atoi(last)
	if err != nil || n < 1 || n > MaxPeriodDays {
		return Period{}, Errorf(EINVALID, "the period is a number of days from 1 to %d, not %q", MaxPeriodDays, last)
	}
	return LastDays(n, now, loc), nil
}

func parseRange(from, to string, loc *time.Location) (Period, error) {
	f, err1 := time.ParseInLocation(time.DateOnly, from, loc)
	t, err2 := time.ParseInLocation(time.DateOnly, to, loc)
	if err1 != nil || err2 != nil {
		return Period{}, Errorf(EINVALID, "a range needs both its first and last day as dates (2026-09-01), not %q and %q", from, to)
	}
	end := t.AddDate(0, 0, 1)
	days := daysBetween(f, end)
	if days < 1 {
		return Period{}, Errorf(EINVALID, "the range ends (%s) before it starts (%s)", to, from)
	}
	if days > MaxPeriodDays {
		return Period{}, Errorf(EINVALID, "a range is at most %d days; %s to %s is %d", MaxPeriodDays, from, to, days)
	}
	return Period{From: f, To: end, Days: days}, nil
}

// daysBetween counts the calendar days from a to b, both midnights.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// weekStart is the Monday midnight of t's week, in t's zone.
func weekStart(t time.Time) time.Time {
	day := midnight(t)
	back := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -back)
}

// FormatSpan says a duration the way the insights read: hours under a
// day, days with one decimal above.
func FormatSpan(d time.Duration) string {
	if d < 24*time.Hour {
		return fmt.Sprintf("%.1f hours", d.Hours())
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}
