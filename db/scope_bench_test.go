package db_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// BenchmarkBoardWithScope is the board's read of 30 releases in review,
// each with 40 pull requests open in its milestone (4 labelled as required)
// and 40 merged: what the board reads of their scope is the required ones.
func BenchmarkBoardWithScope(b *testing.B) {
	s := db.OpenTest(b)
	ctx := b.Context()
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for p := range 3 {
		product := fmt.Sprintf("product-%d", p)
		tr := gonogo.NewTracker(product, gonogo.GitHub)
		tr.Project, tr.Secret, tr.RequiredLabel = "acme/"+product, "a-secret-of-sixteen-or-more", "release-blocker"
		for r := range 10 {
			version := fmt.Sprintf("1.%d.0", r)
			rel, err := s.CreateRelease(ctx, gonogo.SystemActor, gonogo.ReleaseInput{Product: product, Version: version, Title: version})
			if err != nil {
				b.Fatal(err)
			}
			if r == 0 {
				if _, err := s.SaveTracker(ctx, gonogo.SystemActor, tr); err != nil {
					b.Fatal(err)
				}
				if tr, err = s.FindTracker(ctx, product, gonogo.GitHub); err != nil {
					b.Fatal(err)
				}
			}
			_ = rel
			for n := range 80 {
				it := gonogo.TrackerItem{Type: gonogo.TrackedChange, Key: fmt.Sprintf("#%d", r*1000+n), Title: "A change",
					State: gonogo.TrackedOpen, Milestone: version, UpdatedAt: at}
				if n%10 == 0 {
					it.Labels = []string{"release-blocker"}
				}
				if n >= 40 {
					it.State = gonogo.TrackedMerged
				}
				if _, err := s.ApplyDelivery(ctx, tr, db.TrackerDelivery{ID: it.Key + version, Item: it}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	f := gonogo.ReleaseFilter{ClosedSince: at.AddDate(0, 0, -30)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.LoadSnapshots(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}
