package db_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// A product's stages: admins set them, bad ones are refused whole, and a
// release made afterwards gets a copy with its stage items as required
// verification items; releases made before keep what they had.
func TestRolloutTemplateIsCopiedToNewReleases(t *testing.T) {
	s := db.OpenTest(t)
	admin := actor(mustCreateUser(t, s, "admin@example.com", true))
	rm := actor(mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager))
	before := mustCreateRelease(t, s, "shop", "1.0")
	specs := []gonogo.StageSpec{{Name: "canary", SoakMinutes: 30, Items: []string{"Error rate under 1%"}}, {Name: "all"}}
	wantCode(t, s.SetRolloutTemplate(t.Context(), rm, "shop", specs), gonogo.EFORBIDDEN)
	wantFields(t, s.SetRolloutTemplate(t.Context(), admin, "shop", []gonogo.StageSpec{{Name: "canary", SoakMinutes: -5}}), "stage-0-soak")
	if got, _ := s.FindRolloutTemplate(t.Context(), "shop"); len(got) != 0 {
		t.Fatalf("a refused template was saved: %+v", got)
	}
	if err := s.SetRolloutTemplate(t.Context(), admin, "shop", specs); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, s); e.Action != string(gonogo.ActionRolloutTemplate) || e.Detail != "set the rollout stages of shop: canary (soak 30 min, 1 item) → all (soak 0 min, 0 items)" {
		t.Fatalf("audit = %s %q", e.Action, e.Detail)
	}
	rel := mustCreateRelease(t, s, "shop", "2.0")
	snap, err := s.FindSnapshot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Stages) != 2 || snap.Stages[0].Name != "canary" || snap.Stages[0].Soak.Minutes() != 30 || snap.Stages[0].Started() {
		t.Fatalf("stages = %+v", snap.Stages)
	}
	it := itemTitled(t, snap.Items, "Error rate under 1%")
	if it.StageID != snap.Stages[0].ID || it.Phase != gonogo.Verification || !it.Required || it.OwnerRole != gonogo.Ops {
		t.Fatalf("stage item = %+v", it)
	}
	for _, other := range snap.Items {
		if other.Phase == gonogo.Verification && other.StageID == 0 && other.Position > it.Position {
			t.Fatalf("the stage item comes before %q", other.Title)
		}
	}
	old, err := s.FindSnapshot(t.Context(), before.ID)
	if err != nil || len(old.Stages) != 0 {
		t.Fatalf("the release made before got stages: %+v, %v", old.Stages, err)
	}
	// Clearing the stages leaves the releases' copies alone.
	if err := s.SetRolloutTemplate(t.Context(), admin, "shop", nil); err != nil {
		t.Fatal(err)
	}
	if snap, _ = s.FindSnapshot(t.Context(), rel.ID); len(snap.Stages) != 2 {
		t.Fatalf("clearing the template took the release's stages: %+v", snap.Stages)
	}
	if third := mustCreateRelease(t, s, "shop", "3.0"); len(mustFindItems(t, s, third.ID)) != len(mustFindItems(t, s, before.ID)) {
		t.Fatal("a release made after clearing got stage items")
	}
}
