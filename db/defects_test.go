package db_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestCreateDefectsAllOrNothing(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	_, err := s.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{
		{Title: "Good", Severity: gonogo.Major},
		{Title: "", Severity: gonogo.Minor},
	})
	wantCode(t, err, gonogo.EINVALID)
	if ds, _ := s.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatalf("a refused batch stored %d defects", len(ds))
	}
	events, _ := s.FindReleaseEvents(t.Context(), rel.ID, 10)
	for _, e := range events {
		if e.Action == "defect.add" {
			t.Fatal("a refused batch was audited")
		}
	}

	ids, err := s.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{
		{Title: "Minor", Severity: gonogo.Minor},
		{Title: "Blocker", Severity: gonogo.Blocker, TrackerURL: "https://acme.atlassian.net/browse/PAY-1"},
	})
	wantCode(t, err, "")
	if len(ids) != 2 {
		t.Fatalf("ids %v", ids)
	}
	ds, _ := s.FindDefects(t.Context(), rel.ID)
	if len(ds) != 2 || ds[0].Title != "Blocker" || ds[0].Status != gonogo.DefectOpen {
		t.Fatalf("defects worst first: %+v", ds)
	}
	snap, _ := s.FindSnapshot(t.Context(), rel.ID)
	if len(snap.Defects) != 2 {
		t.Fatal("the snapshot lacks the defects")
	}
	snaps, _ := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{})
	if len(snaps) != 1 || len(snaps[0].Defects) != 2 {
		t.Fatal("the board's snapshots lack the defects")
	}
	if _, err := s.FindDefect(t.Context(), rel.ID+1, ids[0]); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Fatalf("a defect found through another release: %v", err)
	}
}

func TestUpdateDefectRefusedLeavesNoTrace(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	ids, _ := s.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{{Title: "Crash", Severity: gonogo.Critical}})
	before, _ := s.FindReleaseEvents(t.Context(), rel.ID, 100)
	qa := gonogo.Actor{Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	_, err := s.SetDefectStatus(t.Context(), qa, rel.ID, ids[0], gonogo.DefectChange{Status: gonogo.DefectWontFix})
	wantCode(t, err, gonogo.EINVALID)
	after, _ := s.FindReleaseEvents(t.Context(), rel.ID, 100)
	if len(after) != len(before) {
		t.Fatal("a refused change was audited")
	}
	d, err := s.SetDefectStatus(t.Context(), qa, rel.ID, ids[0], gonogo.DefectChange{Status: gonogo.DefectWontFix, Reason: "feature removed"})
	wantCode(t, err, "")
	stored, _ := s.FindDefect(t.Context(), rel.ID, ids[0])
	if stored != d || stored.Reason != "feature removed" || stored.UpdatedBy != "Quinn" {
		t.Fatalf("stored %+v, returned %+v", stored, d)
	}
}
