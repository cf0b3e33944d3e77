package gonogo_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// benchSnapshot is a release as make bench's data has them: 40 checklist
// items, 15 defects, a vote from every role, a one-off and a weekly freeze.
func benchSnapshot() gonogo.Snapshot {
	zone, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 12, 20, 0, 0, 0, time.UTC)
	s := gonogo.Snapshot{
		Release: gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", State: gonogo.Review, Cycle: 1,
			Window: gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}},
		Notes: gonogo.NotesPublished,
		Zone:  zone,
		Freezes: []gonogo.Freeze{
			{Name: "Winter sale", Once: gonogo.Window{Start: start.AddDate(0, 0, 3), End: start.AddDate(0, 0, 5)}},
			{Name: "Weekend", Weekly: true, Week: gonogo.WeeklySpan{StartDay: time.Friday, StartMin: 12 * 60, EndDay: time.Monday, EndMin: 6 * 60}},
		},
	}
	for i := range 40 {
		status := gonogo.ItemDone
		if i%7 == 0 {
			status = gonogo.ItemOpen
		}
		s.Items = append(s.Items, gonogo.Item{ID: int64(i + 1), Phase: gonogo.Readiness, Pillar: gonogo.Pillars[i%3],
			Title: fmt.Sprintf("Check %d", i), OwnerRole: gonogo.Roles[i%6], Required: i%4 != 0, Status: status})
	}
	for i := range 15 {
		d := gonogo.Defect{ID: int64(i + 1), Title: fmt.Sprintf("Defect %d", i), Severity: gonogo.Minor, Status: gonogo.DefectOpen,
			TrackerURL: fmt.Sprintf("https://tracker.example.com/browse/PAY-%d", 100+i)}
		if i < 3 {
			d.Severity = gonogo.Critical
		}
		s.Defects = append(s.Defects, d)
	}
	for i, r := range gonogo.Roles {
		s.Votes = append(s.Votes, gonogo.Vote{ID: int64(i + 1), Cycle: 1, Role: r, UserID: int64(i + 1),
			UserName: "Person " + string(r), Value: gonogo.VoteGo})
	}
	return s
}

// BenchmarkEvaluate is the gate on one release; the board runs it per card.
func BenchmarkEvaluate(b *testing.B) {
	s := benchSnapshot()
	for b.Loop() {
		if g := gonogo.Evaluate(s); g.Ready {
			b.Fatal("the bench snapshot should be blocked")
		}
	}
}
