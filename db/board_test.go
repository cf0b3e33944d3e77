package db_test

import (
	"reflect"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestFindSnapshotsOf checks that the snapshots of chosen releases are
// the ones the whole board's read gives for them, in the order asked,
// and nothing of the others.
func TestFindSnapshotsOf(t *testing.T) {
	s := db.OpenTest(t)
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		rel := mustCreateRelease(t, s, "web", v)
		if _, err := s.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{{Title: "Slow " + v, Severity: gonogo.Blocker}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("snapshots %d, %v", len(all), err)
	}
	got, err := s.FindSnapshotsOf(t.Context(), []gonogo.Release{all[2].Release, all[0].Release})
	if err != nil {
		t.Fatal(err)
	}
	if want := []gonogo.Snapshot{all[2], all[0]}; !reflect.DeepEqual(got, want) {
		t.Errorf("the snapshots of two releases are\n%+v\nwant\n%+v", got, want)
	}
	if none, err := s.FindSnapshotsOf(t.Context(), nil); err != nil || len(none) != 0 {
		t.Errorf("the snapshots of no release: %v, %v", none, err)
	}
}
