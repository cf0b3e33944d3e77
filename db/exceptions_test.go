package db_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestFreezeExceptionsStored: an exception is stored with its approvals,
// read back on the snapshot (which the gate judges) and on the freeze's
// page; a refused approval writes nothing, and a revoked exception makes
// room for a new request over the same freeze.
func TestFreezeExceptionsStored(t *testing.T) {
	s := db.OpenTest(t)
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	ctx := t.Context()
	rm := actor(mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager))
	qa := actor(mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead))
	eng := actor(mustCreateUser(t, s, "eng@example.com", false, gonogo.EngineeringLead))
	sale := gonogo.Window{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}
	fid, err := s.CreateFreeze(ctx, rm, gonogo.FreezeInput{Name: "Sale", Once: sale})
	if err != nil {
		t.Fatal(err)
	}
	rel := mustCreateRelease(t, s, "shop", "1.0.0")
	if err := s.SetWindow(ctx, rm, rel.ID, gonogo.Window{Start: sale.Start.Add(10 * time.Hour), End: sale.Start.Add(11 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	in := gonogo.ExceptionInput{FreezeID: fid, Reason: "tax change", Until: sale.Start.Add(12 * time.Hour)}
	id, err := s.RequestException(ctx, qa, rel.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestException(ctx, eng, rel.ID, in); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("a second live request: %v", err)
	}
	if err := s.ApproveException(ctx, qa, rel.ID, id, "mine"); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("the requester approving: %v", err)
	}
	for _, a := range []gonogo.Actor{eng, rm} {
		if err := s.ApproveException(ctx, a, rel.ID, id, "fine by "+a.Name); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := s.FindSnapshot(ctx, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Exceptions) != 1 || !snap.Exceptions[0].InForce() || snap.Exceptions[0].Approvals[1].Comment != "fine by "+rm.Name ||
		!snap.Exceptions[0].Approvals[1].Senior || snap.Exceptions[0].Approvals[0].Senior {
		t.Fatalf("snapshot exceptions %+v", snap.Exceptions)
	}
	if g := gonogo.Evaluate(snap); len(g.Warnings) == 0 {
		t.Fatalf("the gate does not warn of the exception: %+v", g)
	}
	if err := s.RevokeException(ctx, eng, rel.ID, id, "plans changed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestException(ctx, qa, rel.ID, in); err != nil {
		t.Fatalf("a new request after the revoked one: %v", err)
	}
	page, err := s.FindFreezeExceptions(ctx, fid, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].Revoked() || !page[1].Revoked() || page[1].RevokeReason != "plans changed" || page[1].Version != "1.0.0" {
		t.Fatalf("the freeze's exceptions %+v", page)
	}
	if older, err := s.FindFreezeExceptions(ctx, fid, page[0].ID, 10); err != nil || len(older) != 1 || older[0].ID != page[1].ID {
		t.Fatalf("the page before %d: %+v %v", page[0].ID, older, err)
	}
}
