package db_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// A release's snapshot holds the freezes that can matter to its gate: the
// weekly ones, and the one-offs that end after its window starts or now,
// not every freeze the board has had.
func TestSnapshotReadsTheFreezesThatMatter(t *testing.T) {
	s := db.OpenTest(t)
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC) // when the windows were set
	s.Now = func() time.Time { return now }
	rm := actor(mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager))
	day := func(y int, m time.Month, d int) gonogo.Window {
		return gonogo.Window{Start: time.Date(y, m, d, 8, 0, 0, 0, time.UTC), End: time.Date(y, m, d, 20, 0, 0, 0, time.UTC)}
	}
	freezes := []gonogo.FreezeInput{
		{Name: "Weekend", Weekly: true, Week: gonogo.WeeklySpan{StartDay: time.Saturday, EndDay: time.Monday}},
		{Name: "Summer sale", Once: day(2026, 6, 10)},
		{Name: "Last winter", Once: day(2025, 12, 20)},
		{Name: "Spring", Once: day(2026, 3, 1)},
	}
	for _, f := range freezes {
		if _, err := s.CreateFreeze(t.Context(), rm, f); err != nil {
			t.Fatalf("freeze %s: %v", f.Name, err)
		}
	}
	coming := mustCreateRelease(t, s, "payments", "2.0.0")
	past := mustCreateRelease(t, s, "payments", "1.0.0")
	for id, w := range map[int64]gonogo.Window{coming.ID: day(2026, 6, 10), past.ID: day(2026, 2, 20)} {
		if err := s.SetWindow(t.Context(), rm, id, w); err != nil {
			t.Fatal(err)
		}
	}
	now = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for id, want := range map[int64][]string{coming.ID: {"Weekend", "Summer sale"}, past.ID: {"Weekend", "Spring", "Summer sale"}} {
		snap, err := s.FindSnapshot(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range snap.Freezes {
			got = append(got, f.Name)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("release %d's snapshot has freezes %v, want %v", id, got, want)
		}
	}
}
