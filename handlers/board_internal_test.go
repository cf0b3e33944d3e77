package handlers

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// The board's header names the freeze that comes first: one in force now
// with the occurrence under way, else the one that starts soonest, weekly
// or one-off.
func TestUpcomingFreeze(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, loc) } // 2 March 2026 is a Monday
	weekend := gonogo.Freeze{Name: "Weekend", Weekly: true,
		Week: gonogo.WeeklySpan{StartDay: time.Friday, StartMin: 12 * 60, EndDay: time.Monday, EndMin: 6 * 60}}
	sale := gonogo.Freeze{Name: "Sale", Once: gonogo.Window{Start: at(11, 0).UTC(), End: at(12, 0).UTC()}}
	cases := []struct {
		name  string
		now   time.Time
		want  string
		start time.Time
	}{
		{"in force", at(7, 10), "Weekend", at(6, 12)},
		{"just over, the next week's", at(16, 7), "Weekend", at(20, 12)},
		{"the one-off starts sooner", at(10, 9), "Sale", at(11, 0)},
		{"ahead this week", at(4, 9), "Weekend", at(6, 12)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := upcoming(nil, []gonogo.Freeze{weekend, sale}, tc.now.UTC(), loc)
			if u.Freeze != tc.want || !u.FreezeWindow.Start.Equal(tc.start) {
				t.Fatalf("next freeze %q from %v, want %q from %v", u.Freeze, u.FreezeWindow.Start.In(loc), tc.want, tc.start)
			}
		})
	}
}
