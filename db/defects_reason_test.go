package db_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestDefectReasonChangeIsAudited: setting a deferred defect deferred
// again, for another reason, is a change the trail must describe.
func TestDefectReasonChangeIsAudited(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "web", "1.0.0")
	ids, err := s.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{{Title: "Slow", Severity: gonogo.Minor}})
	if err != nil {
		t.Fatal(err)
	}
	qa := gonogo.Actor{Name: "QA", Roles: gonogo.RoleSet{gonogo.QALead}}
	for _, reason := range []string{"next sprint", "after the freeze"} {
		if _, err := s.SetDefectStatus(t.Context(), qa, rel.ID, ids[0], gonogo.DefectChange{Status: gonogo.DefectDeferred, Reason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	events, err := s.FindReleaseEvents(t.Context(), rel.ID, 1)
	if err != nil || len(events) != 1 {
		t.Fatal(events, err)
	}
	if want := `defect "Slow": reason: after the freeze`; events[0].Detail != want || events[0].Action != "defect.edit" {
		t.Fatalf("audited %s %q, want defect.edit %q", events[0].Action, events[0].Detail, want)
	}
}
